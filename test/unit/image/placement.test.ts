import * as assert from 'assert';
import {
  expandPathTemplate,
  frontmatterImageEdit,
  frontmatterTitle,
  imageLinkAt,
  markdownImage,
  numberedPlacement,
  placeImage,
  postSlug,
  resolveImageLink,
} from '../../../src/generation/image/placement';

const vars = { slug: 'gans-in-one-afternoon', seed: 42, model: 'inkwell-gan', date: '2024-01-02' };

function apply(text: string, link: string): string | undefined {
  const edit = frontmatterImageEdit(text, link);
  return edit && text.slice(0, edit.start) + edit.newText + text.slice(edit.end);
}

describe('image placement', () => {
  it('expands the default template relative to the post', () => {
    const expanded = expandPathTemplate('images/${slug}-${seed}.png', vars);
    assert.strictEqual(expanded, 'images/gans-in-one-afternoon-42.png');
    assert.deepStrictEqual(placeImage(expanded, 'posts/gans-in-one-afternoon.md', 'static'), {
      file: 'posts/images/gans-in-one-afternoon-42.png',
      link: 'images/gans-in-one-afternoon-42.png',
      siteRoot: false,
    });
  });

  it('puts a site-root template into the static folder and links it from the root', () => {
    const expanded = expandPathTemplate('/uploads/${date}/${model}-${seed}', vars);
    assert.deepStrictEqual(placeImage(expanded, 'posts/a.md', 'static'), {
      file: 'static/uploads/2024-01-02/inkwell-gan-42.png',
      link: '/uploads/2024-01-02/inkwell-gan-42.png',
      siteRoot: true,
    });
    assert.strictEqual(placeImage(expanded, 'posts/a.md', '.').file, 'uploads/2024-01-02/inkwell-gan-42.png');
  });

  it('rejects unknown variables and paths that leave the workspace', () => {
    assert.throws(
      () => expandPathTemplate('images/${title}.png', vars),
      /Unknown variable \$\{title\} .*Use \$\{slug\}, \$\{seed\}, \$\{model\}, \$\{date\}/,
    );
    assert.throws(() => placeImage('../../x.png', 'posts/a.md', 'static'), /points outside the workspace folder/);
    assert.throws(() => expandPathTemplate('images/', vars), /does not name a file/);
  });

  it('keeps variable values to one path segment', () => {
    assert.strictEqual(expandPathTemplate('${model}.png', { ...vars, model: '../evil name' }), '-evil-name.png');
  });

  it('numbers alternatives when a file exists, in the file and the link', () => {
    const p = placeImage('images/a-1.png', 'posts/x.md', 'static');
    assert.deepStrictEqual(numberedPlacement(p, 2), { file: 'posts/images/a-1-2.png', link: 'images/a-1-2.png', siteRoot: false });
  });

  it('slugs come from the file name, or the folder of an index.md bundle', () => {
    assert.strictEqual(postSlug('posts/gans-in-one-afternoon.md'), 'gans-in-one-afternoon');
    assert.strictEqual(postSlug('content/posts/my-trip/index.md'), 'my-trip');
  });

  it('writes Markdown image syntax that survives odd alt text and links', () => {
    assert.strictEqual(markdownImage('A [GAN] sample', 'images/a.png'), '![A \\[GAN\\] sample](images/a.png)');
    assert.strictEqual(markdownImage('x', 'my images/a (1).png'), '![x](<my images/a (1).png>)');
  });
});

describe('frontmatter image edit', () => {
  it('adds image to YAML frontmatter that has none', () => {
    assert.strictEqual(apply('---\ntitle: A\n---\nBody\n', '/uploads/a.png'), '---\ntitle: A\nimage: /uploads/a.png\n---\nBody\n');
  });

  it('fills an empty YAML image, keeping CRLF line ends', () => {
    assert.strictEqual(
      apply('---\r\ntitle: A\r\nimage: ""\r\n---\r\n', 'images/a.png'),
      '---\r\ntitle: A\r\nimage: images/a.png\r\n---\r\n',
    );
    assert.strictEqual(apply('---\nimage:\ntitle: A\n---\n', 'images/a.png'), '---\nimage: images/a.png\ntitle: A\n---\n');
    assert.strictEqual(apply('---\nimage: ~ # none yet\n---\n', 'a b.png'), '---\nimage: "a b.png"\n---\n');
  });

  it('leaves an image that is already set alone', () => {
    assert.strictEqual(frontmatterImageEdit('---\nimage: /uploads/gan-grid.png\n---\n', 'x.png'), undefined);
    assert.strictEqual(frontmatterImageEdit('---\nimage:\n  src: a.png\n---\n', 'x.png'), undefined);
  });

  it('handles TOML frontmatter before any table', () => {
    assert.strictEqual(apply('+++\ntitle = "A"\n+++\n', '/uploads/a.png'), '+++\ntitle = "A"\nimage = "/uploads/a.png"\n+++\n');
    assert.strictEqual(
      apply('+++\ntitle = "A"\n[extra]\nimage = "x"\n+++\n', 'a.png'),
      '+++\ntitle = "A"\nimage = "a.png"\n[extra]\nimage = "x"\n+++\n',
    );
    assert.strictEqual(apply('+++\nimage = ""\n+++\n', 'a.png'), '+++\nimage = "a.png"\n+++\n');
    assert.strictEqual(frontmatterImageEdit('+++\nimage = "b.png"\n+++\n', 'a.png'), undefined);
  });

  it('does nothing without frontmatter', () => {
    assert.strictEqual(frontmatterImageEdit('# Title\n\ntext', 'a.png'), undefined);
    assert.strictEqual(frontmatterImageEdit('---\nunterminated: yes\n', 'a.png'), undefined);
  });
});

describe('image links under the cursor', () => {
  const text = '---\nimage: /uploads/gan-grid.png\n---\nSee ![a sample](images/a-1.png "title") and <img src="b.png" alt="">.\n';

  it('finds Markdown, HTML and frontmatter image links at the offset', () => {
    assert.strictEqual(imageLinkAt(text, text.indexOf('a sample')), 'images/a-1.png');
    assert.strictEqual(imageLinkAt(text, text.indexOf('b.png')), 'b.png');
    assert.strictEqual(imageLinkAt(text, text.indexOf('gan-grid')), '/uploads/gan-grid.png');
    assert.strictEqual(imageLinkAt(text, text.indexOf('See')), undefined);
  });

  it('resolves site-root links against each static folder and relative ones against the post', () => {
    assert.deepStrictEqual(resolveImageLink('/uploads/a%20b.png?x=1', 'posts/p.md', ['static', 'public', '.']), [
      'static/uploads/a b.png',
      'public/uploads/a b.png',
      'uploads/a b.png',
    ]);
    assert.deepStrictEqual(resolveImageLink('images/a.png', 'posts/p.md', ['static']), ['posts/images/a.png']);
    assert.deepStrictEqual(resolveImageLink('https://example.com/a.png', 'posts/p.md', ['static']), []);
  });
});

describe('post title for the default alt text', () => {
  it('reads YAML and TOML titles, quoted or not', () => {
    assert.strictEqual(frontmatterTitle('---\ntitle: Training a GAN\n---\n'), 'Training a GAN');
    assert.strictEqual(frontmatterTitle('---\ntitle: "Say \\"hi\\""\n---\n'), 'Say "hi"');
    assert.strictEqual(frontmatterTitle("---\ntitle: 'It''s here'\n---\n"), "It's here");
    assert.strictEqual(frontmatterTitle('+++\ntitle = "Fine-Tuning"\n+++\n'), 'Fine-Tuning');
    assert.strictEqual(frontmatterTitle('# No frontmatter\ntitle: x'), undefined);
  });
});
