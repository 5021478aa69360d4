/**
 * Activation benchmark: starts the real VS Code (code-server) with Inkwell in
 * development mode, activates it from the integration suite
 * `activationBench.test.ts` and reads the numbers back. The reference, measured
 * in the same run, is VS Code's own Markdown extension activated in the same host.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

interface ActivationSample {
  activateMs: number;
  wallMs: number;
  markdownMs?: number;
  ortLoaded: boolean;
}

const RUNS = 3;

export async function benchActivation(): Promise<void> {
  const repo = path.resolve(__dirname, '..');
  const samples: ActivationSample[] = [];
  for (let i = 0; i < RUNS; i++) {
    const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'inkwell-bench-')), 'activation.json');
    execFileSync(process.execPath, ['scripts/runIntegrationTests.mjs', '--files', 'activationBench', '--bench-out', out], {
      cwd: repo,
      stdio: 'ignore',
    });
    samples.push(JSON.parse(fs.readFileSync(out, 'utf8')) as ActivationSample);
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const act = median(samples.map((s) => s.activateMs));
  const wall = median(samples.map((s) => s.wallMs));
  const md = samples.map((s) => s.markdownMs).filter((x): x is number => x !== undefined);
  const mdMedian = md.length ? median(md) : undefined;
  const bundleKB = fs.statSync(path.join(repo, 'dist/extension.js')).size / 1024;
  console.log(`\n## Activation (real VS Code extension host, code-server, median of ${RUNS} starts)\n`);
  console.log('| measure | Inkwell | VS Code Markdown extension (reference) | ratio |');
  console.log('|---|---:|---:|---:|');
  console.log(
    `| activate() wall time | ${wall.toFixed(1)} ms | ${mdMedian === undefined ? 'already active' : mdMedian.toFixed(1) + ' ms'} | ${mdMedian ? (wall / mdMedian).toFixed(2) + '×' : '–'} |`,
  );
  console.log(`| time inside activate() | ${act.toFixed(1)} ms | | |`);
  console.log(`| dist/extension.js (dev build) | ${bundleKB.toFixed(0)} KB | | |`);
  console.log(`| onnxruntime loaded by activation | ${samples.some((s) => s.ortLoaded) ? 'YES' : 'no'} | | |`);
}
