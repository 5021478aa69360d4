import * as assert from 'assert';
import fc from 'fast-check';
import YAML from 'yaml';
import { parse as parseToml } from 'smol-toml';
import { frontmatterImageEdit } from '../../../src/generation/image/placement';

/** Splits `---`/`+++` frontmatter from the body. */
function frontmatterOf(text: string, fence: string): string {
  const lines = text.split(/\r?\n/);
  const close = lines.indexOf(fence, 1);
  return lines.slice(1, close).join('\n');
}

function apply(text: string, link: string): string | undefined {
  const edit = frontmatterImageEdit(text, link);
  return edit && text.slice(0, edit.start) + edit.newText + text.slice(edit.end);
}

const key = fc.stringMatching(/^[a-z][a-z0-9_]{0,8}$/).filter((k) => k !== 'image');
const scalar = fc.oneof(fc.string({ maxLength: 20 }), fc.integer(), fc.boolean());
const fields = fc.dictionary(key, scalar, { maxKeys: 6 });
const link = fc.oneof(
  fc.stringMatching(/^\/uploads\/[a-z0-9-]{1,12}\.png$/),
  fc.stringMatching(/^images\/[a-z0-9 ._-]{1,12}\.png$/),
  fc.constantFrom('1e5', 'true', 'null', '~', 'no', '0x1F', '- item', '[a]', '{a: 1}', '#x', 'a: b', "'q'"),
  fc.string({ minLength: 1, maxLength: 30 }).filter((s) => !/[\r\n]/.test(s)),
);

describe('frontmatter image edit (properties)', () => {
  it('YAML: sets image to the link, keeps every other key, for missing or empty image', () => {
    fc.assert(
      fc.property(fields, link, fc.constantFrom('absent', '""', '~', ''), fc.constantFrom('\n', '\r\n'), (obj, l, empty, eol) => {
        const yaml = YAML.stringify(obj).trimEnd();
        const imageLine = empty === 'absent' ? '' : `image: ${empty}${eol}`;
        const text = `---${eol}${imageLine}${yaml && yaml !== '{}' ? yaml.split('\n').join(eol) + eol : ''}---${eol}Body${eol}`;
        const out = apply(text, l);
        assert.ok(out !== undefined, 'an edit is made');
        const parsed = YAML.parse(frontmatterOf(out, '---')) as Record<string, unknown>;
        assert.strictEqual(parsed.image, l);
        for (const [k, v] of Object.entries(obj)) assert.deepStrictEqual(parsed[k], v);
        assert.ok(out.endsWith(`---${eol}Body${eol}`), 'the body is untouched');
      }),
      { numRuns: 300 },
    );
  });

  it('TOML: sets image to the link before any table, keeping the rest', () => {
    fc.assert(
      fc.property(fields, link, fc.boolean(), (obj, l, withTable) => {
        const lines = Object.entries(obj).map(([k, v]) => `${k} = ${JSON.stringify(v)}`);
        const table = withTable ? ['[extra]', 'image = "table.png"'] : [];
        const text = ['+++', ...lines, ...table, '+++', 'Body', ''].join('\n');
        const out = apply(text, l);
        assert.ok(out !== undefined);
        const parsed = parseToml(frontmatterOf(out, '+++')) as Record<string, unknown>;
        assert.strictEqual(parsed.image, l);
        for (const [k, v] of Object.entries(obj)) assert.deepStrictEqual(parsed[k], v);
        if (withTable) assert.strictEqual((parsed.extra as Record<string, unknown>).image, 'table.png');
      }),
      { numRuns: 300 },
    );
  });

  it('never touches an image that is set', () => {
    fc.assert(
      fc.property(fields, link, link, (obj, existing, l) => {
        const text = `---\nimage: ${JSON.stringify(existing)}\n${YAML.stringify(obj)}---\n`;
        assert.strictEqual(frontmatterImageEdit(text, l), undefined);
      }),
      { numRuns: 200 },
    );
  });
});
