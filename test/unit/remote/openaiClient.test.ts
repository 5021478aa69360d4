import * as assert from 'assert';
import * as http from 'http';
import type { AddressInfo } from 'net';
import { isInsecureRemote, OpenAiCompatibleClient, RemoteError, type RemoteLimits } from '../../../src/remote/openaiClient';
import { waitFor } from '../../support/waitFor';
import { llamaServerDir, NO_LLAMA_SERVER, startLlamaServer, type LlamaServer } from '../../support/llamaServer';

/** The server's own answer to a request, through a bare fetch (no streaming, no Inkwell). */
async function bare(url: string, path: string, body: object): Promise<{ text: string; finish: string }> {
  const res = await fetch(`${url}/${path}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  const json = (await res.json()) as { choices: { text?: string; message?: { content: string }; finish_reason: string }[] };
  const c = json.choices[0];
  return { text: c.text ?? c.message?.content ?? '', finish: c.finish_reason };
}

/** Sockets and timers this process holds (what a leak would grow). */
function openResources(): { sockets: number; timers: number } {
  const info = process.getActiveResourcesInfo();
  return { sockets: info.filter((r) => r === 'TCPSocketWrap').length, timers: info.filter((r) => r === 'Timeout').length };
}

async function rejection(p: Promise<unknown>): Promise<RemoteError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof RemoteError, `expected a RemoteError, got ${String(err)}`);
    return err;
  }
  assert.fail('expected the request to fail');
}

describe('OpenAI-compatible client against a real llama-server', function () {
  this.timeout(60_000);
  let server: LlamaServer;

  before(async function () {
    if (!llamaServerDir()) {
      console.log(`    (${NO_LLAMA_SERVER})`);
      this.skip();
    }
    server = await startLlamaServer();
  });
  after(async () => server?.stop());

  it('lists the server’s models', async () => {
    assert.deepStrictEqual(await new OpenAiCompatibleClient({ baseUrl: server.url }).listModels(), ['tiny-chat']);
  });

  it('gives the server’s own greedy completion and chat, streamed or not, with stop sequences', async () => {
    const client = new OpenAiCompatibleClient({ baseUrl: server.url });
    const ref = await bare(server.url, 'completions', { model: 'tiny-chat', prompt: 'Hello, my name is', max_tokens: 20, temperature: 0 });
    assert.ok(ref.text.startsWith(' task hears hopping teaspoons'), ref.text);
    const pieces: string[] = [];
    const streamed = await client.complete(
      'tiny-chat',
      'Hello, my name is',
      { maxTokens: 20, temperature: 0 },
      { onText: (p) => pieces.push(p) },
    );
    assert.strictEqual(streamed.text, ref.text);
    assert.strictEqual(pieces.join(''), ref.text);
    assert.ok(pieces.length >= 10, `streamed in ${pieces.length} pieces`);
    assert.strictEqual(streamed.stopReason, 'length');
    assert.deepStrictEqual(streamed.usage, { promptTokens: 5, completionTokens: 20 });
    const whole = await client.complete('tiny-chat', 'Hello, my name is', { maxTokens: 20, temperature: 0 }, { stream: false });
    assert.strictEqual(whole.text, ref.text);

    const stopped = await client.complete('tiny-chat', 'Hello, my name is', { maxTokens: 20, temperature: 0, stop: [' mc'] });
    assert.deepStrictEqual([stopped.text, stopped.stopReason], [' task hears hopping teaspoons', 'stop']);

    const messages = [
      { role: 'system' as const, content: 'You are terse.' },
      { role: 'user' as const, content: 'Say hi' },
    ];
    const chatRef = await bare(server.url, 'chat/completions', { model: 'tiny-chat', messages, max_tokens: 10, temperature: 0 });
    const chat = await client.chat('tiny-chat', messages, { maxTokens: 10, temperature: 0 });
    assert.strictEqual(chat.text, chatRef.text);
    assert.strictEqual(chat.endpoint, 'chat');
  });

  it('cancel closes the connection and the server stops generating within a second', async () => {
    const client = new OpenAiCompatibleClient({ baseUrl: server.url });
    const abort = new AbortController();
    let first = 0;
    const request = client.complete(
      'tiny-chat',
      'Once upon a time',
      { maxTokens: 3500, temperature: 0 },
      {
        signal: abort.signal,
        onText: () => {
          if (++first === 1) abort.abort();
        },
      },
    );
    const err = await rejection(request);
    assert.strictEqual(err.code, 'cancelled');
    const log = await waitFor(
      () => {
        const text = server.log();
        return /stop: cancel task/.test(text) && text;
      },
      'the server log to say it cancelled the task',
      1000,
      20,
    );
    const released = /stop processing: n_tokens = (\d+)/.exec(log.slice(log.lastIndexOf('stop: cancel task')));
    assert.ok(!released || Number(released[1]) < 3500, `stopped early: ${released?.[1]} tokens`);
  });

  it('leaves no sockets or timers behind after 100 streamed requests', async () => {
    const client = new OpenAiCompatibleClient({ baseUrl: server.url });
    await client.complete('tiny-chat', 'warm up', { maxTokens: 2, temperature: 0 });
    // Counted after one request, so that the connection pool's own keep-alive socket and timer are in both counts.
    const before = openResources();
    for (let i = 0; i < 100; i++) {
      const abort = new AbortController();
      const r = client.complete('tiny-chat', `Request ${i}`, { maxTokens: 4, temperature: 0 }, { signal: abort.signal });
      if (i % 10 === 9) {
        abort.abort();
        await r.catch(() => undefined);
      } else assert.ok((await r).text.length > 0);
    }
    // Keep-alive sockets close after the agent's idle time; what must not grow is what Inkwell holds.
    await waitFor(
      () => {
        const now = openResources();
        return now.sockets <= before.sockets && now.timers <= before.timers;
      },
      'sockets and timers back to their count before',
      10_000,
      100,
    ).catch(() => undefined);
    const after = openResources();
    assert.ok(after.timers <= before.timers, `timers: ${before.timers} before, ${after.timers} after`);
    assert.ok(after.sockets <= before.sockets + 1, `sockets: ${before.sockets} before, ${after.sockets} after`);
  });
});

/** A local server that misbehaves on cue, for the faults a real server cannot produce on demand. */
describe('OpenAI-compatible client: faults, each with one clear message', function () {
  this.timeout(30_000);
  let server: http.Server;
  let base: string;
  let handler: (req: http.IncomingMessage, res: http.ServerResponse) => void = () => undefined;
  const requests: { url: string; auth?: string }[] = [];
  const limits: Partial<RemoteLimits> = {
    responseTimeoutMs: 1000,
    idleTimeoutMs: 500,
    overallTimeoutMs: 3000,
    maxBodyBytes: 64 * 1024,
    maxRetryWaitMs: 200,
  };
  const client = (apiKey?: string, more: Partial<RemoteLimits> = {}) =>
    new OpenAiCompatibleClient({ baseUrl: base, apiKey }, { limits: { ...limits, ...more } });
  const sse = (res: http.ServerResponse, events: string[], end = true) => {
    res.writeHead(200, { 'Content-Type': 'text/event-stream' });
    for (const e of events) res.write(`data: ${e}\n\n`);
    if (end) res.end();
  };
  const chunk = (text: string, finish: string | null = null) => JSON.stringify({ choices: [{ text, finish_reason: finish }] });

  before(async () => {
    server = http.createServer((req, res) => {
      requests.push({ url: req.url ?? '', auth: req.headers.authorization });
      req.resume();
      req.on('end', () => handler(req, res));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  });
  beforeEach(() => {
    requests.length = 0;
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  const ask = (c = client()) => c.complete('m', 'Hello', { maxTokens: 8 });

  it('connection refused names the URL and asks whether the server runs', async () => {
    // A port that was free a moment ago: nothing listens there.
    const probe = http.createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const port = (probe.address() as AddressInfo).port;
    await new Promise((r) => probe.close(r));
    const closed = new OpenAiCompatibleClient({ baseUrl: `http://127.0.0.1:${port}/v1` });
    const err = await rejection(closed.complete('m', 'x', { maxTokens: 1 }));
    assert.strictEqual(err.code, 'connection-refused');
    assert.strictEqual(err.message, `Could not connect to http://127.0.0.1:${port}/v1: is the server running?`);
  });

  it('a host that does not resolve, and TLS spoken to a plain server', async () => {
    const dns = await rejection(new OpenAiCompatibleClient({ baseUrl: 'http://no-such-host.invalid/v1' }).listModels());
    assert.strictEqual(dns.code, 'dns');
    assert.match(dns.message, /Could not find the host of http:\/\/no-such-host\.invalid\/v1/);
    const tls = await rejection(new OpenAiCompatibleClient({ baseUrl: base.replace('http:', 'https:') }).listModels());
    assert.strictEqual(tls.code, 'tls', tls.message);
    assert.match(tls.message, /The secure connection to https:\/\/127\.0\.0\.1:\d+\/v1 failed/);
  });

  it('401 and 403 speak of the key without showing it', async () => {
    handler = (_req, res) => {
      res.writeHead(401, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ error: { message: 'Invalid API key sk-secret-123' } }));
    };
    const err = await rejection(ask(client('sk-secret-123')));
    assert.strictEqual(err.code, 'auth');
    assert.match(err.message, /refused the request \(401\): the API key was not accepted\. Set it with "Inkwell: Set API Key"/);
    assert.strictEqual(requests[0].auth, 'Bearer sk-secret-123', 'the key was sent');
    // The server echoed the key back; it must not reach the message.
    assert.ok(!err.message.includes('sk-secret-123'), err.message);
    assert.match(err.message, /The server says: Invalid API key \[API key\]/);
    handler = (_req, res) => {
      res.writeHead(403);
      res.end();
    };
    assert.match((await rejection(ask())).message, /refused the request \(403\): it needs an API key/);
  });

  it('404 on the model lists the models the server has', async () => {
    handler = (req, res) => {
      if (req.url === '/v1/models') {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify({ data: [{ id: 'llama3' }, { id: 'qwen2.5' }] }));
        return;
      }
      res.writeHead(404, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ error: { message: "model 'm' not found" } }));
    };
    const err = await rejection(ask());
    assert.strictEqual(err.code, 'model-not-found');
    assert.match(err.message, /has no model "m"\. It offers: llama3, qwen2\.5\./);
  });

  it('a chat-only server (404 on /completions) continues through /chat/completions', async () => {
    handler = (req, res) => {
      if (req.url === '/v1/completions') {
        res.writeHead(404);
        res.end('Not Found');
        return;
      }
      sse(res, [JSON.stringify({ choices: [{ delta: { content: ' from chat' }, finish_reason: 'length' }] }), '[DONE]']);
    };
    const r = await ask();
    assert.deepStrictEqual([r.text, r.endpoint], [' from chat', 'chat']);
  });

  it('429 and 503 with Retry-After are retried, a bounded number of times, and cancellable', async () => {
    let n = 0;
    handler = (_req, res) => {
      if (n++ < 2) {
        res.writeHead(n === 1 ? 429 : 503, { 'Retry-After': '0.05' });
        res.end();
        return;
      }
      sse(res, [chunk(' ok', 'length'), '[DONE]']);
    };
    assert.strictEqual((await ask()).text, ' ok');
    assert.strictEqual(requests.length, 3);
    handler = (_req, res) => {
      res.writeHead(429, { 'Retry-After': '0.01' });
      res.end();
    };
    const busy = await rejection(ask());
    assert.strictEqual(busy.code, 'rate-limited');
    assert.match(busy.message, /is busy \(429\) and still was after 3 retries/);
    handler = (_req, res) => {
      res.writeHead(503, { 'Retry-After': '60' });
      res.end();
    };
    // Allowed to wait the full minute the server asks for: only Cancel can end the wait early.
    requests.length = 0;
    const abort = new AbortController();
    const waiting = client(undefined, { maxRetryWaitMs: 60_000 }).complete('m', 'x', { maxTokens: 1 }, { signal: abort.signal });
    await waitFor(() => requests.length === 1, 'the first answer (503, retry in 60 s)');
    abort.abort();
    assert.strictEqual((await rejection(waiting)).code, 'cancelled');
    assert.strictEqual(requests.length, 1, 'no retry was sent after Cancel');
  });

  it('500, a body that is not JSON, a malformed event, and a stream cut short', async () => {
    handler = (_req, res) => {
      res.writeHead(500, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ error: { message: 'CUDA out of memory' } }));
    };
    assert.match((await rejection(ask())).message, /failed with 500\. The server says: CUDA out of memory/);
    handler = (_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end('<html>proxy error</html>');
    };
    const notJson = await rejection(ask());
    assert.strictEqual(notJson.code, 'bad-response');
    assert.match(notJson.message, /not an event stream: <html>proxy error<\/html>/);
    handler = (_req, res) => sse(res, [chunk(' fine'), '{not json']);
    const partial: string[] = [];
    const malformed = await rejection(client().complete('m', 'x', { maxTokens: 8 }, { onText: (p) => partial.push(p) }));
    assert.match(malformed.message, /sent an event that is not JSON: \{not json/);
    assert.deepStrictEqual(partial, [' fine'], 'what arrived before the fault was delivered');
    handler = (_req, res) => sse(res, [chunk(' half')]);
    const cut = await rejection(ask());
    assert.match(cut.message, /stream ended before it finished the answer \(after 5 characters\)/);
  });

  it('a stream that stalls hits the silence deadline; one that never ends hits the overall deadline', async () => {
    handler = (_req, res) => sse(res, [chunk(' one')], false);
    const stalled = await rejection(ask());
    assert.strictEqual(stalled.code, 'stalled');
    assert.match(stalled.message, /sent nothing for 0\.5 s and was given up on/);
    handler = (_req, res) => {
      sse(res, [], false);
      const timer = setInterval(() => res.write(`data: ${chunk(' more')}\n\n`), 50);
      res.on('close', () => clearInterval(timer));
    };
    const endless = await rejection(client(undefined, { maxBodyBytes: 16 * 2 ** 20 }).complete('m', 'x', { maxTokens: 8 }));
    assert.strictEqual(endless.code, 'timed-out');
    assert.match(endless.message, /did not finish within 3 s/);
  });

  it('a redirect to another host is refused, and the key never leaves', async () => {
    let elsewhere = 0;
    const other = http.createServer((_req, res) => {
      elsewhere++;
      res.end();
    });
    await new Promise<void>((r) => other.listen(0, '127.0.0.2', r));
    try {
      handler = (_req, res) => {
        res.writeHead(307, { Location: `http://127.0.0.2:${(other.address() as AddressInfo).port}/v1/completions` });
        res.end();
      };
      const err = await rejection(ask(client('sk-secret')));
      assert.strictEqual(err.code, 'redirect');
      assert.match(err.message, /redirected the request to http:\/\/127\.0\.0\.2:\d+; Inkwell does not follow redirects/);
      assert.strictEqual(elsewhere, 0, 'nothing was sent to the other host');
    } finally {
      await new Promise((r) => other.close(r));
    }
  });

  it('a body far larger than asked for is capped', async () => {
    handler = (_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ choices: [{ text: 'x'.repeat(200_000), finish_reason: 'length' }] }));
    };
    const err = await rejection(client().complete('m', 'x', { maxTokens: 8 }, { stream: false }));
    assert.strictEqual(err.code, 'too-large');
  });

  it('plain http to another machine is flagged; loopback and https are not', () => {
    assert.strictEqual(isInsecureRemote('http://gpu-box.lan:8000/v1'), true);
    assert.strictEqual(isInsecureRemote('http://127.0.0.1:8080/v1'), false);
    assert.strictEqual(isInsecureRemote('http://localhost:11434/v1'), false);
    assert.strictEqual(isInsecureRemote('https://api.example.com/v1'), false);
  });
});
