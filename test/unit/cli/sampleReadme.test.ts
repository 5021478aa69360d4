/**
 * The sample blog's README promises the problems a newcomer will see; `inkwell check`
 * (the same rules as the editor) must report exactly those, post by post.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { run, JsonProblem } from '../../../src/cli/check';

const BLOG = path.resolve(__dirname, '../../../samples/blog');

/** Post file name -> problem codes the README lists for it (`code` in backticks on its sub-items). */
function promised(readme: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  let post: string | undefined;
  for (const line of readme.split('\n')) {
    const top = /^- `([^`]+\.md)`/.exec(line);
    if (top) {
      post = top[1];
      out.set(post, []);
      continue;
    }
    const item = /^ {2}- (.*)$/.exec(line);
    if (item && post) {
      const code = /\(`([a-z-]+)`\)[;.]?$/.exec(item[1]);
      assert.ok(code, `README promises "${item[1]}" for ${post} without naming the problem code`);
      out.get(post)!.push(code[1]);
    }
  }
  return out;
}

describe('samples/blog README', () => {
  it('lists exactly the problems `inkwell check` reports for each sample post', async () => {
    const out: string[] = [];
    await run(['--format', 'json'], { out: (l) => out.push(l), err: () => undefined, cwd: BLOG });
    const report = JSON.parse(out.join('\n')) as { problems: JsonProblem[] };
    const promises = promised(fs.readFileSync(path.join(BLOG, 'README.md'), 'utf8'));
    const posts = fs
      .readdirSync(path.join(BLOG, 'posts'))
      .filter((f) => f.endsWith('.md'))
      .sort();
    assert.deepStrictEqual([...promises.keys()].sort(), posts, 'the README covers every sample post');
    for (const post of posts) {
      const found = report.problems
        .filter((p) => p.file === `posts/${post}`)
        .map((p) => p.code)
        .sort();
      assert.deepStrictEqual(found, [...promises.get(post)!].sort(), `${post}: what the README promises and what is reported`);
    }
  });
});
