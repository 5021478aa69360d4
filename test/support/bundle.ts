/**
 * Bundles an entry point of src/ from the current sources with the options esbuild.js gives it,
 * for tests that run a built program (the CLI, the runtime process) or load a webview script
 * into a browser. The one place tests spell esbuild's options.
 */
import * as path from 'path';
import * as esbuild from 'esbuild';

export const repoRoot = path.resolve(__dirname, '..', '..');

/** A Node program (CommonJS, Node 20), written to `outfile`; returns `outfile`. */
export async function bundleForNode(entry: string, outfile: string): Promise<string> {
  await esbuild.build({
    entryPoints: [path.join(repoRoot, entry)],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    // As in esbuild.js: native and host modules load from node_modules at run time, which an
    // outfile outside the repository finds through nodePaths.
    external: ['vscode', 'onnxruntime-node'],
    logLevel: 'error',
    absWorkingDir: repoRoot,
    nodePaths: [path.join(repoRoot, 'node_modules')],
  });
  return outfile;
}

/** A webview script (an IIFE for the browser), as text. */
export async function bundleForBrowser(entry: string): Promise<string> {
  const out = await esbuild.build({
    entryPoints: [path.join(repoRoot, entry)],
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: 'es2022',
    write: false,
  });
  return out.outputFiles[0].text;
}
