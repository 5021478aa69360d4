/**
 * Entry point VS Code loads in the extension host (extensionTestsPath). Runs every
 * bundled `*.test.js` suite next to this file with mocha's TDD interface and
 * resolves when they pass; rejects (so the host exits non-zero) when any fails.
 */
import * as fs from 'fs';
import * as path from 'path';
import Mocha from 'mocha';
import { readRunOptions } from './repo';

export function run(): Promise<void> {
  const options = readRunOptions();
  const mocha = new Mocha({
    ui: 'tdd',
    color: false,
    timeout: 60000,
    grep: options.grep || undefined,
  });
  const only = options.files ?? [];
  const files = fs
    .readdirSync(__dirname)
    .filter((f) => f.endsWith('.test.js'))
    .filter((f) => only.length === 0 || only.some((o) => f.includes(o)))
    .sort();
  for (const f of files) mocha.addFile(path.join(__dirname, f));
  console.log(`[inkwell-tests] ${files.length} suite file(s): ${files.join(', ')}`);
  return mocha.loadFilesAsync().then(
    () =>
      new Promise<void>((resolve, reject) => {
        console.log(`[inkwell-tests] loaded ${mocha.suite.suites.length} suite(s)`);
        mocha.run((failures) => {
          if (failures > 0) reject(new Error(`${failures} integration test(s) failed.`));
          else resolve();
        });
      }),
  );
}
