import * as assert from 'assert';
import { compileCustomSchema } from '../../../src/core/frontmatter/customSchema';
import { ratio, timePerCall } from './timing';

describe('custom schema patterns', () => {
  it('runs `pattern` in linear time: ^(a+)+$ does not backtrack', async function () {
    this.timeout(120_000);
    const evil = await compileCustomSchema({ type: 'object', properties: { slug: { type: 'string', pattern: '^(a+)+$' } } });
    const plain = await compileCustomSchema({ type: 'object', properties: { slug: { type: 'string', pattern: '^a+$' } } });
    const input = { slug: `${'a'.repeat(30)}!` };
    const baseline = timePerCall(() => plain.validate(input));
    const ms = timePerCall(() => assert.strictEqual(evil.validate(input).length, 1));
    // A backtracking engine needs about 2^30 steps here (minutes).
    assert.ok(ratio(ms, baseline) < 100, `^(a+)+$ took ${ms.toFixed(2)} ms, ^a+$ ${baseline.toFixed(3)} ms`);
    assert.deepStrictEqual(evil.validate({ slug: 'aaaa' }), []);
  });

  it('keeps the meaning of ordinary patterns and patternProperties', async () => {
    const schema = await compileCustomSchema({
      type: 'object',
      properties: {
        slug: { type: 'string', pattern: '^[a-z0-9]+(?:-[a-z0-9]+)*$' },
        code: { type: 'string', pattern: '\\d{3}' },
        word: { type: 'string', pattern: '^\\p{L}+$' },
      },
      patternProperties: { '^x-': { type: 'number' } },
    });
    assert.deepStrictEqual(schema.validate({ slug: 'my-post-2', code: 'ab123', word: 'Café', 'x-a': 1 }), []);
    const issues = schema.validate({ slug: 'My Post', code: '12', word: 'a1', 'x-a': 'no' });
    assert.deepStrictEqual(issues.map((i) => i.path.join('.')).sort(), ['code', 'slug', 'word', 'x-a']);
    assert.match(issues.find((i) => i.path[0] === 'slug')!.message, /must match pattern/);
  });

  it('refuses patterns a linear-time engine cannot run, with a message that says why', async () => {
    for (const pattern of ['^(a)\\1$', '^(?<x>a)\\k<x>$', 'a(?=b)', 'a(?!b)']) {
      await assert.rejects(compileCustomSchema({ type: 'object', properties: { s: { type: 'string', pattern } } }), (err: Error) => {
        assert.match(err.message, /pattern/);
        assert.ok(err.message.includes(JSON.stringify(pattern)), err.message);
        assert.match(err.message, /backreferences|lookahead/);
        return true;
      });
    }
  });
});
