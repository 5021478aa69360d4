import * as fs from 'fs';
import * as path from 'path';

/** The repository root (extension development folder), as the test runner recorded it. */
export function repoRoot(): string {
  try {
    const options = JSON.parse(fs.readFileSync(path.join(__dirname, 'options.json'), 'utf8')) as { repo?: string };
    if (options.repo) return options.repo;
  } catch {
    // fall through: the bundle lives in out/test/integration
  }
  return path.resolve(__dirname, '../../..');
}
