/**
 * Text from an OpenAI-compatible server: time to first text and tokens per second through
 * Inkwell's client against a bare streaming fetch (no Inkwell code: fetch, a line splitter,
 * JSON.parse) on the same server and request, alternating, so the overhead Inkwell adds shows as
 * a ratio. Runs against llama.cpp's llama-server with the tiny model from ../shared/tools; skipped
 * with a note when that folder is absent.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { OpenAiCompatibleClient } from '../src/remote/openaiClient';
import { llamaServerDir, NO_LLAMA_SERVER, startLlamaServer } from '../test/support/llamaServer';

interface Run {
  ttftMs: number;
  tokensPerSecond: number;
  /** CPU time this process spent on the request (user + system), in ms: the client's own work. */
  cpuMs: number;
  tokens: number;
}

/** Times `request` and the CPU this process spent on it. */
async function measured(request: () => Promise<Omit<Run, 'cpuMs'>>): Promise<Run> {
  const before = process.cpuUsage();
  const run = await request();
  const used = process.cpuUsage(before);
  return { ...run, cpuMs: (used.user + used.system) / 1000 };
}

/** The reference: a streamed request read with nothing but fetch and JSON.parse. */
async function bare(url: string, body: object): Promise<Omit<Run, 'cpuMs'>> {
  const started = performance.now();
  const res = await fetch(`${url}/completions`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ ...body, stream: true }),
  });
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  let first: number | undefined;
  let tokens = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    let nl: number;
    while ((nl = buffer.indexOf('\n\n')) >= 0) {
      const event = buffer.slice(0, nl);
      buffer = buffer.slice(nl + 2);
      if (!event.startsWith('data: ') || event === 'data: [DONE]') continue;
      const text = (JSON.parse(event.slice(6)) as { choices: { text?: string }[] }).choices[0]?.text;
      if (text) {
        first ??= performance.now() - started;
        tokens++;
      }
    }
  }
  const total = performance.now() - started;
  return { ttftMs: first ?? total, tokensPerSecond: ((tokens - 1) * 1000) / (total - (first ?? 0)), tokens };
}

async function inkwell(client: OpenAiCompatibleClient, prompt: string, maxTokens: number): Promise<Omit<Run, 'cpuMs'>> {
  const started = performance.now();
  let pieces = 0;
  const r = await client.complete('tiny-chat', prompt, { maxTokens, temperature: 0 }, { onText: () => pieces++ });
  const total = performance.now() - started;
  return { ttftMs: r.ttftMs ?? total, tokensPerSecond: ((pieces - 1) * 1000) / (total - (r.ttftMs ?? 0)), tokens: pieces };
}

interface Request {
  readonly what: string;
  readonly prompt: string;
  readonly maxTokens: number;
}

/**
 * A 95% interval for the median of `xs` by the bootstrap (1,000 resamples with a fixed-seed
 * generator, so a run is repeatable): how far the median of this many pairs can be trusted.
 */
function medianInterval(xs: readonly number[]): [number, number] {
  let seed = 12345;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const medians: number[] = [];
  for (let r = 0; r < 1000; r++) {
    const sample = xs.map(() => xs[Math.floor(random() * xs.length)]);
    medians.push(quartiles(sample).median);
  }
  medians.sort((a, b) => a - b);
  return [medians[25], medians[974]];
}

/** Median and quartiles of a list. */
function quartiles(xs: readonly number[]): { median: number; q1: number; q3: number } {
  const sorted = [...xs].sort((x, y) => x - y);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.round(q * (sorted.length - 1)))];
  return { median: at(0.5), q1: at(0.25), q3: at(0.75) };
}

export async function benchRemote(): Promise<void> {
  console.log('\n## Text from a server (llama-server, tiny model)\n');
  if (!llamaServerDir()) {
    console.log(`${NO_LLAMA_SERVER}.`);
    return;
  }
  // What a continuation really sends: the post up to the cursor. The longest sample post is the prompt.
  const post = fs.readFileSync(path.join(__dirname, '..', 'samples', 'blog', 'posts', 'exploring-generative-ai.md'), 'utf8');
  const requests: Request[] = [
    { what: 'one sentence, 32 tokens', prompt: 'Writing every day taught me', maxTokens: 32 },
    { what: 'one sentence, 256 tokens', prompt: 'Writing every day taught me', maxTokens: 256 },
    { what: `a whole post (${post.length} chars), 128 tokens`, prompt: post, maxTokens: 128 },
  ];
  const ROUNDS = 201;
  const server = await startLlamaServer();
  try {
    const client = new OpenAiCompatibleClient({ baseUrl: server.url });
    const rows: string[] = [];
    const cpuRows: string[] = [];
    for (const r of requests) {
      const body = { model: 'tiny-chat', prompt: r.prompt, max_tokens: r.maxTokens, temperature: 0 };
      await bare(server.url, body);
      await inkwell(client, r.prompt, r.maxTokens);
      const a: Run[] = [];
      const b: Run[] = [];
      for (let i = 0; i < ROUNDS; i++) {
        // Alternating, and each pair in a new order, so neither side always follows the other.
        const ours = () => measured(() => inkwell(client, r.prompt, r.maxTokens));
        const theirs = () => measured(() => bare(server.url, body));
        if (i % 2) {
          a.push(await ours());
          b.push(await theirs());
        } else {
          b.push(await theirs());
          a.push(await ours());
        }
      }
      // The ratio of each pair (measured back to back, under the same load), then their median and quartiles.
      const ttft = quartiles(a.map((run, i) => run.ttftMs / b[i].ttftMs));
      const speed = quartiles(a.map((run, i) => run.tokensPerSecond / b[i].tokensPerSecond));
      const m = (xs: number[]) => quartiles(xs).median;
      // The client's own CPU per request, and what Inkwell adds to it per token streamed.
      const cpuA = m(a.map((x) => x.cpuMs));
      const cpuB = m(b.map((x) => x.cpuMs));
      const tokens = m(a.map((x) => x.tokens));
      cpuRows.push(
        `| ${r.what} | ${tokens} | ${cpuA.toFixed(2)} | ${cpuB.toFixed(2)} | ${(cpuA - cpuB).toFixed(2)} | ${(((cpuA - cpuB) * 1000) / tokens).toFixed(1)} |`,
      );
      const ratios = (f: (run: Run) => number) => a.map((run, i) => f(run) / f(b[i]));
      const ttftCi = medianInterval(ratios((x) => x.ttftMs));
      const speedCi = medianInterval(ratios((x) => x.tokensPerSecond));
      const ci = ([lo, hi]: [number, number]) => `${lo.toFixed(3)}–${hi.toFixed(3)}`;
      rows.push(
        `| ${r.what} | ${m(a.map((x) => x.ttftMs)).toFixed(2)} | ${m(b.map((x) => x.ttftMs)).toFixed(2)} | ${ttft.median.toFixed(3)}x [${ci(ttftCi)}] (${ttft.q1.toFixed(2)}–${ttft.q3.toFixed(2)}) | ${m(a.map((x) => x.tokensPerSecond)).toFixed(0)} | ${m(b.map((x) => x.tokensPerSecond)).toFixed(0)} | ${speed.median.toFixed(3)}x [${ci(speedCi)}] (${speed.q1.toFixed(2)}–${speed.q3.toFixed(2)}) |`,
      );
    }
    const load = os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(', ');
    console.log(
      `Machine: ${os.cpus()[0]?.model ?? 'unknown CPU'} (${os.cpus().length} cores, load average ${load}), Node ${process.version}. ` +
        `One llama-server (1 thread) started for the run; ${ROUNDS} pairs per request, Inkwell and the bare client back to back, ` +
        'taking turns to go first. Ratios are Inkwell / bare per pair: median [its 95% bootstrap interval] (quartiles of the pairs); TTFT below 1 and speed above 1 favour Inkwell.\n',
    );
    console.log('| request | Inkwell TTFT ms | bare TTFT ms | TTFT ratio | Inkwell tok/s | bare tok/s | speed ratio |');
    console.log('|---|--:|--:|--:|--:|--:|--:|');
    for (const row of rows) console.log(row);
    console.log(
      '\nThe client’s own work: CPU time of this process per request (median), so the server’s pace and the load of other processes drop out.\n',
    );
    console.log('| request | tokens | Inkwell CPU ms | bare CPU ms | Inkwell adds, ms | added per token, µs |');
    console.log('|---|--:|--:|--:|--:|--:|');
    for (const row of cpuRows) console.log(row);
  } finally {
    await server.stop();
  }
}
