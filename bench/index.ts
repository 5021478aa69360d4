/**
 * `npm run bench`: runs every benchmark and prints its tables (Markdown), each
 * with its inputs and a reference measured in the same run. Results are
 * recorded in BENCHMARKS.md. `npm run bench -- NAME…` runs a subset
 * (activation, posts, render, hostile, generation, speculative, suggest, remote, images).
 */
import * as os from 'os';
import { disableOrtTelemetry } from '../src/generation/sessionOptions';

type Bench = { name: string; load: () => Promise<() => Promise<unknown>> };

const benches: Bench[] = [
  { name: 'activation', load: async () => (await import('./activation')).benchActivation },
  { name: 'posts', load: async () => (await import('./posts')).benchPosts },
  { name: 'render', load: async () => (await import('./render')).benchRender },
  { name: 'hostile', load: async () => (await import('./hostile')).benchHostile },
  { name: 'generation', load: async () => (await import('./generation')).benchGeneration },
  { name: 'speculative', load: async () => (await import('./speculative')).benchSpeculative },
  { name: 'suggest', load: async () => (await import('./suggest')).benchSuggest },
  { name: 'remote', load: async () => (await import('./remote')).benchRemote },
  { name: 'images', load: async () => (await import('./images')).benchImages },
];

async function main(): Promise<void> {
  // The benchmarks open ONNX sessions directly too: no telemetry from any of them.
  disableOrtTelemetry();
  const only = process.argv.slice(2);
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  console.log(`# Inkwell benchmarks\n`);
  console.log(
    `Machine: ${cpu}, ${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, ${os.platform()} ${os.release()}, Node ${process.version}. Date: ${new Date().toISOString()}`,
  );
  let failed = 0;
  for (const bench of benches) {
    if (only.length && !only.includes(bench.name)) continue;
    try {
      const run = await bench.load();
      await run();
    } catch (err) {
      failed++;
      console.error(`\n[bench] ${bench.name} failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    }
  }
  process.exitCode = failed ? 1 : 0;
}

void main();
