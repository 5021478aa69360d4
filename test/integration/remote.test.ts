import * as assert from 'assert';
import * as http from 'http';
import type { AddressInfo } from 'net';
import * as vscode from 'vscode';
import { rewriteAnswer } from '../../src/core/suggest/rewrite';
import type { ContinuationOutcome } from '../../src/features/text/continuation';
import type { WritingOutcome } from '../../src/features/text/rewrite';
import type { InkwellTestSupport } from '../../src/testSupport';
import { llamaServerDir, NO_LLAMA_SERVER, startLlamaServer, type LlamaServer } from '../support/llamaServer';
import { closeAll, GHOST_TEXT_SETTINGS, openPost, testing, waitFor, withSettings } from './helpers';
import { repoRoot } from './repo';

const POST = 'posts/notes-on-evaluation.md';

/**
 * Text from a real OpenAI-compatible server: llama.cpp's llama-server with a tiny model
 * (../shared/tools/llama-server), reached through a proxy in this test that records what
 * Inkwell sends, so that the server's own answer to the same request can be compared.
 */
suite('Text from an OpenAI-compatible server (llama-server)', function () {
  let t: InkwellTestSupport;
  let server: LlamaServer | undefined;
  let proxy: http.Server;
  let proxyUrl = '';
  const sent: { path: string; body: Record<string, unknown> }[] = [];

  suiteSetup(async function () {
    if (!llamaServerDir(repoRoot())) {
      console.log(`  (${NO_LLAMA_SERVER})`);
      this.skip();
    }
    t = await testing();
    server = await startLlamaServer(repoRoot());
    const upstream = new URL(server.url);
    proxy = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const raw = Buffer.concat(chunks);
        if (raw.length) sent.push({ path: req.url ?? '', body: JSON.parse(raw.toString('utf8')) as Record<string, unknown> });
        const out = http.request(
          { host: upstream.hostname, port: upstream.port, path: req.url, method: req.method, headers: req.headers },
          (answer) => {
            res.writeHead(answer.statusCode ?? 502, answer.headers);
            answer.pipe(res);
          },
        );
        // Inkwell closing its connection (Cancel) closes the server's too, as it would directly.
        res.on('close', () => out.destroy());
        out.end(raw);
      });
    });
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
    proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}/v1`;
    const cfg = vscode.workspace.getConfiguration('inkwell');
    await cfg.update('remote.baseUrl', proxyUrl, vscode.ConfigurationTarget.Global);
    await cfg.update('remote.model', 'tiny-chat', vscode.ConfigurationTarget.Global);
    await cfg.update('text.provider', 'openaiCompatible', vscode.ConfigurationTarget.Global);
  });

  suiteTeardown(async () => {
    const cfg = vscode.workspace.getConfiguration('inkwell');
    for (const key of ['text.provider', 'remote.baseUrl', 'remote.model'])
      await cfg.update(key, undefined, vscode.ConfigurationTarget.Global);
    await closeAll();
    proxy?.closeAllConnections();
    await new Promise((r) => (proxy ? proxy.close(r) : r(undefined)));
    await server?.stop();
  });

  // A test that fails midway leaves the post as it was then; the next one starts from the file.
  teardown(closeAll);

  const editorAtEnd = async () => {
    const editor = await openPost(POST);
    const end = editor.document.positionAt(editor.document.getText().length);
    editor.selection = new vscode.Selection(end, end);
    return editor;
  };

  test('a greedy continuation is the server’s own answer to the request Inkwell sent, streamed into the post; one Undo removes it', async () => {
    const editor = await editorAtEnd();
    const original = editor.document.getText();
    const lengths = new Set<number>();
    const sub = vscode.workspace.onDidChangeTextDocument((e) => {
      if (e.document === editor.document) lengths.add(e.document.getText().length);
    });
    sent.length = 0;
    const outcome = await vscode.commands.executeCommand<ContinuationOutcome>('inkwell.generateContinuation', {
      sampling: { temperature: 0 },
      // The tiny model answers about 1000 tokens a second: enough of them to arrive over several flushes
      // (600 arrived in one on a busy machine once).
      maxTokens: 1500,
      stop: [],
    });
    sub.dispose();
    assert.ok(outcome.ok, JSON.stringify(outcome));
    const request = sent.find((s) => s.path === '/v1/completions');
    assert.ok(request, `Inkwell asked /v1/completions: ${JSON.stringify(sent.map((s) => s.path))}`);
    assert.strictEqual(request.body.model, 'tiny-chat');
    assert.strictEqual(request.body.stream, true);
    // The same request, answered whole by the server itself.
    const direct = (await (
      await fetch(`${server!.url}/completions`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ ...request.body, stream: false, stream_options: undefined }),
      })
    ).json()) as { choices: { text: string }[] };
    assert.strictEqual(outcome.result.text, direct.choices[0].text);
    assert.strictEqual(editor.document.getText(), original + outcome.result.text, 'the text went in at the cursor');
    assert.ok(lengths.size >= 2, `streamed in ${lengths.size} edit(s)`);
    const status = t.statusBarItem('inkwell.model')?.text ?? '';
    assert.match(status, /tiny-chat @ 127\.0\.0\.1:\d+/);
    await vscode.commands.executeCommand('undo');
    assert.strictEqual(editor.document.getText(), original, 'one Undo removed the whole continuation');
  });

  test('Rewrite Selection asks the server’s chat endpoint, and the diff holds the server’s own answer until Accept writes it', async () => {
    const editor = await openPost(POST);
    const doc = editor.document;
    const original = doc.getText();
    // The body's paragraph.
    const start = original.indexOf('Accuracy does not apply');
    const selected = original.slice(start).trimEnd();
    assert.ok(start > 0 && selected.length > 40, 'the sample post still has its paragraph');
    editor.selection = new vscode.Selection(doc.positionAt(start), doc.positionAt(start + selected.length));
    sent.length = 0;
    await withSettings({ 'generation.temperature': 0 }, async () => {
      const outcome = await vscode.commands.executeCommand<WritingOutcome>('inkwell.rewriteSelection', { style: 'grammar' });
      const request = sent.find((s) => s.path === '/v1/chat/completions');
      assert.ok(request, `Inkwell asked /v1/chat/completions: ${JSON.stringify(sent.map((s) => s.path))}`);
      const messages = request.body.messages as { role: string; content: string }[];
      assert.deepStrictEqual(
        messages.map((m) => m.role),
        ['system', 'user'],
      );
      assert.match(messages[1].content, /^Fix the spelling, grammar and punctuation of the text below\./);
      assert.ok(messages[1].content.endsWith(selected.trim()), 'the selection is in the request whole');
      assert.strictEqual(request.body.stream, true);
      const direct = (await (
        await fetch(`${server!.url}/chat/completions`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({ ...request.body, stream: false, stream_options: undefined }),
        })
      ).json()) as { choices: { message: { content: string } }[] };
      const expected = rewriteAnswer(direct.choices[0].message.content, selected);
      assert.ok(expected.trim() && expected !== selected, `the server proposed a change: ${JSON.stringify(expected)}`);
      assert.strictEqual(outcome, 'ready');
      assert.ok(!doc.isDirty && doc.getText() === original, 'the post is untouched until Accept');
      assert.ok(await vscode.commands.executeCommand('inkwell.acceptProposal'));
      assert.strictEqual(doc.getText(), original.slice(0, start) + expected + original.slice(start + selected.length));
      await vscode.commands.executeCommand('undo');
      await waitFor(() => doc.getText() === original, 'one Undo');
    });
  });

  test('Cancel closes the request: the server stops generating, what streamed stays', async () => {
    const editor = await editorAtEnd();
    const original = editor.document.getText();
    const before = server!.log().split('stop: cancel task').length;
    const running = vscode.commands.executeCommand<ContinuationOutcome>('inkwell.generateContinuation', {
      sampling: { temperature: 0 },
      maxTokens: 3000,
      stop: [],
    });
    await waitFor(() => editor.document.getText().length > original.length, 'the first text');
    await vscode.commands.executeCommand('inkwell.cancelGeneration');
    const outcome = await running;
    assert.ok(!outcome.ok && outcome.error.code === 'cancelled', JSON.stringify(outcome));
    await waitFor(() => server!.log().split('stop: cancel task').length > before, 'the server log to show the cancelled task', 5000);
    const kept = editor.document.getText();
    assert.ok(kept.startsWith(original) && kept.length > original.length, 'what streamed stays');
    assert.ok(kept.length - original.length < 3000 * 4, 'far fewer than 3000 tokens arrived');
  });

  test('Select Model lists the server’s models and writes the choice to inkwell.remote.model', async () => {
    await vscode.workspace.getConfiguration('inkwell').update('remote.model', '', vscode.ConfigurationTarget.Global);
    const picking = vscode.commands.executeCommand<string | undefined>('inkwell.selectModel', 'text');
    await waitFor(async () => {
      await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
      return vscode.workspace.getConfiguration('inkwell.remote').get('model') === 'tiny-chat';
    }, 'the choice to be written');
    assert.strictEqual(await picking, 'tiny-chat');
  });

  test('a server that is not running gets one clear message and leaves the post as it was', async () => {
    const cfg = vscode.workspace.getConfiguration('inkwell');
    const probe = http.createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const dead = `http://127.0.0.1:${(probe.address() as AddressInfo).port}/v1`;
    await new Promise((r) => probe.close(r));
    await cfg.update('remote.baseUrl', dead, vscode.ConfigurationTarget.Global);
    try {
      const editor = await editorAtEnd();
      const original = editor.document.getText();
      const outcome = await vscode.commands.executeCommand<ContinuationOutcome>('inkwell.generateContinuation', { maxTokens: 5 });
      assert.ok(!outcome.ok);
      assert.strictEqual(outcome.error.message, `Could not connect to ${dead}: is the server running?`);
      assert.strictEqual(editor.document.getText(), original);
    } finally {
      await cfg.update('remote.baseUrl', proxyUrl, vscode.ConfigurationTarget.Global);
    }
  });

  test('ghost text, when enabled, comes from the server too, and Tab accepts it', async () => {
    await withSettings(GHOST_TEXT_SETTINGS, async () => {
      const editor = await editorAtEnd();
      const doc = editor.document;
      const original = doc.getText();
      sent.length = 0;
      await vscode.commands.executeCommand('editor.action.inlineSuggest.trigger');
      await waitFor(
        async () => {
          await vscode.commands.executeCommand('editor.action.inlineSuggest.commit');
          return doc.getText() !== original;
        },
        'the ghost text to be accepted',
        30000,
      );
      assert.ok(doc.getText().startsWith(original), 'inserted at the cursor');
      assert.ok(
        sent.some((s) => s.path === '/v1/completions'),
        'the suggestion was asked of the server',
      );
    });
  });
});
