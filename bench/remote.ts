/**
 * Text from an OpenAI-compatible server: time to first text and tokens per second through
 * Inkwell's client against a bare streaming fetch (no Inkwell code: fetch, a line splitter,
 * JSON.parse) on the same server and request, alternating, so the overhead Inkwell adds shows as
 * a ratio. Runs against llama.cpp's llama-server with the tiny model from ../shared/tools; skipped
 * with a note when that folder is absent.
 */
import { OpenAiCompatibleClient } from '../src/remote/openaiClient';
import { llamaServerDir, NO_LLAMA_SERVER, startLlamaServer } from '../test/support/llamaServer';

interface Run {
  ttftMs: number;
  tokensPerSecond: number;
}

/** The reference: a streamed request read with nothing but fetch and JSON.parse. */
async function bare(url: string, body: object): Promise<Run> {
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
  return { ttftMs: first ?? total, tokensPerSecond: ((tokens - 1) * 1000) / (total - (first ?? 0)) };
}

async function inkwell(client: OpenAiCompatibleClient, prompt: string, maxTokens: number): Promise<Run> {
  const started = performance.now();
  let pieces = 0;
  const r = await client.complete('tiny-chat', prompt, { maxTokens, temperature: 0 }, { onText: () => pieces++ });
  const total = performance.now() - started;
  return { ttftMs: r.ttftMs ?? total, tokensPerSecond: ((pieces - 1) * 1000) / (total - (r.ttftMs ?? 0)) };
}

export async function benchRemote(): Promise<void> {
  console.log('\n## Text from a server (llama-server, tiny model)\n');
  if (!llamaServerDir()) {
    console.log(`${NO_LLAMA_SERVER}.`);
    return;
  }
  const server = await startLlamaServer();
  try {
    const client = new OpenAiCompatibleClient({ baseUrl: server.url });
    const rows: string[] = [];
    for (const maxTokens of [32, 256]) {
      const prompt = 'Writing every day taught me';
      const body = { model: 'tiny-chat', prompt, max_tokens: maxTokens, temperature: 0 };
      await bare(server.url, body);
      await inkwell(client, prompt, maxTokens);
      const a: Run[] = [];
      const b: Run[] = [];
      for (let i = 0; i < 31; i++) {
        a.push(await inkwell(client, prompt, maxTokens));
        b.push(await bare(server.url, body));
      }
      const median = (xs: number[]) => xs.sort((x, y) => x - y)[xs.length >> 1];
      const [ta, tb] = [median(a.map((r) => r.ttftMs)), median(b.map((r) => r.ttftMs))];
      const [sa, sb] = [median(a.map((r) => r.tokensPerSecond)), median(b.map((r) => r.tokensPerSecond))];
      rows.push(
        `| ${maxTokens} tokens, greedy, streamed | ${ta.toFixed(2)} | ${tb.toFixed(2)} | ${(ta / tb).toFixed(2)}x | ${sa.toFixed(0)} | ${sb.toFixed(0)} | ${(sa / sb).toFixed(2)}x |`,
      );
    }
    console.log('Median of 31 requests each, Inkwell and the bare client alternating, on one server started for the run (1 thread).\n');
    console.log('| request | Inkwell TTFT ms | bare TTFT ms | TTFT ratio | Inkwell tok/s | bare tok/s | speed ratio |');
    console.log('|---|--:|--:|--:|--:|--:|--:|');
    for (const r of rows) console.log(r);
  } finally {
    await server.stop();
  }
}
