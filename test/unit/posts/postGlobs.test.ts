import * as assert from 'assert';
import { createPostMatcher, DEFAULT_POST_EXCLUDE, DEFAULT_POST_INCLUDE } from '../../../src/core/posts/postGlobs';
import { checkPosts } from '../../../src/core/posts/checkPosts';
import { ProblemCode } from '../../../src/core/frontmatter/problemCodes';

describe('post globs', () => {
  it('match posts with the default include and exclude settings', () => {
    const isPost = createPostMatcher(DEFAULT_POST_INCLUDE, DEFAULT_POST_EXCLUDE);
    assert.ok(isPost('posts/a.md'));
    assert.ok(isPost('content/blog/2023/b.markdown'));
    assert.ok(isPost('top.md'));
    assert.ok(!isPost('README.md'));
    assert.ok(!isPost('docs/CHANGELOG.md'));
    assert.ok(!isPost('node_modules/pkg/x.md'));
    assert.ok(!isPost('posts/a.txt'));
    assert.ok(isPost('posts\\windows.md'), 'backslashes are normalised');
  });

  it('honour custom globs', () => {
    const isPost = createPostMatcher(['content/**/*.md'], ['**/_*.md']);
    assert.ok(isPost('content/x/a.md'));
    assert.ok(!isPost('content/x/_index.md'));
    assert.ok(!isPost('other/a.md'));
  });
});

describe('checkPosts', () => {
  it('judges each post against the tags of all of them, and reports only what is asked', () => {
    const post = (tags: string) =>
      `---\ntitle: T\ndate: 2023-01-01\ndescription: A description that is long enough to be a useful summary in search.\ntags: [${tags}]\n---\n`;
    const sources = [
      { path: '/s/a.md', text: post('machine-learning') },
      { path: '/s/b.md', text: post('machine-learning') },
      { path: '/s/c.md', text: post('Machine Learning') },
      { path: '/s/d.md', text: '', skippedSize: 9e6 },
      { path: '/s/e.md', text: post('x'), invalidUtf8: true },
    ];
    const all = checkPosts(sources);
    assert.deepStrictEqual(
      all.map((r) => [r.path, r.problems.map((p) => p.code)]),
      [
        ['/s/a.md', []],
        ['/s/b.md', []],
        ['/s/c.md', [ProblemCode.TagVariant]],
        ['/s/d.md', [ProblemCode.FileTooLarge]],
        ['/s/e.md', [ProblemCode.InvalidEncoding]],
      ],
    );
    const some = checkPosts(sources, {}, (p) => p === '/s/c.md');
    assert.deepStrictEqual(
      some.map((r) => r.path),
      ['/s/c.md'],
    );
    assert.strictEqual(some[0].problems[0].code, ProblemCode.TagVariant);
  });
});
