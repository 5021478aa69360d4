import * as assert from 'assert';
import { compileCustomSchema } from '../../../src/core/frontmatter/customSchema';
import { Problem, ProblemCode } from '../../../src/core/frontmatter/problemCodes';
import { validatePost, ValidateOptions } from '../../../src/core/frontmatter/validate';
import { PostIndex } from '../../../src/core/posts/postIndex';
import { spanOf } from './helpers';

const GOOD_DESCRIPTION = 'A description that is long enough to be a useful summary in search.';

/** A valid post with some fields replaced (`undefined` drops a field). */
function post(fields: Record<string, string | undefined> = {}, body = 'Body\n'): string {
  const all: Record<string, string | undefined> = { title: 'A fine title', date: '2023-05-08', description: GOOD_DESCRIPTION, ...fields };
  const lines = Object.entries(all)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}:${v === '' ? '' : ' ' + v}`);
  return `---\n${lines.join('\n')}\n---\n${body}`;
}

function check(text: string, options: ValidateOptions = {}): Array<{ code: ProblemCode; text: string; problem: Problem }> {
  return validatePost(text, options).map((p) => ({ code: p.code, text: spanOf(text, p), problem: p }));
}

function codes(text: string, options: ValidateOptions = {}): ProblemCode[] {
  return validatePost(text, options).map((p) => p.code);
}

describe('validatePost: structure', () => {
  it('accepts a valid post', () => {
    assert.deepStrictEqual(codes(post({ tags: '[a, b]', draft: 'false' })), []);
  });

  it('reports a post without frontmatter on its first line', () => {
    const r = check('# Hello\n\nText');
    assert.deepStrictEqual(
      r.map((x) => [x.code, x.text]),
      [[ProblemCode.FrontmatterMissing, '# Hello']],
    );
    assert.deepStrictEqual(codes(''), [ProblemCode.FrontmatterMissing]);
  });

  it('reports an unterminated block at its opening fence', () => {
    const r = check('---\ntitle: x\n\nBody text');
    assert.deepStrictEqual(
      r.map((x) => [x.code, x.text]),
      [[ProblemCode.FrontmatterUnterminated, '---']],
    );
  });

  it('reports syntax errors only, not "missing" fields hidden by them', () => {
    assert.deepStrictEqual(codes('---\ntitle: [oops\n---\n'), [ProblemCode.FrontmatterSyntax]);
  });

  it('skips files over the size limit with a note', () => {
    const big = post({}, 'x'.repeat(3 * 1024));
    const r = validatePost(big, { maxFileSizeKB: 2 });
    assert.deepStrictEqual(
      r.map((p) => [p.code, p.severity]),
      [[ProblemCode.FileTooLarge, 'information']],
    );
  });

  it('handles BOM and CRLF with exact spans', () => {
    const text = '\uFEFF' + post({ title: '""' }).replace(/\n/g, '\r\n');
    const r = check(text);
    assert.deepStrictEqual(
      r.map((x) => [x.code, x.text]),
      [[ProblemCode.TitleEmpty, '""']],
    );
  });
});

describe('validatePost: date', () => {
  it('requires a date, reported at the opening fence', () => {
    assert.deepStrictEqual(
      check(post({ date: undefined })).map((x) => [x.code, x.text]),
      [[ProblemCode.DateMissing, '---']],
    );
  });

  it('accepts YAML timestamps and ISO 8601 dates and date-times', () => {
    for (const d of [
      '2023-05-08',
      '2023-05-08 00:00:00',
      '2023-05-08T09:30:00Z',
      '2023-05-08T09:30:00+02:00',
      '2023-5-8',
      '"2023-05-08T09:30"',
      '2023-05-08t09:30:00.123z',
    ]) {
      assert.deepStrictEqual(codes(post({ date: d })), [], d);
    }
  });

  it('rejects malformed and impossible dates at the value', () => {
    for (const d of ['2023/05/08', '08.05.2023', 'yesterday', '2023-02-30', '2023-13-01', '2023-05-08 25:00:00', '2023', '[2023-05-08]']) {
      const r = check(post({ date: d }));
      assert.deepStrictEqual(
        r.map((x) => [x.code, x.text]),
        [[ProblemCode.DateInvalid, d]],
        d,
      );
    }
    assert.deepStrictEqual(
      check(post({ date: '' })).map((x) => [x.code, x.text]),
      [[ProblemCode.DateInvalid, 'date']],
    );
  });

  it('accepts TOML date literals', () => {
    assert.deepStrictEqual(codes(`+++\ntitle = "T"\ndate = 2023-07-11T08:30:00Z\ndescription = "${GOOD_DESCRIPTION}"\n+++\n`), []);
    assert.deepStrictEqual(codes(`+++\ntitle = "T"\ndate = 08:30:00\ndescription = "${GOOD_DESCRIPTION}"\n+++\n`), [
      ProblemCode.DateInvalid,
    ]);
  });
});

describe('validatePost: title and description', () => {
  it('requires a non-empty title', () => {
    assert.deepStrictEqual(codes(post({ title: undefined })), [ProblemCode.TitleMissing]);
    assert.deepStrictEqual(
      check(post({ title: '"  "' })).map((x) => [x.code, x.text]),
      [[ProblemCode.TitleEmpty, '"  "']],
    );
    assert.deepStrictEqual(
      check(post({ title: '' })).map((x) => [x.code, x.text]),
      [[ProblemCode.TitleEmpty, 'title']],
    );
    assert.deepStrictEqual(codes(post({ title: '[a, b]' })), [ProblemCode.FieldType]);
  });

  it('warns about titles over 60 characters', () => {
    assert.deepStrictEqual(codes(post({ title: 'x'.repeat(60) })), []);
    const r = validatePost(post({ title: 'x'.repeat(61) }));
    assert.deepStrictEqual(
      r.map((p) => [p.code, p.severity]),
      [[ProblemCode.TitleTooLong, 'warning']],
    );
    assert.match(r[0].message, /61 characters/);
  });

  it('warns when the description is missing or outside 50-160 characters', () => {
    assert.deepStrictEqual(codes(post({ description: undefined })), [ProblemCode.DescriptionMissing]);
    assert.deepStrictEqual(
      check(post({ description: 'Short.' })).map((x) => [x.code, x.text]),
      [[ProblemCode.DescriptionTooShort, 'Short.']],
    );
    assert.deepStrictEqual(codes(post({ description: 'd'.repeat(50) })), []);
    assert.deepStrictEqual(codes(post({ description: 'd'.repeat(160) })), []);
    assert.deepStrictEqual(codes(post({ description: 'd'.repeat(161) })), [ProblemCode.DescriptionTooLong]);
  });
});

describe('validatePost: tags', () => {
  it('requires a list of strings', () => {
    assert.deepStrictEqual(
      check(post({ tags: 'just-one' })).map((x) => [x.code, x.text]),
      [[ProblemCode.TagsNotList, 'just-one']],
    );
    assert.deepStrictEqual(
      check(post({ tags: '[ok, 2023]' })).map((x) => [x.code, x.text]),
      [[ProblemCode.TagNotString, '2023']],
    );
  });

  it('warns on duplicates, including spellings of the same tag, at the repeated item', () => {
    const text = post({ tags: '\n  - ml\n  - gan\n  - ml\n  - GAN' });
    assert.deepStrictEqual(
      check(text).map((x) => [x.code, x.text, x.problem.data?.index]),
      [
        [ProblemCode.TagDuplicate, 'ml', 2],
        [ProblemCode.TagDuplicate, 'GAN', 3],
      ],
    );
  });

  it('warns when a tag differs only in case or separators from the workspace spelling', () => {
    const index = new PostIndex();
    index.upsert('a', post({ tags: '[machine-learning]' }));
    index.upsert('b', post({ tags: '[machine-learning]' }));
    const text = post({ tags: '[Machine Learning, gan]' });
    index.upsert('me', text);
    const r = check(text, { tags: index, postId: 'me' });
    assert.deepStrictEqual(
      r.map((x) => [x.code, x.text, x.problem.data?.suggestion]),
      [[ProblemCode.TagVariant, 'Machine Learning', 'machine-learning']],
    );
    // Free-form tags nobody else uses are fine: no false positives.
    assert.deepStrictEqual(codes(post({ tags: '[Anything Goes, "c++"]' }), { tags: index, postId: 'x' }), []);
  });
});

describe('validatePost: image and draft', () => {
  const files = new Set(['/site/static/uploads/hero.png', '/site/posts/local.png']);
  const options: ValidateOptions = {
    postPath: '/site/posts/p.md',
    siteRoot: '/site',
    staticFolders: ['static', 'public', '.'],
    fileExists: (p) => files.has(p),
  };

  it('resolves site-root paths against the static folders and relative paths against the post', () => {
    assert.deepStrictEqual(codes(post({ image: '/uploads/hero.png' }), options), []);
    assert.deepStrictEqual(codes(post({ image: 'local.png' }), options), []);
    assert.deepStrictEqual(codes(post({ image: './local.png?v=2' }), options), []);
    assert.deepStrictEqual(codes(post({ image: 'https://example.com/x.png' }), options), []);
  });

  it('reports missing images at the value', () => {
    const r = check(post({ image: '/uploads/nope.png' }), options);
    assert.deepStrictEqual(
      r.map((x) => [x.code, x.text]),
      [[ProblemCode.ImageNotFound, '/uploads/nope.png']],
    );
    assert.match(r[0].problem.message, /static folders \(static, public, \.\)/);
    assert.deepStrictEqual(codes(post({ image: '../nope.png' }), options), [ProblemCode.ImageNotFound]);
    assert.deepStrictEqual(codes(post({ image: '[a]' }), options), [ProblemCode.ImageNotString]);
  });

  it('requires draft to be a boolean', () => {
    assert.deepStrictEqual(codes(post({ draft: 'true' })), []);
    const r = validatePost(post({ draft: '"true"' }));
    assert.deepStrictEqual(
      r.map((p) => p.code),
      [ProblemCode.DraftNotBoolean],
    );
    assert.match(r[0].message, /without quotes/);
  });
});

describe('validatePost: settings', () => {
  it('flags unknown keys only when asked', () => {
    const text = post({ colour: 'red', slug: 'ok' });
    assert.deepStrictEqual(codes(text), []);
    assert.deepStrictEqual(
      check(text, { flagUnknownKeys: true }).map((x) => [x.code, x.text]),
      [[ProblemCode.UnknownKey, 'colour']],
    );
  });

  it('applies severity overrides and drops problems set to off', () => {
    const text = post({ description: 'Short.', title: 'x'.repeat(70) });
    const r = validatePost(text, { severity: { 'title-too-long': 'off', 'description-too-short': 'error' } });
    assert.deepStrictEqual(
      r.map((p) => [p.code, p.severity]),
      [[ProblemCode.DescriptionTooShort, 'error']],
    );
  });
});

describe('validatePost: custom JSON Schema', () => {
  const schemaJson = {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    type: 'object',
    required: ['author'],
    properties: {
      author: { type: 'string', description: 'Who wrote it' },
      category: { enum: ['news', 'howto'] },
      tags: { type: 'array', items: { type: 'string', maxLength: 5 } },
    },
  };

  it('extends the default rules (draft 2020-12)', async () => {
    const customSchema = await compileCustomSchema(schemaJson);
    const text = post({ category: 'gossip', tags: '[short, waytoolong]', title: undefined });
    const r = check(text, { customSchema });
    assert.deepStrictEqual(
      r.map((x) => [x.code, x.text]),
      [
        [ProblemCode.TitleMissing, '---'],
        [ProblemCode.SchemaViolation, '---'],
        [ProblemCode.SchemaViolation, 'gossip'],
        [ProblemCode.SchemaViolation, 'waytoolong'],
      ],
    );
    assert.match(r[1].problem.message, /"author"/);
    assert.match(r[2].problem.message, /"news", "howto"/);
  });

  it('replaces the default rules (draft 7)', async () => {
    const customSchema = await compileCustomSchema({ ...schemaJson, $schema: 'http://json-schema.org/draft-07/schema#' });
    const text = post({ title: undefined, date: 'whenever', author: 'Ada' });
    assert.deepStrictEqual(codes(text, { customSchema, schemaMode: 'replace' }), []);
    assert.deepStrictEqual(codes(text, { customSchema, schemaMode: 'extend' }), [ProblemCode.TitleMissing, ProblemCode.DateInvalid]);
  });

  it("counts the custom schema's fields as known keys", async () => {
    const customSchema = await compileCustomSchema(schemaJson);
    assert.deepStrictEqual(codes(post({ author: 'Ada', extra: '1' }), { customSchema, flagUnknownKeys: true }), [ProblemCode.UnknownKey]);
  });

  it('rejects an invalid schema with a readable error', async () => {
    await assert.rejects(compileCustomSchema({ type: 12 }), /not valid JSON Schema/);
    await assert.rejects(compileCustomSchema([]), /must be a JSON object/);
  });
});
