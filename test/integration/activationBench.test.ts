import * as fs from 'fs';
import * as vscode from 'vscode';
import { inkwell, testing } from './helpers';
import { readRunOptions } from './repo';

/**
 * Not a test: `npm run bench` runs this suite alone (options.benchOut set) to
 * measure activation inside the real extension host and writes the numbers out.
 */
suite('Activation benchmark', function () {
  suiteSetup(function () {
    if (!readRunOptions().benchOut) this.skip();
  });

  test('measure activation', async () => {
    const out = readRunOptions().benchOut!;
    const md = vscode.extensions.getExtension('vscode.markdown-language-features');
    let markdownMs: number | undefined;
    if (md && !md.isActive) {
      const t0 = performance.now();
      await md.activate();
      markdownMs = performance.now() - t0;
    }
    const t0 = performance.now();
    await inkwell();
    const wallMs = performance.now() - t0;
    const { activationMs } = await testing();
    const ortLoaded = Object.keys(require.cache).some((k) => k.includes('onnxruntime'));
    fs.writeFileSync(out, JSON.stringify({ activateMs: activationMs, wallMs, markdownMs, ortLoaded }));
  });
});
