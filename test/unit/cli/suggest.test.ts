import * as assert from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { bundleForNode, repoRoot } from '../../support/bundle';
import { run as runSuggest } from '../../../src/cli/suggestCommand';
import { CHAT_FAMILIES, writeChatModel } from '../../support/chatModels';

interface Printed {
  kind: string;
  candidates: Array<{ text: string; source: string; score?: number; words?: string[] }>;
  note?: string;
}

describe('inkwell suggest (the built CLI in a child process)', function () {
  this.timeout(120_000);
  let dir: string;
  let cli: string;
  const blog = path.join(repoRoot, 'samples/blog');

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'inkwell-suggest-'));
    cli = await bundleForNode('src/cli/main.ts', path.join(dir, 'cli.js'));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  const run = (args: string[], cwd = blog) => {
    const r = spawnSync(process.execPath, [cli, 'suggest', ...args], { cwd, encoding: 'utf8', timeout: 60_000 });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  };
  const json = (stdout: string) => JSON.parse(stdout.trim().split('\n').at(-1)!) as Printed;

  it('prints titles, descriptions and tags for a sample post, each with its source', () => {
    const title = run(['title', 'posts/gans-in-one-afternoon.md']);
    assert.strictEqual(title.code, 0, title.stderr);
    assert.deepStrictEqual(title.stdout.split('\n'), [
      'Title suggestions for posts/gans-in-one-afternoon.md:',
      '  1. A generative adversarial network is two models locked in an…  (first-sentence)',
      '  2. Gans in one afternoon  (file-name)',
      '',
    ]);
    const description = run(['description', 'posts/notes-on-evaluation.md']);
    assert.match(description.stdout, /^ {2}1\. Accuracy does not apply when there is no single right answer\. .* {2}\(first-paragraph\)$/m);
    const tags = run(['tags', 'posts/gans-in-one-afternoon.md']);
    assert.match(
      tags.stdout,
      /^Tag suggestions for posts\/gans-in-one-afternoon\.md:\n {2}1\. \S+ {2}\(workspace-tags, score 0\.\d{3}: [a-z]+/,
    );
  });

  it('prints one JSON object on the last line with --json', () => {
    const r = run(['tags', 'posts/vae-latent-walks.md', '--json']);
    assert.strictEqual(r.code, 0, r.stderr);
    const printed = json(r.stdout);
    assert.strictEqual(printed.kind, 'tags');
    assert.ok(printed.candidates.length >= 1 && printed.candidates.length <= 5);
    for (const c of printed.candidates) {
      assert.strictEqual(c.source, 'workspace-tags');
      assert.ok(typeof c.score === 'number' && c.words!.length > 0);
      assert.ok(!['generative-ai', 'vae', 'machine-learning'].includes(c.text), c.text);
    }
    const title = json(run(['title', path.join(blog, 'posts/fine-tuning-gpt-on-your-posts.md'), '--json'], dir).stdout);
    assert.deepStrictEqual(title.candidates.at(-1), { text: 'Fine tuning gpt on your posts', source: 'file-name' });
  });

  it("uses the Jekyll site's excerpt_separator, found from the post's folder", () => {
    const site = path.join(dir, 'jekyll');
    fs.mkdirSync(path.join(site, '_posts'), { recursive: true });
    fs.writeFileSync(path.join(site, '_config.yml'), 'title: Blog\nexcerpt_separator: <!--cut-->\n');
    const post = path.join(site, '_posts', '2024-05-01-first-light.md');
    fs.writeFileSync(post, '---\ntitle: x\n---\nWe drove north before dawn.\n\nThe sky cleared at four.\n<!--cut-->\nMore.\n');
    const r = json(run(['description', post, '--json'], dir).stdout);
    assert.deepStrictEqual(r.candidates[0], { text: 'We drove north before dawn. The sky cleared at four.', source: 'jekyll-excerpt' });
    assert.strictEqual(json(run(['title', post, '--json'], dir).stdout).candidates.at(-1)!.text, 'First light');
  });

  it('says when a post has no body, and refuses --model for title and description', () => {
    const empty = path.join(dir, 'empty.md');
    fs.writeFileSync(empty, '---\ntitle: Empty\n---\n');
    const r = run(['description', empty], dir);
    assert.strictEqual(r.code, 0);
    assert.strictEqual(r.stdout, 'No description to suggest for empty.md: This post has no body to suggest from.\n');
    const model = run(['title', 'posts/vae-latent-walks.md', '--model', dir]);
    assert.strictEqual(model.code, 2);
    assert.strictEqual(model.stdout, '');
    assert.match(model.stderr, /--model is not supported for title yet \(only for tags\)/);
    assert.strictEqual(run(['headline', 'posts/vae-latent-walks.md']).code, 2);
    assert.match(run(['title', 'posts/missing.md']).stderr, /no such post: posts\/missing\.md/);
  });

  it("tags --model DIR: a chat model chooses only among the site's tags, labelled model, and the ranking follows", async () => {
    const qwen = CHAT_FAMILIES.find((f) => f.name === 'Qwen2.5')!;
    const model = writeChatModel(path.join(dir, 'qwen'), qwen).dir;
    // The site's tags without the post's own (generative-ai, vae, machine-learning, in any spelling).
    const taxonomy = ['data-science', 'artificial-intelligence', 'gpt', 'writing', 'gan', 'evaluation'];
    // In this process: the bundle, in a temporary folder, would not find ONNX Runtime's native module.
    const lines: string[] = [];
    const errors: string[] = [];
    const code = await runSuggest(['tags', 'posts/vae-latent-walks.md', '--model', model, '--json'], {
      out: (l) => lines.push(l),
      err: (l) => errors.push(l),
      cwd: blog,
    });
    assert.strictEqual(code, 0, errors.join('\n'));
    const printed = JSON.parse(lines.at(-1)!) as Printed;
    assert.strictEqual(printed.kind, 'tags');
    const fromModel = printed.candidates.filter((c) => c.source === 'model');
    assert.ok(fromModel.length >= 1 && fromModel.length <= 5, JSON.stringify(printed));
    assert.deepStrictEqual(printed.candidates.slice(0, fromModel.length), fromModel, "the model's tags come first");
    for (const c of fromModel) {
      assert.ok(taxonomy.includes(c.text), `${c.text} is not a tag of the site`);
      assert.deepStrictEqual(Object.keys(c), ['text', 'source']);
    }
    assert.strictEqual(new Set(printed.candidates.map((c) => c.text.toLowerCase())).size, printed.candidates.length, 'no tag twice');
    for (const c of printed.candidates.slice(fromModel.length)) {
      assert.strictEqual(c.source, 'workspace-tags');
      assert.ok(taxonomy.includes(c.text) && typeof c.score === 'number', c.text);
    }
    // tiny-llama takes 256 tokens: most of the post is left out, and the note says so.
    assert.match(printed.note ?? '', /^The model read the first \d+ of the post's \d+ characters; the rest was left out\./);
  });
});
