/** Bundles the runtime process for tests, the same way esbuild.js does for the extension. */
import * as path from 'path';
import { bundleForNode, repoRoot } from '../../support/bundle';

let built: Promise<string> | undefined;

/** Path of a freshly bundled runtime process (built once per test run). */
export function runtimeScript(): Promise<string> {
  // Inside the repository so that the external onnxruntime-node resolves from node_modules.
  built ??= bundleForNode('src/runtime/process/main.ts', path.join(repoRoot, 'out', 'test-runtime', 'runtime.js'));
  return built;
}
