import * as assert from 'assert';
import { PostIndex, PostIndexChange } from '../../../src/core/posts/postIndex';

const post = (tags: string[], extra = '') => `---\ntitle: A post\ndate: 2023-05-08\ntags: [${tags.join(', ')}]\n${extra}---\nBody\n`;

describe('PostIndex', () => {
  it('counts tags per post and orders them by use', () => {
    const index = new PostIndex();
    index.upsert('a', post(['gan', 'ml']));
    index.upsert('b', post(['ml']));
    index.upsert('c', post(['ml', 'vae', 'ml']));
    assert.deepStrictEqual(index.tags(), [
      { tag: 'ml', count: 3 },
      { tag: 'gan', count: 1 },
      { tag: 'vae', count: 1 },
    ]);
    assert.deepStrictEqual(
      index.postsByTag('gan').map((p) => p.id),
      ['a'],
    );
    assert.strictEqual(index.get('c')?.title, 'A post');
  });

  it('updates incrementally on upsert and remove', () => {
    const index = new PostIndex();
    const changes: PostIndexChange[] = [];
    index.onDidChange((c) => changes.push(c));
    index.upsert('a', post(['gan']));
    index.upsert('a', post(['vae']));
    assert.strictEqual(index.tagCount('gan'), 0);
    assert.strictEqual(index.tagCount('vae'), 1);
    index.upsert('a', post(['vae'], 'draft: true\n'));
    assert.deepStrictEqual(
      changes.map((c) => (c.kind === 'bulk' ? 'bulk' : `${c.kind}:${c.tagsChanged}`)),
      ['upsert:true', 'upsert:true', 'upsert:false'],
    );
    assert.strictEqual(index.get('a')?.draft, true);
    assert.ok(index.remove('a'));
    assert.strictEqual(index.remove('a'), false);
    assert.deepStrictEqual(index.tags(), []);
    assert.strictEqual(index.size, 0);
  });

  it('reports a transaction as one bulk change', () => {
    const index = new PostIndex();
    const changes: PostIndexChange[] = [];
    index.onDidChange((c) => changes.push(c));
    index.transaction(() => {
      for (let i = 0; i < 5; i++) index.upsert(`p${i}`, post(['x']));
    });
    assert.strictEqual(changes.length, 1);
    assert.deepStrictEqual(changes[0], { kind: 'bulk', ids: ['p0', 'p1', 'p2', 'p3', 'p4'], tagsChanged: true });
  });

  it('prefers the most used spelling of a tag and never flips on a tie', () => {
    const index = new PostIndex();
    index.upsert('a', post(['machine-learning']));
    index.upsert('b', post(['machine-learning']));
    index.upsert('c', post(['Machine Learning']));
    assert.strictEqual(index.preferredSpelling('Machine Learning', 'c'), 'machine-learning');
    assert.strictEqual(index.preferredSpelling('machine-learning', 'a'), undefined);
    // A tie: the slug-like spelling wins, so only one of the two posts is told to change.
    const tie = new PostIndex();
    tie.upsert('x', post(['ML']));
    tie.upsert('y', post(['ml']));
    assert.strictEqual(tie.preferredSpelling('ML', 'x'), 'ml');
    assert.strictEqual(tie.preferredSpelling('ml', 'y'), undefined);
  });

  it('ignores a variant used only by the post itself', () => {
    const index = new PostIndex();
    index.upsert('a', post(['ml', 'ML']));
    assert.strictEqual(index.preferredSpelling('ML', 'a'), undefined);
  });

  it('knows the date style most posts use', () => {
    const index = new PostIndex();
    index.upsert('a', '---\ndate: 2023-05-08 10:00:00\n---\n');
    index.upsert('b', '---\ndate: 2023-05-09 11:00:00\n---\n');
    index.upsert('c', '---\ndate: 2023-05-10\n---\n');
    assert.strictEqual(index.preferredDateStyle(), 'datetime-space');
    index.remove('a');
    index.remove('b');
    assert.strictEqual(index.preferredDateStyle(), 'date');
  });

  it('orders posts of a tag newest first', () => {
    const index = new PostIndex();
    index.upsert('old', '---\ndate: 2020-01-01\ntags: [t]\n---\n');
    index.upsert('new', '---\ndate: 2024-01-01\ntags: [t]\n---\n');
    index.upsert('undated', '---\ntags: [t]\n---\n');
    assert.deepStrictEqual(
      index.postsByTag('t').map((p) => p.id),
      ['new', 'old', 'undated'],
    );
  });
});
