import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as vscode from 'vscode';
import type { ContinuationOutcome } from '../../src/features/text/continuation';
import type { DownloadModelArgs, DownloadModelOutcome } from '../../src/features/models/downloadModel';
import type { ModelCheckResult } from '../../src/runtime/protocol';
import type { WritingOutcome } from '../../src/features/text/rewrite';
import { CHAT_FAMILIES, writeChatModel } from '../support/chatModels';
import { startFakeHub, tinyLlamaRepo, type FakeHub, type FakeRepo } from '../unit/hub/fakeHub';
import { closeAll, inkwell, openPost, testing, waitFor } from './helpers';
import { repoRoot } from './repo';

const REPO = 'test-org/tiny-llama';
const CHAT_REPO = 'test-org/tiny-chat';

/** A hub repository of an instruct model: tiny-llama with Qwen2.5's chat template, its graph as the q4 variant. */
function chatRepo(): FakeRepo {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'inkwell-chat-repo-'));
  try {
    writeChatModel(
      dir,
      CHAT_FAMILIES.find((f) => f.name === 'Qwen2.5')!,
    );
    const read = (f: string) => fs.readFileSync(path.join(dir, f));
    const files = new Map([
      ['config.json', { content: read('config.json'), lfs: false }],
      ['generation_config.json', { content: read('generation_config.json'), lfs: false }],
      ['tokenizer.json', { content: read('tokenizer.json'), lfs: true }],
      ['tokenizer_config.json', { content: read('tokenizer_config.json'), lfs: false }],
      ['onnx/model_q4.onnx', { content: read('onnx/model.onnx'), lfs: true }],
    ]);
    return { commit: 'c'.repeat(40), files };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function download(args: DownloadModelArgs): Thenable<DownloadModelOutcome> {
  return vscode.commands.executeCommand<DownloadModelOutcome>('inkwell.downloadModel', args);
}

suite('Download Model', function () {
  let hub: FakeHub;
  let modelsDir: string;

  suiteSetup(async () => {
    await inkwell();
    hub = await startFakeHub({ [REPO]: tinyLlamaRepo(repoRoot()), [CHAT_REPO]: chatRepo() });
    modelsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'inkwell-download-it-'));
    const cfg = vscode.workspace.getConfiguration('inkwell.models');
    await cfg.update('paths', [modelsDir], vscode.ConfigurationTarget.Global);
    await cfg.update('hubEndpoint', hub.url, vscode.ConfigurationTarget.Global);
  });
  teardown(closeAll);
  suiteTeardown(async () => {
    const cfg = vscode.workspace.getConfiguration('inkwell.models');
    for (const key of ['paths', 'hubEndpoint', 'text', 'chat']) await cfg.update(key, undefined, vscode.ConfigurationTarget.Global);
    await hub?.close();
    if (modelsDir) fs.rmSync(modelsDir, { recursive: true, force: true });
  });

  test('downloads a model from the hub in the setting into the models folder, uses it, and it writes text into the post', async () => {
    const outcome = await download({ repo: REPO, dtype: 'q4', use: true });
    assert.ok(outcome.ok, JSON.stringify(outcome));
    assert.strictEqual(outcome.name, 'tiny-llama-q4');
    assert.strictEqual(outcome.dir, path.join(modelsDir, 'tiny-llama-q4'));
    assert.deepStrictEqual(fs.readdirSync(modelsDir), ['tiny-llama-q4'], 'nothing else is left in the models folder');
    // The hub's file name is kept (the folder loads in transformers.js as it is); Inkwell loads it by that name.
    assert.deepStrictEqual(fs.readdirSync(path.join(outcome.dir, 'onnx')), ['model_q4.onnx']);
    assert.ok(
      hub.requests.some((r) => r.url.endsWith('/resolve/' + 'a'.repeat(40) + '/onnx/model_q4.onnx')),
      'the q4 graph came from the local hub',
    );
    assert.strictEqual(
      vscode.workspace.getConfiguration('inkwell.models').get('text'),
      'tiny-llama-q4',
      '"Use this model" set the text model',
    );

    const editor = await openPost('posts/exploring-generative-ai.md');
    const end = editor.document.positionAt(editor.document.getText().length);
    editor.selection = new vscode.Selection(end, end);
    const before = editor.document.getText();
    const generated = await vscode.commands.executeCommand<ContinuationOutcome>('inkwell.generateContinuation', {
      maxTokens: 12,
      sampling: { greedy: true, temperature: 0, repetitionPenalty: 1 },
      stop: [],
    });
    assert.ok(generated.ok, JSON.stringify(generated));
    assert.ok(generated.result.tokenCount > 0);
    assert.strictEqual(editor.document.getText(), before + generated.result.text, 'the continuation went in at the cursor');
    const t = await testing();
    await waitFor(() => /tiny-llama-q4/.test(t.statusBarItem('inkwell.model')?.text ?? ''), 'the status bar to name the downloaded model');

    // The same request again finds the model in place and fetches no file.
    const count = hub.requests.length;
    const again = await download({ repo: REPO, dtype: 'q4', use: false });
    assert.ok(again.ok && again.alreadyPresent, JSON.stringify(again));
    assert.deepStrictEqual(
      hub.requests.slice(count).map((r) => r.url),
      [`/api/models/${REPO}/revision/main?blobs=true`],
    );
  });

  test('an instruct model downloads as one: it is offered for writing help, and then Summarize asks it', async function () {
    this.timeout(120_000);
    const t = await testing();
    const from = t.messages().length;
    const offered = await download({ repo: CHAT_REPO, dtype: 'q4' });
    assert.ok(offered.ok && offered.chat && !offered.usedForChat, JSON.stringify(offered));
    const message = await waitFor(
      () =>
        t
          .messages()
          .slice(from)
          .find((m) => m.message.startsWith('Downloaded test-org/tiny-chat')),
      'the message',
    );
    assert.match(message.message, /It is an instruct model: it can answer Suggest…, Rewrite Selection and Summarize/);
    assert.deepStrictEqual(message.items, ['Use for writing help', 'Use for continuation', 'Check Model']);
    // The writer's choice, as the button gives it.
    const used = await download({ repo: CHAT_REPO, dtype: 'q4', use: false, useForChat: true });
    assert.ok(used.ok && used.alreadyPresent && used.usedForChat, JSON.stringify(used));
    assert.strictEqual(vscode.workspace.getConfiguration('inkwell.models').get('chat'), 'tiny-chat-q4');
    const editor = await openPost('posts/exploring-generative-ai.md');
    const before = editor.document.getText();
    const progress = t.progress().length;
    assert.strictEqual(await vscode.commands.executeCommand<WritingOutcome>('inkwell.summarize', { place: 'end' }), 'ready');
    assert.ok(
      t
        .progress()
        .slice(progress)
        .some((p) => p.title === 'Summarizing with tiny-chat-q4…'),
    );
    assert.ok(await vscode.commands.executeCommand('inkwell.acceptProposal'));
    assert.ok(editor.document.getText().startsWith(before.trimEnd() + '\n\n**TL;DR:** '), 'the TL;DR is at the end');
    await vscode.commands.executeCommand('undo');
    await waitFor(() => editor.document.getText() === before, 'one Undo to remove it');
  });

  test('content that fails its SHA-256 check is reported and no model folder appears', async () => {
    hub.corrupt.add('onnx/model_quantized.onnx');
    try {
      const outcome = await download({ repo: REPO, dtype: 'q8', use: false });
      assert.ok(!outcome.ok && outcome.reason === 'failed', JSON.stringify(outcome));
      assert.match(outcome.message ?? '', /onnx\/model_quantized\.onnx has SHA-256 .* but the hub says/);
      assert.ok(!fs.existsSync(path.join(modelsDir, 'tiny-llama-q8')));
      const hidden = path.join(modelsDir, '.inkwell-download-tiny-llama-q8');
      assert.ok(
        !fs.existsSync(path.join(hidden, 'onnx', 'model_quantized.onnx')) &&
          !fs.existsSync(path.join(hidden, 'onnx', 'model_quantized.onnx.part')),
        'the damaged file is gone',
      );
    } finally {
      hub.corrupt.clear();
    }
  });

  test('Cancel Download stops a download in flight, keeps its data, and the next run resumes it with a Range request', async () => {
    const graph = 'onnx/model.onnx';
    const staging = path.join(modelsDir, '.inkwell-download-tiny-llama-fp32');
    const part = path.join(staging, 'onnx', 'model.onnx.part');
    const target = path.join(modelsDir, 'tiny-llama-fp32');
    const partSize = () => (fs.existsSync(part) ? fs.statSync(part).size : 0);
    const t = await testing();
    const progressBefore = t.progress().length;
    // The hub's CDN serves content by hash, and the q4 graph has the same bytes: throttle every path with them.
    const content = hub.repos.get(REPO)!.files.get(graph)!.content;
    const throttled = [...hub.repos.get(REPO)!.files].filter(([, f]) => f.content.equals(content)).map(([p]) => p);
    for (const p of throttled) hub.slow.add(p);
    let cancelled: DownloadModelOutcome;
    let stoppedAt: number;
    try {
      const first = download({ repo: REPO, dtype: 'fp32', use: false });
      // What a user sees: the graph's data growing in the resume cache, and the notification counting it.
      await waitFor(() => partSize() > 0, 'the graph to start arriving in the resume cache');
      const grown = partSize();
      await waitFor(() => partSize() > grown, 'more of the graph to arrive');
      const notification = await waitFor(
        () =>
          t
            .progress()
            .slice(progressBefore)
            .find((p) => p.title === `Downloading ${REPO}` && p.messages.some((m) => / · .*\/s · /.test(m))),
        'the notification to show bytes and a speed',
      );
      assert.ok(!notification.done, 'the notification is still up while the data arrives');
      const shown = notification.messages.filter((m) => / · /.test(m)).at(-1) ?? '';
      assert.match(
        shown,
        /^\d+(\.\d)? (B|kB|MB) of \d+(\.\d)? MB · \d+(\.\d)? (B|kB|MB)\/s · file \d+ of \d+$/,
        `bytes and a speed: ${shown}`,
      );

      await vscode.commands.executeCommand('inkwell.cancelDownload');
      cancelled = await first;
      stoppedAt = partSize();
      await waitFor(() => notification.done, 'the notification to close');
    } finally {
      hub.slow.clear();
    }
    assert.ok(!cancelled.ok && cancelled.reason === 'cancelled', JSON.stringify(cancelled));
    assert.match(cancelled.message ?? '', /Run Download Model again with the same choices to continue/);
    assert.ok(!fs.existsSync(target), 'no model folder appeared');
    const fullSize = content.length;
    assert.ok(stoppedAt > 0 && stoppedAt < fullSize, `the partial graph stays (${stoppedAt} of ${fullSize} bytes)`);

    const count = hub.requests.length;
    const outcome = await download({ repo: REPO, dtype: 'fp32', use: false });
    assert.ok(outcome.ok && !outcome.alreadyPresent, JSON.stringify(outcome));
    assert.strictEqual(outcome.dir, target);
    const resumed = hub.requests.slice(count).filter((r) => r.url.startsWith('/cdn/') && r.range !== undefined);
    assert.deepStrictEqual(
      resumed.map((r) => r.range),
      [`bytes=${stoppedAt}-`],
      'the graph continued where it stopped, and only the graph was resumed',
    );
    assert.ok(!fs.existsSync(staging), 'the resume cache is gone');
    assert.deepStrictEqual(
      fs.readFileSync(path.join(target, graph)),
      hub.repos.get(REPO)!.files.get(graph)!.content,
      'the graph is complete',
    );

    const check = await vscode.commands.executeCommand<ModelCheckResult | { error: string }>('inkwell.checkModel', {
      model: 'tiny-llama-fp32',
    });
    assert.ok('kind' in check && check.kind === 'text', JSON.stringify(check));
    assert.deepStrictEqual([check.file, check.dtype], [graph, 'fp32']);

    const editor = await openPost('posts/exploring-generative-ai.md');
    const end = editor.document.positionAt(editor.document.getText().length);
    editor.selection = new vscode.Selection(end, end);
    const before = editor.document.getText();
    const generated = await vscode.commands.executeCommand<ContinuationOutcome>('inkwell.generateContinuation', {
      model: 'tiny-llama-fp32',
      maxTokens: 8,
      sampling: { greedy: true, temperature: 0, repetitionPenalty: 1 },
      stop: [],
    });
    assert.ok(generated.ok && generated.result.tokenCount > 0, JSON.stringify(generated));
    assert.strictEqual(editor.document.getText(), before + generated.result.text, 'the resumed model wrote at the cursor');
  });

  test('without a network: says the hub cannot be reached, names the endpoint setting, and speaks of no continuing', async () => {
    const t = await testing();
    const cfg = vscode.workspace.getConfiguration('inkwell.models');
    // A host name that never resolves, as any host does with the network down.
    await cfg.update('hubEndpoint', 'https://hub.offline.invalid', vscode.ConfigurationTarget.Global);
    try {
      const before = t.messages().length;
      const outcome = await download({ repo: REPO, use: false });
      assert.ok(!outcome.ok && outcome.reason === 'failed', JSON.stringify(outcome));
      const shown = await waitFor(
        () =>
          t
            .messages()
            .slice(before)
            .find((m) => m.severity === 'error'),
        'the error notification',
      );
      assert.match(
        shown.message,
        /^Inkwell cannot reach the model hub at https:\/\/hub\.offline\.invalid\/? \((ENOTFOUND|EAI_AGAIN)\)\. Check the network connection; to use a mirror, set inkwell\.models\.hubEndpoint\.$/,
      );
      assert.doesNotMatch(shown.message, /continue|getaddrinfo/);
      assert.deepStrictEqual(shown.items, ['Open Setting', 'Show Log']);
      assert.strictEqual(outcome.message, shown.message);
    } finally {
      await cfg.update('hubEndpoint', hub.url, vscode.ConfigurationTarget.Global);
    }
  });

  test('explains an unknown repository', async () => {
    const outcome = await download({ repo: 'nobody/nothing', dtype: 'auto', use: false });
    assert.ok(!outcome.ok && outcome.reason === 'failed');
    assert.match(outcome.message ?? '', /nobody\/nothing does not exist, or it is private or gated/);
  });
});
