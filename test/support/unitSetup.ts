/**
 * Loaded before the unit tests (.mocharc.json): the command line's cache of optimized graphs goes
 * to a folder of this run, removed at exit, instead of the user's ~/.cache. Tests that run the
 * CLI in a child process pass the variable on.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

if (!process.env.INKWELL_MODEL_CACHE) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'inkwell-unit-model-cache-'));
  process.env.INKWELL_MODEL_CACHE = dir;
  process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
}
