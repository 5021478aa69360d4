import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';

interface Manifest {
  capabilities: { untrustedWorkspaces: { supported: string; restrictedConfigurations: string[] } };
  contributes: { configuration: { title: string; properties: Record<string, unknown> }[] };
}

const manifest = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', '..', 'package.json'), 'utf8')) as Manifest;

/**
 * The audit of every setting: a repository's `.vscode/settings.json` must not be
 * able to make Inkwell load code or models, read files outside the workspace,
 * or reach the network. These are the settings that could; VS Code ignores
 * their workspace values until the workspace is trusted.
 */
const MUST_BE_RESTRICTED: Record<string, string> = {
  'inkwell.models.paths': 'folders of ONNX models, run by a native runtime',
  'inkwell.models.text': 'a model name or folder path',
  'inkwell.models.image': 'a model name or folder path',
  'inkwell.models.chat': 'a model name or folder path (the instruct model for writing help)',
  'inkwell.models.draftModel': 'a model name or folder path (the draft model for speculative decoding)',
  'inkwell.validation.schema': 'a JSON file read from a path (which may lead outside the workspace)',
  'inkwell.preview.stylesheet': 'CSS loaded into the preview',
  'inkwell.preview.allowHttpsImages': 'lets the preview load images from the network',
  'inkwell.models.hubEndpoint': 'the server Download Model fetches model files from',
  'inkwell.runtime.threads': 'threads the runtime starts (a repository could ask for hundreds)',
  'inkwell.runtime.maxMemoryMB': 'the memory the runtime may take before it is stopped',
  'inkwell.runtime.optimizedModelCacheMB': "disk space in the user's storage the runtime may fill with optimized graphs",
};

describe('settings an untrusted workspace cannot set', () => {
  it('restricts exactly the audited settings, and each of them exists', () => {
    const restricted = manifest.capabilities.untrustedWorkspaces.restrictedConfigurations;
    assert.deepStrictEqual([...restricted].sort(), Object.keys(MUST_BE_RESTRICTED).sort());
    const settings = Object.assign({}, ...manifest.contributes.configuration.map((group) => group.properties)) as Record<string, unknown>;
    for (const key of restricted) assert.ok(key in settings, `${key} is a setting`);
    assert.strictEqual(manifest.capabilities.untrustedWorkspaces.supported, 'limited');
  });
});
