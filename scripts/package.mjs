// Builds a platform-specific VSIX: the production bundles, the shipped models,
// media, and onnxruntime-node with the native binaries of one target only.
// Usage: node scripts/package.mjs [--target linux-x64] [--out FILE]
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { repoRoot } from './codeServer.mjs';

const argv = process.argv.slice(2);
const opt = (name, fallback) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : fallback;
};
const target = opt('--target', `${process.platform === 'win32' ? 'win32' : process.platform}-${process.arch}`);
const [platform, arch] = target.split('-');
const pkg = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8'));
const out = path.resolve(opt('--out', path.join(repoRoot, `inkwell-${target}-${pkg.version}.vsix`)));

const binaries = path.join(repoRoot, 'node_modules/onnxruntime-node/bin');
const napi = fs.readdirSync(binaries).find((d) => d.startsWith('napi-'));
if (!napi || !fs.existsSync(path.join(binaries, napi, platform, arch))) {
  console.error(`onnxruntime-node has no binaries for ${target}.`);
  process.exit(1);
}

// A clean production build: no source maps or stale bundles in the package.
for (const dir of ['dist', 'media/webview']) fs.rmSync(path.join(repoRoot, dir), { recursive: true, force: true });
execFileSync(process.execPath, ['esbuild.js', '--production'], { cwd: repoRoot, stdio: 'inherit' });

const ignoreFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'inkwell-pack-')), '.vscodeignore');
fs.writeFileSync(
  ignoreFile,
  fs.readFileSync(path.join(repoRoot, '.vscodeignore'), 'utf8') + `!node_modules/onnxruntime-node/bin/${napi}/${platform}/${arch}/**\n`,
);

const vsce = path.join(repoRoot, 'node_modules/@vscode/vsce/vsce');
execFileSync(
  process.execPath,
  [
    vsce,
    'package',
    '--target',
    target,
    '--ignoreFile',
    ignoreFile,
    '--allow-missing-repository',
    '--skip-license',
    '--no-rewrite-relative-links',
    '--out',
    out,
  ],
  { cwd: repoRoot, stdio: 'inherit' },
);
console.log(`[package] ${path.relative(process.cwd(), out)} (${(fs.statSync(out).size / 1e6).toFixed(1)} MB)`);
