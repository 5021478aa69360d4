// One build for every entry point: the extension host bundle, the runtime child
// process, the command-line tool, the webview scripts and the integration suites.
// Usage: node esbuild.js [--production] [--watch]
const esbuild = require('esbuild');
const fs = require('fs');
const path = require('path');

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

/** Files in `dir` matching `re`, relative to the repo root; [] when the dir does not exist. */
function filesIn(dir, re) {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((f) => re.test(f))
    .map((f) => path.join(dir, f));
}

const common = {
  bundle: true,
  minify: production,
  sourcemap: !production,
  sourcesContent: false,
  logLevel: 'warning',
  // onnxruntime-node is a native addon loaded from node_modules at run time.
  external: ['vscode', 'onnxruntime-node'],
};

/** @type {import('esbuild').BuildOptions[]} */
const builds = [
  {
    ...common,
    entryPoints: Object.fromEntries(
      // testSupport: the test-mode helpers, loaded by the extension only in ExtensionMode.Test (not packaged).
      Object.entries({
        extension: 'src/extension.ts',
        runtime: 'src/runtime/process/main.ts',
        cli: 'src/cli/main.ts',
        testSupport: 'src/testSupport.ts',
      }).filter(([, f]) => fs.existsSync(f)),
    ),
    outdir: 'dist',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
  },
  {
    ...common,
    entryPoints: filesIn('src/webview', /\.ts$/),
    outdir: 'media/webview',
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
  },
];
if (!production) {
  builds.push({
    ...common,
    entryPoints: filesIn('test/integration', /(\.test|^index)\.ts$/),
    outdir: 'out/test/integration',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    // mocha is loaded from node_modules so all suites share one instance.
    external: [...common.external, 'mocha'],
  });
}

async function main() {
  const contexts = await Promise.all(
    builds
      .filter((b) => (Array.isArray(b.entryPoints) ? b.entryPoints.length : Object.keys(b.entryPoints).length) > 0)
      .map((b) => esbuild.context(b)),
  );
  if (watch) {
    await Promise.all(contexts.map((c) => c.watch()));
    console.log('[esbuild] watching');
    return;
  }
  await Promise.all(contexts.map((c) => c.rebuild()));
  await Promise.all(contexts.map((c) => c.dispose()));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
