import * as assert from 'assert';
import { Fix, FixContext, fixesFor } from '../../../src/core/frontmatter/fixes';
import { parseFrontmatter } from '../../../src/core/frontmatter/parse';
import { ProblemCode } from '../../../src/core/frontmatter/problemCodes';
import { validatePost, ValidateOptions } from '../../../src/core/frontmatter/validate';
import { PostIndex } from '../../../src/core/posts/postIndex';
import { applyEdits } from './helpers';

const NOW = new Date(2024, 2, 9, 14, 5, 6); // local time
const DESC = 'A description that is long enough to be a useful summary in search.';

/** Validates, takes the problem with `code`, and returns its fixes. */
function fixes(text: string, code: ProblemCode, ctx: FixContext = {}, options: ValidateOptions = {}): Fix[] {
  const problem = validatePost(text, options).find((p) => p.code === code);
  assert.ok(problem, `expected a ${code} problem`);
  return fixesFor(text, problem, { now: NOW, ...ctx });
}

/** Applies the preferred fix and checks the problem is gone and the result parses. */
function applyPreferred(text: string, code: ProblemCode, ctx: FixContext = {}, options: ValidateOptions = {}): string {
  const all = fixes(text, code, ctx, options);
  const preferred = all.filter((f) => f.isPreferred);
  assert.strictEqual(preferred.length, 1, 'exactly one preferred fix');
  const fixed = applyEdits(text, preferred[0].edits);
  assert.deepStrictEqual(parseFrontmatter(fixed).errors, []);
  assert.ok(!validatePost(fixed, options).some((p) => p.code === code), `the ${code} problem is gone:\n${fixed}`);
  return fixed;
}

describe('fixes: missing fields', () => {
  it('adds a missing date in the style the workspace uses', () => {
    const text = `---\ntitle: T\ndescription: ${DESC}\n---\n`;
    assert.strictEqual(
      applyPreferred(text, ProblemCode.DateMissing, { dateStyle: 'datetime-space' }),
      `---\ndate: 2024-03-09 14:05:06\ntitle: T\ndescription: ${DESC}\n---\n`,
    );
    assert.strictEqual(applyPreferred(text, ProblemCode.DateMissing), `---\ndate: 2024-03-09\ntitle: T\ndescription: ${DESC}\n---\n`);
  });

  it('adds a missing date to TOML and JSON frontmatter', () => {
    const toml = `+++\ntitle = "T"\ndescription = "${DESC}"\n+++\n`;
    assert.ok(applyPreferred(toml, ProblemCode.DateMissing).startsWith('+++\ndate = 2024-03-09\n'));
    const json = `{\n  "title": "T",\n  "description": "${DESC}"\n}\n`;
    assert.ok(applyPreferred(json, ProblemCode.DateMissing).startsWith('{\n  "date": "2024-03-09",\n  "title"'));
  });

  it('adds a missing title from the first heading, else from the file name', () => {
    const text = `---\ndate: 2023-01-01\ndescription: ${DESC}\n---\n\nIntro\n\n## Why GANs: a primer\n`;
    assert.ok(applyPreferred(text, ProblemCode.TitleMissing).startsWith('---\ntitle: "Why GANs: a primer"\n'));
    const bare = `---\ndate: 2023-01-01\ndescription: ${DESC}\n---\nNo heading.\n`;
    assert.ok(
      applyPreferred(bare, ProblemCode.TitleMissing, { postPath: '/b/posts/2023-01-01-my-first-post.md' }).startsWith(
        '---\ntitle: My first post\n',
      ),
    );
  });

  it('a title taken from the leading level-1 heading offers to remove that heading, first; other headings stay', () => {
    const text = `---\ndate: 2023-01-01\ndescription: ${DESC}\n---\n\n# Hiking the Ridge\n\nWe left early.\n`;
    assert.deepStrictEqual(
      fixes(text, ProblemCode.TitleMissing).map((f) => [f.title, f.isPreferred]),
      [
        ['Add "title: Hiking the Ridge" and remove the heading (it would show twice)', true],
        ['Add "title: Hiking the Ridge" (keep the heading)', false],
      ],
    );
    assert.strictEqual(
      applyPreferred(text, ProblemCode.TitleMissing),
      `---\ntitle: Hiking the Ridge\ndate: 2023-01-01\ndescription: ${DESC}\n---\n\nWe left early.\n`,
    );
    const setext = `---\ntitle: ""\ndate: 2023-01-01\ndescription: ${DESC}\n---\nHiking the Ridge\n===\nWe left early.\n`;
    assert.strictEqual(
      applyPreferred(setext, ProblemCode.TitleEmpty),
      `---\ntitle: "Hiking the Ridge"\ndate: 2023-01-01\ndescription: ${DESC}\n---\nWe left early.\n`,
    );
    const closed = `---\ndate: 2023-01-01\ndescription: ${DESC}\n---\r\n# Closed #\r\n\r\nText\r\n`;
    assert.ok(applyPreferred(closed, ProblemCode.TitleMissing).endsWith('---\r\nText\r\n'));
    // A level-2 heading after some text is a section, not the title: only the title is added.
    const section = `---\ndate: 2023-01-01\ndescription: ${DESC}\n---\nIntro\n\n# Later\n`;
    assert.deepStrictEqual(
      fixes(section, ProblemCode.TitleMissing).map((f) => f.title),
      ['Add "title: Later"'],
    );
  });

  it('fills an empty title', () => {
    const text = `---\ntitle:\ndate: 2023-01-01\ndescription: ${DESC}\n---\n# Hello world\n`;
    assert.ok(applyPreferred(text, ProblemCode.TitleEmpty).startsWith('---\ntitle: Hello world\n'));
    const quoted = `---\ntitle: ""\ndate: 2023-01-01\ndescription: ${DESC}\n---\n# Hello\n`;
    assert.ok(applyPreferred(quoted, ProblemCode.TitleEmpty).startsWith('---\ntitle: "Hello"\n'));
  });

  it('adds a frontmatter block to a post without one', () => {
    const text = '# My Post\r\n\r\nText\r\n';
    const fixed = applyEdits(text, fixes(text, ProblemCode.FrontmatterMissing)[0].edits);
    assert.strictEqual(fixed, '---\r\ntitle: My Post\r\ndate: 2024-03-09\r\n---\r\n\r\n# My Post\r\n\r\nText\r\n');
    assert.deepStrictEqual(
      validatePost(fixed).map((p) => p.code),
      [ProblemCode.DescriptionMissing],
    );
    assert.ok(applyPreferred('\uFEFF', ProblemCode.FrontmatterMissing).startsWith('\uFEFF---\ntitle: Untitled\n'));
  });
});

describe('fixes: dates', () => {
  const withDate = (d: string) => `---\ntitle: T\ndate: ${d}\ndescription: ${DESC}\n---\n`;

  it('repairs malformed dates into the workspace style', () => {
    const cases: Array<[string, string, FixContext['dateStyle']]> = [
      ['2023/05/08', '2023-05-08', undefined],
      ['8.5.2023', '2023-05-08', 'date'],
      ['05/08/2023', '2023-05-08', 'date'],
      ['25/12/2023', '2023-12-25', 'date'],
      ['May 8, 2023', '2023-05-08 00:00:00', 'datetime-space'],
      ['8 May 2023 9:18 am', '2023-05-08T09:18:00', 'datetime-local'],
      ['"2023/05/08"', '"2023-05-08"', 'date'],
    ];
    for (const [bad, good, dateStyle] of cases) {
      assert.strictEqual(applyPreferred(withDate(bad), ProblemCode.DateInvalid, { dateStyle }), withDate(good), bad);
    }
  });

  it("offers the file's creation date, then today, when the date cannot be read; neither is preferred", () => {
    const all = fixes(withDate('someday'), ProblemCode.DateInvalid, { fileCreated: new Date(2019, 6, 4, 10, 0, 0) });
    assert.deepStrictEqual(
      all.map((f) => [f.title, f.isPreferred]),
      [
        ['Set date to when the file was created (2019-07-04)', false],
        ['Set date to today (2024-03-09)', false],
      ],
    );
    assert.deepStrictEqual(
      fixes(withDate('someday'), ProblemCode.DateInvalid).map((f) => f.title),
      ['Set date to today (2024-03-09)'],
    );
    // An empty date on a new post: today is the obvious fix.
    assert.strictEqual(applyPreferred(withDate(''), ProblemCode.DateInvalid), withDate('2024-03-09'));
  });

  it('an impossible day or month offers the nearest valid date in the same year and month first, then creation, then today', () => {
    const ctx = { fileCreated: new Date(2019, 6, 4, 10, 0, 0) };
    assert.deepStrictEqual(
      fixes(withDate('2024-13-45'), ProblemCode.DateInvalid, ctx).map((f) => [f.title, f.isPreferred]),
      [
        ['Change date to 2024-12-31 (the nearest valid date)', true],
        ['Set date to when the file was created (2019-07-04)', false],
        ['Set date to today (2024-03-09)', false],
      ],
    );
    assert.strictEqual(applyPreferred(withDate('2023-02-30'), ProblemCode.DateInvalid, ctx), withDate('2023-02-28'));
    assert.strictEqual(applyPreferred(withDate('2024-02-30'), ProblemCode.DateInvalid, ctx), withDate('2024-02-29'));
    assert.strictEqual(applyPreferred(withDate('2024-04-00'), ProblemCode.DateInvalid, ctx), withDate('2024-04-01'));
    assert.strictEqual(
      applyPreferred(withDate('2024-06-31 09:30:00'), ProblemCode.DateInvalid, { ...ctx, dateStyle: 'datetime-space' }),
      withDate('2024-06-30 09:30:00'),
    );
    assert.strictEqual(applyPreferred(withDate('"2024-11-31"'), ProblemCode.DateInvalid, ctx), withDate('"2024-11-30"'));
  });
});

describe('fixes: likely typos of known fields', () => {
  const head = `title: T\ndate: 2023-01-01\ndescription: ${DESC}\n`;

  it('flags titel, descripton and tgas with "did you mean", even with unknown keys allowed, and renames them', () => {
    const text = `---\ndate: 2023-01-01\ntitel: T\ndescripton: ${DESC}\ntgas: [a]\nmood: calm\n---\n`;
    const problems = validatePost(text).filter((p) => p.code === ProblemCode.KeyTypo);
    assert.deepStrictEqual(
      problems.map((p) => [text.slice(p.start, p.end), p.message, p.severity]),
      [
        ['titel', 'Unknown field "titel": did you mean "title"?', 'warning'],
        ['descripton', 'Unknown field "descripton": did you mean "description"?', 'warning'],
        ['tgas', 'Unknown field "tgas": did you mean "tags"?', 'warning'],
      ],
    );
    assert.ok(!validatePost(text).some((p) => p.code === ProblemCode.UnknownKey), 'mood is allowed: unknown keys are not flagged');
    let fixed = text;
    for (const key of ['titel', 'descripton', 'tgas']) {
      const p = validatePost(fixed).find((x) => x.code === ProblemCode.KeyTypo && fixed.slice(x.start, x.end) === key)!;
      const [fix] = fixesFor(fixed, p);
      assert.ok(fix.isPreferred);
      fixed = applyEdits(fixed, fix.edits);
    }
    assert.strictEqual(fixed, `---\ndate: 2023-01-01\ntitle: T\ndescription: ${DESC}\ntags: [a]\nmood: calm\n---\n`);
    assert.deepStrictEqual(validatePost(fixed), []);
  });

  it('leaves alone plurals, case, short keys and fields far from any known one; renames in TOML and JSON', () => {
    for (const key of ['tag', 'Title', 'ab', 'mood', 'summary', 'authors']) {
      assert.deepStrictEqual(
        validatePost(`---\n${head}${key}: x\n---\n`).map((p) => p.code),
        [],
        key,
      );
    }
    const toml = `+++\ntitle = "T"\ndate = 2023-01-01\ndescription = "${DESC}"\ntgas = ["a"]\n+++\n`;
    assert.ok(applyPreferred(toml, ProblemCode.KeyTypo).includes('\ntags = ["a"]\n'));
    const json = `{"title": "T", "date": "2023-01-01", "description": "${DESC}", "tgas": ["a"]}\n`;
    assert.ok(applyPreferred(json, ProblemCode.KeyTypo).includes('"tags": ["a"]'));
    // With both spellings present, the rename would clash: the problem stays, without a fix.
    assert.deepStrictEqual(fixes(`---\n${head}tags: [a]\ntgas: [b]\n---\n`, ProblemCode.KeyTypo), []);
  });
});

describe('fixes: tags', () => {
  it('changes a tag to the workspace spelling, keeping quotes', () => {
    const index = new PostIndex();
    index.upsert('a', `---\ntags: [machine-learning]\n---\n`);
    index.upsert('b', `---\ntags: [machine-learning]\n---\n`);
    const text = `---\ntitle: T\ndate: 2023-01-01\ndescription: ${DESC}\ntags:\n  - Machine Learning\n  - 'Machine_learning'\n---\n`;
    const options = { tags: index, postId: 'me' };
    const fixed = applyPreferred(text, ProblemCode.TagVariant, {}, options);
    assert.ok(fixed.includes("  - machine-learning\n  - 'Machine_learning'\n"));
    const toml = `+++\ntitle = "T"\ndate = 2023-01-01\ndescription = "${DESC}"\ntags = ["ML", "Machine Learning"]\n+++\n`;
    assert.ok(applyPreferred(toml, ProblemCode.TagVariant, {}, options).includes('tags = ["ML", "machine-learning"]'));
  });

  it('removes a duplicate tag in block, flow, TOML and JSON lists', () => {
    const head = `title: T\ndate: 2023-01-01\ndescription: ${DESC}\n`;
    assert.ok(
      applyPreferred(`---\n${head}tags:\n  - a\n  - b\n  - a\n---\n`, ProblemCode.TagDuplicate).endsWith('tags:\n  - a\n  - b\n---\n'),
    );
    assert.ok(applyPreferred(`---\n${head}tags: [a, a, b]\n---\n`, ProblemCode.TagDuplicate).includes('tags: [a, b]\n'));
    const toml = `+++\ntitle = "T"\ndate = 2023-01-01\ndescription = "${DESC}"\ntags = ["a", "b", "A"]\n+++\n`;
    assert.ok(applyPreferred(toml, ProblemCode.TagDuplicate).includes('tags = ["a", "b"]\n'));
    const json = `{"title": "T", "date": "2023-01-01", "description": "${DESC}", "tags": ["x", "x"]}\n`;
    assert.ok(applyPreferred(json, ProblemCode.TagDuplicate).includes('"tags": ["x"]}'));
  });
});

describe('fixes: image paths', () => {
  const files = ['/site/static/uploads/gan-grid.png', '/site/static/uploads/vae-walk-01.png', '/site/posts/img/diagram.svg'];
  const loc = { postPath: '/site/posts/p.md', siteRoot: '/site', staticFolders: ['static', 'public', '.'] };
  const options: ValidateOptions = { ...loc, fileExists: (p) => files.includes(p) };
  const withImage = (i: string) => `---\ntitle: T\ndate: 2023-01-01\ndescription: ${DESC}\nimage: ${i}\n---\n`;

  it('changes a site-root path to the closest existing file, keeping it site-root', () => {
    assert.strictEqual(
      applyPreferred(withImage('/uploads/vae-walk.png'), ProblemCode.ImageNotFound, { ...loc, imageFiles: files }, options),
      withImage('/uploads/vae-walk-01.png'),
    );
  });

  it('keeps relative paths relative to the post', () => {
    assert.strictEqual(
      applyPreferred(withImage('img/diagam.svg'), ProblemCode.ImageNotFound, { ...loc, imageFiles: files }, options),
      withImage('img/diagram.svg'),
    );
  });

  it('offers no unrelated image, however few there are', () => {
    assert.deepStrictEqual(
      fixes(withImage('/uploads/screenshot-2023-05-08.png'), ProblemCode.ImageNotFound, { ...loc, imageFiles: files }, options),
      [],
    );
    assert.deepStrictEqual(
      fixes(
        withImage('/uploads/screenshot.png'),
        ProblemCode.ImageNotFound,
        { ...loc, imageFiles: ['/site/static/uploads/gan-grid.png'] },
        options,
      ),
      [],
    );
  });

  it('offers an image with the same stem', () => {
    const all = fixes(withImage('/uploads/gan.png'), ProblemCode.ImageNotFound, { ...loc, imageFiles: files }, options);
    assert.deepStrictEqual(
      all.map((f) => f.title),
      ['Change image to /uploads/gan-grid.png'],
    );
  });
});
