import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { run } from '../../../src/cli/continue';
import type { CliIo } from '../../../src/cli/io';
import { expectedFor, modelsDir } from './fixtures';

function capture(): CliIo & { lines: string[]; errors: string[] } {
  const lines: string[] = [];
  const errors: string[] = [];
  return { lines, errors, out: (l) => lines.push(l), err: (l) => errors.push(l), cwd: modelsDir };
}

describe('inkwell continue (CLI)', () => {
  it('--json prints the prompt ids, the generated ids and the text, equal to PyTorch greedy', async () => {
    const c = expectedFor('tiny-llama').cases[0];
    const io = capture();
    const code = await run(
      ['--model', 'tiny-llama', '--prompt', c.prompt, '--greedy', '--max-tokens', '24', '--mid-sentence', '--json'],
      io,
    );
    assert.strictEqual(code, 0, io.errors.join('\n'));
    const out = JSON.parse(io.lines.join('\n')) as Record<string, unknown>;
    assert.deepStrictEqual(Object.keys(out).sort(), [
      'dtype',
      'file',
      'max_tokens',
      'model',
      'prompt_tokens',
      'sampling',
      'stop',
      'stop_reason',
      'text',
      'tokens',
      'tokens_per_s',
      'ttft_ms',
    ]);
    assert.strictEqual(out.stop_reason, 'max-tokens');
    assert.deepStrictEqual([out.file, out.dtype], ['onnx/model.onnx', 'fp32']);
    assert.strictEqual(out.model, path.join(modelsDir, 'tiny-llama'));
    assert.deepStrictEqual(out.prompt_tokens, c.prompt_ids);
    assert.deepStrictEqual(out.tokens, c.greedy_ids);
    assert.ok(typeof out.text === 'string' && out.text.length > 0);
    assert.ok((out.tokens_per_s as number) > 0 && (out.ttft_ms as number) > 0);
  });

  it('gives the same text for the same seed and stops before a stop sequence', async () => {
    const args = [
      '--model',
      path.join(modelsDir, 'tiny-gpt2'),
      '--prompt',
      'Seeded run',
      '--temperature',
      '1.2',
      '--top-k',
      '50',
      '--top-p',
      '0.9',
      '--seed',
      '7',
      '--max-tokens',
      '16',
      '--json',
    ];
    const a = capture();
    const b = capture();
    await run(args, a);
    await run(args, b);
    const first = JSON.parse(a.lines[0]) as { tokens: number[]; text: string };
    assert.deepStrictEqual((JSON.parse(b.lines[0]) as { tokens: number[] }).tokens, first.tokens);
    // Stop at a piece of the text the same seed produces: the output ends right before it.
    const stopAt = first.text.slice(Math.floor(first.text.length / 2), Math.floor(first.text.length / 2) + 3);
    const c = capture();
    await run([...args, '--stop', stopAt], c);
    const stopped = JSON.parse(c.lines[0]) as { text: string };
    assert.strictEqual(stopped.text, first.text.slice(0, first.text.indexOf(stopAt)));
  });

  it('--min-p 1 leaves only the most likely token: sampling then gives the greedy text; the report names min-p', async () => {
    const base = ['--model', path.join(modelsDir, 'tiny-gpt2'), '--prompt', 'Min-p run', '--max-tokens', '16', '--mid-sentence', '--json'];
    const greedy = capture();
    assert.strictEqual(await run([...base, '--greedy'], greedy), 0, greedy.errors.join('\n'));
    const sampled = capture();
    const args = [...base, '--temperature', '1.5', '--top-k', '0', '--top-p', '1', '--repetition-penalty', '1', '--seed', '5'];
    assert.strictEqual(await run([...args, '--min-p', '1'], sampled), 0, sampled.errors.join('\n'));
    const out = JSON.parse(sampled.lines[0]) as { tokens: number[]; sampling: { minP: number } };
    assert.strictEqual(out.sampling.minP, 1);
    assert.deepStrictEqual(out.tokens, (JSON.parse(greedy.lines[0]) as { tokens: number[] }).tokens);
    const free = capture();
    await run([...args, '--min-p', '0'], free);
    assert.notDeepStrictEqual(
      (JSON.parse(free.lines[0]) as { tokens: number[] }).tokens,
      out.tokens,
      'without min-p the same seed samples other tokens',
    );
    const bad = capture();
    assert.strictEqual(await run([...base, '--min-p', '1.5'], bad), 2);
    assert.match(bad.errors[0], /--min-p must be a number from 0 to 1/);
  });

  it('explains bad options and missing models', async () => {
    const io = capture();
    assert.strictEqual(await run(['--prompt', 'x', '--greedy', '--seed', '3'], io), 2);
    assert.match(io.errors[0], /--greedy cannot be combined/);
    const missing = capture();
    assert.strictEqual(await run(['--model', './nope', '--prompt', 'x'], missing), 1);
    assert.match(missing.errors[0], /Model folder not found: .*nope/);
    const blank = capture();
    assert.strictEqual(await run(['--model', 'tiny-gpt2', '--prompt', '  \n'], blank), 1);
    assert.match(blank.errors[0], /The prompt is empty: there is nothing to continue/);
    const help = capture();
    assert.strictEqual(await run(['--help'], help), 0);
    assert.match(help.lines[0], /--prompt-file/);
  });
  it('--speculative prompt-lookup gives the tokens of --speculative off under --greedy, and --json counts the drafts', async () => {
    const prompt = 'The lamp is on the desk. The book is on the shelf. The lamp is on the desk. The book is on the';
    const base = [
      '--model',
      'tiny-gpt2',
      '--prompt',
      prompt,
      '--greedy',
      '--max-tokens',
      '60',
      '--mid-sentence',
      '--threads',
      '1',
      '--json',
    ];
    const outputs: Array<{ tokens: number[]; text: string; draft?: { proposed: number; accepted: number } }> = [];
    for (const mode of ['off', 'prompt-lookup', 'auto']) {
      const io = capture();
      assert.strictEqual(await run([...base, '--speculative', mode], io), 0, io.errors.join('\n'));
      outputs.push(JSON.parse(io.lines[0]) as (typeof outputs)[number]);
    }
    const [off, lookup, auto] = outputs;
    assert.strictEqual(off.draft, undefined, 'no draft counts when speculation is off');
    for (const fast of [lookup, auto]) {
      assert.deepStrictEqual(fast.tokens, off.tokens);
      assert.strictEqual(fast.text, off.text);
    }
    assert.ok(lookup.draft && lookup.draft.proposed > 0 && lookup.draft.accepted > 0, JSON.stringify(lookup.draft));
    assert.ok(lookup.draft.accepted <= lookup.draft.proposed);
    assert.ok(auto.draft, 'auto reports its drafts too');
  });

  it('--speculative with sampling: drafts are counted and the same seed repeats; an unknown mode is a usage error', async () => {
    const args = ['--model', 'tiny-gpt2', '--prompt', 'a b a b a b', '--seed', '3', '--max-tokens', '12', '--json'];
    const runs = [capture(), capture()];
    for (const io of runs) assert.strictEqual(await run([...args, '--speculative', 'prompt-lookup'], io), 0);
    const [a, b] = runs.map((io) => JSON.parse(io.lines[0]) as { tokens: number[]; draft?: { proposed: number; accepted: number } });
    assert.deepStrictEqual(a.tokens, b.tokens, 'the same seed, the same tokens');
    assert.ok(a.draft && a.draft.proposed >= 0 && a.draft.accepted <= a.draft.proposed, JSON.stringify(a.draft));
    const bad = capture();
    assert.strictEqual(await run([...args, '--speculative', 'medusa'], bad), 2);
    assert.match(bad.errors[0], /--speculative must be one of off, auto, prompt-lookup/);
    const help = capture();
    await run(['--help'], help);
    assert.match(help.lines[0], /--speculative MODE/);
  });
});

describe('inkwell continue --model-cache', () => {
  const args = ['--model', 'tiny-llama', '--prompt', 'The lamp is on the', '--greedy', '--max-tokens', '12', '--mid-sentence', '--json'];
  const entries = (dir: string) =>
    fs.existsSync(dir) ? fs.readdirSync(dir).filter((n) => fs.existsSync(path.join(dir, n, 'entry.json'))) : [];

  it('keeps the optimized graph in the folder given, and the second run, opened from it, prints the same tokens', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'inkwell-cli-cache-'));
    try {
      const first = capture();
      assert.strictEqual(await run([...args, '--model-cache', dir], first), 0, first.errors.join('\n'));
      assert.strictEqual(entries(dir).length, 1, 'one optimized graph saved');
      const stamp = fs.statSync(path.join(dir, entries(dir)[0], 'model.onnx')).mtimeMs;
      const second = capture();
      assert.strictEqual(await run([...args, '--model-cache', dir], second), 0, second.errors.join('\n'));
      const tokens = (io: { lines: string[] }) => (JSON.parse(io.lines.join('\n')) as { tokens: number[] }).tokens;
      assert.deepStrictEqual(tokens(second), tokens(first));
      assert.strictEqual(entries(dir).length, 1, 'nothing new saved');
      assert.strictEqual(
        fs.statSync(path.join(dir, entries(dir)[0], 'model.onnx')).mtimeMs,
        stamp,
        'the saved graph was reused, not rewritten',
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('off (option or INKWELL_MODEL_CACHE) keeps nothing; the environment names the default folder', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'inkwell-cli-cache-'));
    const saved = process.env.INKWELL_MODEL_CACHE;
    try {
      process.env.INKWELL_MODEL_CACHE = dir;
      const off = capture();
      assert.strictEqual(await run([...args, '--model-cache', 'off'], off), 0, off.errors.join('\n'));
      assert.deepStrictEqual(entries(dir), [], '--model-cache off');
      const byEnv = capture();
      assert.strictEqual(await run(args, byEnv), 0, byEnv.errors.join('\n'));
      assert.strictEqual(entries(dir).length, 1, 'INKWELL_MODEL_CACHE names the folder');
      fs.rmSync(dir, { recursive: true, force: true });
      process.env.INKWELL_MODEL_CACHE = 'off';
      const envOff = capture();
      assert.strictEqual(await run(args, envOff), 0, envOff.errors.join('\n'));
      assert.ok(!fs.existsSync(dir), 'INKWELL_MODEL_CACHE=off');
    } finally {
      if (saved === undefined) delete process.env.INKWELL_MODEL_CACHE;
      else process.env.INKWELL_MODEL_CACHE = saved;
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('inkwell continue --draft-model', () => {
  const base = [
    '--model',
    'tiny-gpt2',
    '--prompt',
    'Writing a blog post in Markdown is',
    '--greedy',
    '--max-tokens',
    '24',
    '--mid-sentence',
    '--json',
  ];
  const json = (io: { lines: string[] }) =>
    JSON.parse(io.lines.join('\n')) as { tokens: number[]; draft?: { proposed: number; accepted: number }; draft_model?: string };

  it('drafts with the draft model (speculative draft by default) and prints the tokens plain decoding gives', async () => {
    const plain = capture();
    assert.strictEqual(await run(base, plain), 0, plain.errors.join('\n'));
    const drafted = capture();
    assert.strictEqual(await run([...base, '--draft-model', 'tiny-llama'], drafted), 0, drafted.errors.join('\n'));
    assert.deepStrictEqual(json(drafted).tokens, json(plain).tokens);
    assert.ok((json(drafted).draft?.proposed ?? 0) > 0, JSON.stringify(json(drafted).draft));
    assert.strictEqual(json(drafted).draft_model, path.join(modelsDir, 'tiny-llama'));
  });

  it('refuses --speculative draft without a draft model (usage), and a draft model with another tokenizer (in words)', async () => {
    const usage = capture();
    assert.strictEqual(await run([...base, '--speculative', 'draft'], usage), 2);
    assert.match(usage.errors.join('\n'), /--speculative draft needs --draft-model/);
    const other = capture();
    assert.strictEqual(await run([...base, '--draft-model', path.join(modelsDir, 'parity', 'qwen2')], other), 1);
    assert.match(other.errors.join('\n'), /inkwell continue: .*qwen2 cannot draft for .*tiny-gpt2: their tokenizers differ/);
  });
});
