import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { COMMAND_IDS } from '../../../src/commands/commandIds';

interface Manifest {
  contributes: {
    commands: { command: string }[];
    menus?: Record<string, { command?: string }[]>;
    keybindings?: { command: string }[];
  };
}

const manifest = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', '..', 'package.json'), 'utf8')) as Manifest;

/**
 * Commands Inkwell registers without contributing them: code and tests call them, the Command
 * Palette does not show them. Each says who calls it.
 */
const INTERNAL_COMMANDS: Record<string, string> = {
  'inkwell.chooseFrontmatterImage': 'the "Choose an image…" quick fix of a missing hero image (languageFeatures/quickFixes.ts)',
};

describe('command ids', () => {
  const ids = new Set<string>(COMMAND_IDS);
  const contributed = manifest.contributes.commands.map((c) => c.command);

  it('lists each command once', () => {
    assert.strictEqual(
      ids.size,
      COMMAND_IDS.length,
      `duplicates: ${COMMAND_IDS.filter((id, i) => COMMAND_IDS.indexOf(id) !== i).join(', ')}`,
    );
  });

  it('has every command package.json contributes', () => {
    assert.deepStrictEqual(
      contributed.filter((c) => !ids.has(c)),
      [],
      'contributed in package.json but not in src/commands/commandIds.ts',
    );
  });

  it('contributes every command, except the internal ones', () => {
    const contributedSet = new Set(contributed);
    assert.deepStrictEqual(
      COMMAND_IDS.filter((id) => !contributedSet.has(id) && !(id in INTERNAL_COMMANDS)),
      [],
      'in src/commands/commandIds.ts but neither contributed in package.json nor listed as internal here',
    );
    for (const id of Object.keys(INTERNAL_COMMANDS)) {
      assert.ok(ids.has(id), `${id} is listed as internal but is not a command id`);
      assert.ok(!contributedSet.has(id), `${id} is listed as internal but package.json contributes it`);
    }
  });

  it("names only Inkwell's own commands in menus and keybindings", () => {
    const named = [
      ...Object.values(manifest.contributes.menus ?? {}).flatMap((items) => items.map((m) => m.command)),
      ...(manifest.contributes.keybindings ?? []).map((k) => k.command),
    ].filter((c): c is string => !!c?.startsWith('inkwell.'));
    assert.deepStrictEqual(
      named.filter((c) => !ids.has(c)),
      [],
    );
  });
});
