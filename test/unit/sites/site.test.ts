import * as assert from 'assert';
import { parseFrontmatter } from '../../../src/core/frontmatter/parse';
import { validatePost } from '../../../src/core/frontmatter/validate';
import { readingStats } from '../../../src/core/posts/readingTime';
import { detectGenerator } from '../../../src/core/site/detect';
import { loadSite } from '../../../src/core/site/site';
import { updatedDateEdit } from '../../../src/core/site/updatedDate';
import { applyEdits } from '../../../src/core/tags/renameTag';

describe('site generators: detection, conventions, reading time, updated date', () => {
  it('detects each generator from file names and config keys, and nothing from a plain folder', () => {
    const d = (entries: string[], contents: Record<string, string> = {}) => detectGenerator({ entries, contents })?.id;
    assert.strictEqual(d(['hugo.toml', 'content/']), 'hugo');
    assert.strictEqual(d(['config.toml'], { 'config.toml': "baseURL = 'https://x.org/'\n" }), 'hugo');
    assert.strictEqual(d(['config.toml'], { 'config.toml': 'name = "not hugo"\n' }), undefined);
    assert.strictEqual(d(['_config.yml', '_posts/']), 'jekyll');
    assert.strictEqual(d(['_config.yml', 'source/_posts/'], { '_config.yml': 'new_post_name: :title.md\n' }), 'hexo');
    assert.strictEqual(d(['astro.config.mjs', 'src/content/']), 'astro');
    assert.strictEqual(d(['eleventy.config.js']), 'eleventy');
    assert.strictEqual(d(['.eleventy.js']), 'eleventy');
    assert.strictEqual(d(['docusaurus.config.ts', 'blog/']), 'docusaurus');
    assert.strictEqual(d(['README.md', 'posts/']), undefined);
    assert.deepStrictEqual(
      detectGenerator({ entries: ['hugo.yaml'], contents: { 'hugo.yaml': 'contentDir: posts\nstaticDir: assets\n' } }),
      { id: 'hugo', evidence: 'hugo.yaml', contentDir: 'posts', staticFolders: ['assets'] },
    );
  });

  it("the setting overrides detection; the user's include globs and static folders win over the generator's", async () => {
    const listing = { entries: ['hugo.toml', 'content/'], contents: {} };
    const hugo = await loadSite(listing, { generator: 'auto', exclude: [] });
    assert.strictEqual(hugo.info?.id, 'hugo');
    assert.deepStrictEqual(hugo.staticFolders, ['static']);
    assert.deepStrictEqual(hugo.include, ['content/**/*.md', 'content/**/*.markdown']);
    const jekyll = await loadSite(listing, { generator: 'jekyll', exclude: [], include: ['posts/*.md'], staticFolders: ['assets'] });
    assert.strictEqual(jekyll.info?.id, 'jekyll');
    assert.ok(jekyll.fromSetting);
    assert.deepStrictEqual([jekyll.include, jekyll.staticFolders], [['posts/*.md'], ['assets']]);
    const none = await loadSite(listing, { generator: 'none', exclude: [] });
    assert.strictEqual(none.info, undefined);
  });

  it("validation follows the generator: its unknown keys, its fields' types, its checks", async () => {
    const site = await loadSite({ entries: ['hugo.toml'], contents: {} }, { generator: 'auto', exclude: [] });
    const text = '---\ntitle: T\ndate: 2023-05-08\nweight: heavy\nexpiryDate: 2020-01-01\nlayuot: post\nmood: calm\n---\n';
    const problems = validatePost(text, site.validation('content/posts/a.md', { flagUnknownKeys: true }));
    const codes = problems.map((p) => `${p.code}:${text.slice(p.start, p.end)}`);
    assert.ok(codes.includes('schema-violation:heavy'), codes.join());
    assert.ok(codes.includes('post-not-built:2020-01-01'), codes.join());
    assert.ok(codes.includes('unknown-key:mood'), codes.join());
    assert.ok(problems.find((p) => p.code === 'unknown-key')!.message.includes('Hugo front matter does not define it'));
    // A likely typo of one of Hugo's fields says which one.
    assert.ok(codes.includes('key-typo:layuot'), codes.join());
    assert.strictEqual(problems.find((p) => p.code === 'key-typo')!.message, 'Unknown field "layuot": did you mean "layout"?');
  });

  it('counts the words a reader reads', () => {
    const text =
      '---\ntitle: Not counted\n---\n# Heading here\n\nOne two [three](http://x.org/a b) <b>four</b>.\n\n```js\nconst notCounted = 1;\n```\n';
    assert.deepStrictEqual(readingStats(text), { words: 6, minutes: 1 });
    assert.strictEqual(readingStats('---\nt: x\n---\n').words, 0);
    assert.strictEqual(readingStats(Array(461).fill('word').join(' ')).minutes, 2);
  });

  it("sets the last-updated field in the post's date style, adding it when missing", () => {
    const now = new Date(Date.UTC(2024, 0, 2, 3, 4, 5));
    const yaml = '---\ntitle: T\ndate: 2023-05-08\nlastmod: 2023-06-01\n---\nBody\n';
    assert.strictEqual(applyEdits(yaml, [updatedDateEdit(yaml, 'lastmod', now)!]), yaml.replace('2023-06-01', '2024-01-02'));
    const missing = '---\ntitle: T\ndate: 2023-05-08\n---\n';
    assert.strictEqual(
      applyEdits(missing, [updatedDateEdit(missing, 'updated', now)!]),
      '---\ntitle: T\ndate: 2023-05-08\nupdated: 2024-01-02\n---\n',
    );
    const toml = '+++\ntitle = "T"\ndate = 2023-05-08T09:00:00Z\n[params]\nx = 1\n+++\n';
    const t = applyEdits(toml, [updatedDateEdit(toml, 'lastmod', now)!]);
    assert.strictEqual(parseFrontmatter(t).data.lastmod, '2024-01-02T03:04:05Z');
    const docu = '---\ntitle: T\nlast_update:\n  date: 2023-01-01\n  author: me\n---\n';
    assert.strictEqual(applyEdits(docu, [updatedDateEdit(docu, 'last_update.date', now)!]), docu.replace('2023-01-01', '2024-01-02'));
    assert.strictEqual(updatedDateEdit('---\nlastmod: 2024-01-02\n---\n', 'lastmod', now), undefined);
  });
});
