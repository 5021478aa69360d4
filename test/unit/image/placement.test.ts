import * as assert from 'assert';
import {
  expandPathTemplate,
  frontmatterImageEdit,
  frontmatterTitle,
  generatorImageTemplate,
  imageLinkAt,
  imageParagraphEdit,
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

describe('an inserted image as a paragraph of its own', () => {
  const img = '![A ridge](/images/ridge-1.png)';
  const insert = (text: string, offset: number) => {
    const e = imageParagraphEdit(text, offset, img);
    return text.slice(0, e.start) + e.newText + text.slice(e.end);
  };

  it('after the last line of a paragraph: a blank line before it, the next paragraph after a blank line', () => {
    const text = 'We left early.\n\nThe path was wet.\n';
    assert.strictEqual(insert(text, 'We left early.'.length), `We left early.\n\n${img}\n\nThe path was wet.\n`);
    assert.strictEqual(insert(text, text.length - 1), `We left early.\n\nThe path was wet.\n\n${img}\n`);
    assert.strictEqual(insert('No newline at the end', 21), `No newline at the end\n\n${img}\n`);
  });

  it('in the middle of a line: the paragraph is split around it, trailing spaces dropped', () => {
    assert.strictEqual(insert('One sentence. Two sentences.\n', 14), `One sentence.\n\n${img}\n\nTwo sentences.\n`);
  });

  it('on a blank line or an empty post: only the blank lines that are missing', () => {
    assert.strictEqual(insert('Above.\n\nBelow.\n', 7), `Above.\n\n${img}\n\nBelow.\n`);
    assert.strictEqual(insert('Above.\n\n\nBelow.\n', 8), `Above.\n\n${img}\n\nBelow.\n`);
    assert.strictEqual(insert('', 0), `${img}\n`);
    assert.strictEqual(insert('Above.\r\nBelow.\r\n', 6), `Above.\r\n\r\n${img}\r\n\r\nBelow.\r\n`);
  });
});

describe('where a site generator serves an inserted image', () => {
  it('site-root in the generator image folder, except beside a Hugo page bundle', () => {
    const hugo = { imageFolder: 'images', pageBundles: true };
    assert.strictEqual(generatorImageTemplate(hugo, 'content/posts/ridge.md'), '/images/${slug}-${seed}.png');
    assert.strictEqual(generatorImageTemplate(hugo, 'content/posts/ridge/index.md'), undefined);
    assert.strictEqual(
      generatorImageTemplate({ imageFolder: 'assets/images' }, '_posts/2024-04-02-ridge.md'),
      '/assets/images/${slug}-${seed}.png',
    );
    assert.strictEqual(generatorImageTemplate({ imageFolder: 'images' }, 'src/content/blog/ridge/index.md'), '/images/${slug}-${seed}.png');
    assert.strictEqual(generatorImageTemplate(undefined, 'posts/ridge.md'), undefined);
    const placed = placeImage(
      expandPathTemplate('/assets/images/${slug}-${seed}.png', { slug: '2024-04-02-ridge', seed: 7, model: 'm', date: 'd' }),
      '_posts/2024-04-02-ridge.md',
      '.',
    );
    assert.deepStrictEqual(placed, {
      file: 'assets/images/2024-04-02-ridge-7.png',
      link: '/assets/images/2024-04-02-ridge-7.png',
      siteRoot: true,
    });
  });
});
