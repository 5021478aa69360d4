// Writes the Commands and Settings tables of README.md from package.json, so the
// README never drifts from the manifest. `--check` fails when they are stale.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
const readmePath = path.join(root, 'README.md');
const readme = fs.readFileSync(readmePath, 'utf8');

const keybinding = (id) => pkg.contributes.keybindings?.find((k) => k.command === id)?.key ?? '';
const cell = (s) => String(s).replace(/\|/g, '\\|').replace(/\n/g, ' ');

const commands = [
  '| command | id | key |',
  '|---|---|---|',
  ...pkg.contributes.commands.map(
    (c) => `| ${cell(`${c.category}: ${c.title}`)} | \`${c.command}\` | ${keybinding(c.command) ? `\`${keybinding(c.command)}\`` : ''} |`,
  ),
].join('\n');

const fmtDefault = (v) => (v === undefined ? '' : `\`${JSON.stringify(v)}\``);
// The settings come in groups (contributes.configuration is a list), shown as in the Settings editor.
const groups = Array.isArray(pkg.contributes.configuration) ? pkg.contributes.configuration : [pkg.contributes.configuration];
const settings = [...groups]
  .sort((a, b) => (a.order ?? 0) - (b.order ?? 0))
  .map((group) =>
    [
      `**${group.title}**`,
      '',
      '| setting | default | description |',
      '|---|---|---|',
      ...Object.entries(group.properties).map(
        ([key, p]) =>
          `| \`${key}\` | ${cell(fmtDefault(p.default))} | ${cell((p.markdownDescription ?? p.description ?? '').replace(/`#([\w.]+)#`/g, '`$1`'))} |`,
      ),
    ].join('\n'),
  )
  .join('\n\n');

function replaceBlock(text, name, body) {
  const start = `<!-- ${name}:start -->`;
  const end = `<!-- ${name}:end -->`;
  const a = text.indexOf(start);
  const b = text.indexOf(end);
  if (a < 0 || b < a) throw new Error(`README.md lacks the ${start} … ${end} markers`);
  return text.slice(0, a + start.length) + '\n' + body + '\n' + text.slice(b);
}

const next = replaceBlock(replaceBlock(readme, 'commands', commands), 'settings', settings);
if (process.argv.includes('--check')) {
  if (next !== readme) {
    console.error('README.md tables are out of date with package.json: run `node scripts/docs.mjs`.');
    process.exit(1);
  }
} else if (next !== readme) {
  fs.writeFileSync(readmePath, next);
  console.log('README.md tables updated.');
}
