import * as assert from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import type { AddressInfo } from 'net';
import * as os from 'os';
import * as path from 'path';
import { bundleForNode } from '../../support/bundle';
import { llamaServerDir, NO_LLAMA_SERVER, startLlamaServer, type LlamaServer } from '../../support/llamaServer';

describe('inkwell continue --endpoint and inkwell chat (the built CLI against a server)', function () {
  this.timeout(120_000);
  let dir: string;
  let cli: string;
  let server: LlamaServer | undefined;

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'inkwell-remote-cli-'));
    cli = path.join(dir, 'cli.js');
    await bundleForNode('src/cli/main.ts', cli);
    if (llamaServerDir()) server = await startLlamaServer();
  });
  after(async () => {
    await server?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const run = (args: string[], env: Record<string, string> = {}) => {
    const r = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', timeout: 60_000, env: { ...process.env, ...env } });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  };
  const json = (stdout: string) => JSON.parse(stdout.trim().split('\n').at(-1)!) as Record<string, unknown>;

  it('continues and chats greedily exactly as the server answers, with the same --json shape as local', function () {
    if (!server) {
      console.log(`      (${NO_LLAMA_SERVER})`);
      this.skip();
    }
    const cont = run(['continue', '--endpoint', server.url, '--prompt', 'Hello, my name is', '--max-tokens', '20', '--greedy', '--json']);
    assert.strictEqual(cont.code, 0, cont.stderr);
    const c = json(cont.stdout);
    assert.strictEqual(
      c.text,
      ' task hears hopping teaspoons mc federally resent upload arts restructuring advanced deform adject enjoy att protested warmed unveiling ropes back',
    );
    assert.deepStrictEqual([c.stop_reason, c.endpoint, c.usage], ['length', 'completions', { prompt_tokens: 5, completion_tokens: 20 }]);
    assert.strictEqual(c.max_tokens, 20);
    assert.deepStrictEqual(c.stop, ['\n\n\n']);

    const chat = run([
      'chat',
      '--endpoint',
      server.url,
      '--system',
      'You are terse.',
      '--user',
      'Say hi',
      '--max-tokens',
      '10',
      '--greedy',
      '--json',
    ]);
    assert.strictEqual(chat.code, 0, chat.stderr);
    assert.strictEqual(json(chat.stdout).text, ' belief ric prep accounts eggs resources light factions needing monarch');

    // Without --json the text is the output, and a note goes to standard error.
    const plain = run([
      'continue',
      '--endpoint',
      server.url,
      '--prompt',
      'Hello, my name is',
      '--max-tokens',
      '8',
      '--greedy',
      '--stop',
      ' mc',
    ]);
    assert.strictEqual(plain.stdout, ' task hears hopping teaspoons\n');
    assert.match(plain.stderr, /tokens \(stop\) from .* via \/completions/);
  });

  it('reads the API key from the environment, and says what is wrong in one line', async () => {
    const seen: (string | undefined)[] = [];
    const fake = http.createServer((req, res) => {
      seen.push(req.headers.authorization);
      req.resume();
      res.writeHead(401, { 'Content-Type': 'application/json' });
      res.end('{"error":{"message":"bad key"}}');
    });
    await new Promise<void>((r) => fake.listen(0, '127.0.0.1', r));
    try {
      const url = `http://127.0.0.1:${(fake.address() as AddressInfo).port}/v1`;
      // spawnSync would block the fake server's event loop: run the child asynchronously.
      const { spawn } = await import('child_process');
      const child = spawn(process.execPath, [cli, 'chat', '--endpoint', url, '--user', 'hi', '--api-key-env', 'MY_KEY'], {
        env: { ...process.env, MY_KEY: 'sk-from-env' },
      });
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      const code = await new Promise<number | null>((r) => child.on('close', r));
      assert.strictEqual(code, 1);
      assert.deepStrictEqual(seen, ['Bearer sk-from-env']);
      assert.match(stderr, /^inkwell chat: http:\/\/127\.0\.0\.1:\d+\/v1 refused the request \(401\): the API key was not accepted/m);
      assert.ok(!stderr.includes('sk-from-env'), stderr);
    } finally {
      await new Promise((r) => fake.close(r));
    }
    // Without --endpoint, chat is local: it loads ONNX Runtime (external to the bundle, found as in a packaged extension) and needs a model.
    const usage = run(['chat', '--user', 'hi'], { NODE_PATH: path.join(__dirname, '..', '..', '..', 'node_modules') });
    assert.strictEqual(usage.code, 2);
    assert.match(usage.stderr, /inkwell chat: give --model DIR \(a local instruct model\) or --endpoint URL \(a server\)/);
    const local = run(['continue', '--endpoint', 'http://127.0.0.1:1/v1', '--prompt', 'x', '--top-k', '5']);
    assert.strictEqual(local.code, 2);
    assert.match(local.stderr, /--top-k is not available with --endpoint/);
  });
});
