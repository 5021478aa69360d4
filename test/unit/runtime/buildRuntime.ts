/** Bundles the runtime process for tests, the same way esbuild.js does for the extension. */
import * as esbuild from 'esbuild';
import * as path from 'path';

const repo = path.join(__dirname, '..', '..', '..');

let built: Promise<string> | undefined;

/** Path of a freshly bundled runtime process (built once per test run). */
export function runtimeScript(): Promise<string> {
  built ??= (async () => {
    // Inside the repository so that the external onnxruntime-node resolves from node_modules.
    const outfile = path.join(repo, 'out', 'test-runtime', 'runtime.js');
    await esbuild.build({
      entryPoints: [path.join(repo, 'src', 'runtime', 'process', 'main.ts')],
      outfile,
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      external: ['vscode', 'onnxruntime-node'],
      logLevel: 'error',
    });
    return outfile;
  })();
  return built;
}
