// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';
import { importX } from 'eslint-plugin-import-x';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';

/** Modules the pure layers (src/core, src/generation) never import. */
const pureModules = [
  { name: 'vscode', message: 'src/core and src/generation are pure: no vscode imports.' },
  { name: 'onnxruntime-node', message: 'Only src/runtime/process (and the CLI) may import onnxruntime-node.' },
];

/**
 * The editor's rooms above the services, bottom up: views (tree, status bar items, context keys),
 * features and language features, and the command table. No room below imports them.
 */
const editorRooms = ['views', 'features', 'languageFeatures', 'commands'];

/** A no-restricted-imports pattern for relative imports that climb out of `layer` into one of `folders` of src/. */
function upperLayers(folders, layer) {
  return {
    regex: `^(\\.\\./)+(${folders.join('|')})(/|$)`,
    message: `${layer} must not import from src/{${folders.join(',')}}: those layers use it, not the reverse. Move the shared type down into ${layer}.`,
  };
}

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'out/**',
      'node_modules/**',
      '.vscode-test/**',
      'models/**',
      'training/**',
      'media/webview/**',
      'media/*.js',
      'bench/.cache/**',
      '*.vsix',
      'test/sites/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      eqeqeq: ['error', 'smart'],
      // Nothing in Inkwell evaluates strings as code.
      'no-eval': 'error',
      'no-implied-eval': 'error',
      'no-new-func': 'error',
    },
  },
  {
    // Layers depend one way: an import cycle between modules is an error.
    files: ['src/**/*.ts'],
    plugins: { 'import-x': importX },
    settings: {
      'import-x/extensions': ['.ts'],
      'import-x/resolver-next': [createTypeScriptImportResolver({ project: './tsconfig.json' })],
    },
    rules: { 'import-x/no-cycle': ['error', { ignoreExternal: true }] },
  },
  {
    // The pure core never touches the editor API: it works on strings, offsets and plain objects.
    files: ['src/core/**/*.ts', 'src/generation/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { paths: [{ name: 'vscode', message: 'src/core and src/generation are pure: no vscode imports.' }] },
      ],
    },
  },
  {
    // Only the runtime process loads the native ONNX Runtime addon.
    files: ['src/**/*.ts'],
    ignores: ['src/runtime/process/**', 'src/cli/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        { paths: [{ name: 'onnxruntime-node', message: 'Only src/runtime/process (and the CLI) may import onnxruntime-node.' }] },
      ],
    },
  },
  {
    // Settings are read and written in one place, util/config.ts (typed by InkwellConfig, with
    // the manifest's defaults); the rest of src/ asks it.
    files: ['src/**/*.ts'],
    ignores: ['src/util/config.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: "MemberExpression[property.name='getConfiguration']",
          message: 'Read and write settings through util/config.ts (readConfig, isUserSet, userSetting, writeSetting, editorSetting).',
        },
      ],
    },
  },
  // Arrows point down, type-only imports included (import-x/no-cycle ignores those, so a type
  // import back up would hide a cycle; scripts/importCycles.mjs looks for cycles with them).
  // The rooms, bottom up: core, util, generation, runtime (runtime/process beside the host side),
  // services and preview, views, features and languageFeatures, commands; cli and webview are
  // programs of their own. ARCHITECTURE.md draws the same picture.
  {
    // util/ holds small helpers every room above it uses (config, logger, views, dispose).
    files: ['src/util/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'onnxruntime-node', message: 'Only src/runtime/process (and the CLI) may import onnxruntime-node.' }],
          patterns: [
            upperLayers(['generation', 'runtime', 'remote', 'hub', 'services', 'preview', ...editorRooms, 'cli', 'webview'], 'src/util'),
          ],
        },
      ],
    },
  },
  {
    // generation/ is used by the runtime process and the CLI and knows neither.
    files: ['src/generation/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: pureModules,
          patterns: [upperLayers(['runtime', 'remote', 'hub', 'services', 'preview', ...editorRooms, 'cli', 'webview'], 'src/generation')],
        },
      ],
    },
  },
  {
    // The runtime (host side and process) serves the editor and the CLI and knows neither.
    files: ['src/runtime/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'vscode', message: 'src/runtime is free of the vscode API: the CLI and the benchmarks drive it too.' }],
          patterns: [upperLayers(['remote', 'services', 'preview', ...editorRooms, 'cli', 'webview'], 'src/runtime')],
        },
      ],
    },
  },
  {
    // The host side of the runtime never loads the native addon: the process does.
    files: ['src/runtime/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            { name: 'vscode', message: 'src/runtime is free of the vscode API: the CLI and the benchmarks drive it too.' },
            { name: 'onnxruntime-node', message: 'Only src/runtime/process (and the CLI) may import onnxruntime-node.' },
          ],
          patterns: [upperLayers(['remote', 'services', 'preview', ...editorRooms, 'cli', 'webview'], 'src/runtime')],
        },
      ],
    },
  },
  {
    // Services hold state the features share; features use them, never the reverse.
    files: ['src/services/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'onnxruntime-node', message: 'Only src/runtime/process (and the CLI) may import onnxruntime-node.' }],
          patterns: [upperLayers(['preview', ...editorRooms, 'cli', 'webview'], 'src/services')],
        },
      ],
    },
  },
  {
    // Panels and pages: they render what core/render makes and know no feature, service or model.
    files: ['src/preview/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'onnxruntime-node', message: 'Only src/runtime/process (and the CLI) may import onnxruntime-node.' }],
          patterns: [upperLayers(['generation', 'runtime', 'remote', 'hub', 'services', ...editorRooms, 'cli', 'webview'], 'src/preview')],
        },
      ],
    },
  },
  {
    // Views show the services' state (tree, status bar items, context keys); the features drive them.
    files: ['src/views/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'onnxruntime-node', message: 'Only src/runtime/process (and the CLI) may import onnxruntime-node.' }],
          patterns: [
            upperLayers(['runtime', 'remote', 'hub', 'preview', 'features', 'languageFeatures', 'commands', 'cli', 'webview'], 'src/views'),
          ],
        },
      ],
    },
  },
  {
    // Features hold what the commands do; the command table calls them, never the reverse.
    files: ['src/features/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'onnxruntime-node', message: 'Only src/runtime/process (and the CLI) may import onnxruntime-node.' }],
          patterns: [upperLayers(['languageFeatures', 'commands', 'cli', 'webview'], 'src/features')],
        },
      ],
    },
  },
  {
    // What VS Code asks about Markdown documents (diagnostics, quick fixes, completions, hovers,
    // ghost text): they read the services and know no feature, view or command.
    files: ['src/languageFeatures/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'onnxruntime-node', message: 'Only src/runtime/process (and the CLI) may import onnxruntime-node.' }],
          patterns: [
            upperLayers(['runtime', 'remote', 'hub', 'preview', 'views', 'features', 'commands', 'cli', 'webview'], 'src/languageFeatures'),
          ],
        },
      ],
    },
  },
  {
    // The command table calls into features, views and language features; only extension.ts imports it.
    files: ['src/commands/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'onnxruntime-node', message: 'Only src/runtime/process (and the CLI) may import onnxruntime-node.' }],
          patterns: [upperLayers(['cli', 'webview'], 'src/commands')],
        },
      ],
    },
  },
  {
    // The command ids are read in plain Node (their unit test): a list that imports nothing.
    files: ['src/commands/commandIds.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            { name: 'vscode', message: 'src/commands/commandIds.ts is read in plain Node: no vscode imports.' },
            { name: 'onnxruntime-node', message: 'Only src/runtime/process (and the CLI) may import onnxruntime-node.' },
          ],
          patterns: [{ regex: '^\\.', message: 'src/commands/commandIds.ts is a plain list: it imports nothing.' }],
        },
      ],
    },
  },
  {
    // Scripts inside the webviews: the browser, and the message types of preview/.
    files: ['src/webview/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: pureModules,
          patterns: [upperLayers(['util', 'generation', 'runtime', 'remote', 'hub', 'services', ...editorRooms, 'cli'], 'src/webview')],
        },
      ],
    },
  },
  {
    // The command line runs without the editor.
    files: ['src/cli/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'vscode', message: 'The CLI runs without VS Code.' }],
          patterns: [upperLayers(['services', 'preview', ...editorRooms, 'webview'], 'src/cli')],
        },
      ],
    },
  },
  {
    // core/ is pure: strings and plain data in, the same out; files and the network are for the rooms above.
    files: ['src/core/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            ...pureModules,
            ...['fs', 'fs/promises', 'node:fs', 'node:fs/promises', 'http', 'https', 'net', 'child_process'].map((name) => ({
              name,
              message: 'src/core does no I/O: read and write in the room that calls it (src/hub for downloads).',
            })),
          ],
          patterns: [
            upperLayers(
              ['util', 'generation', 'runtime', 'remote', 'hub', 'services', 'preview', ...editorRooms, 'cli', 'webview'],
              'src/core',
            ),
          ],
        },
      ],
    },
  },
  {
    // Model downloads are shared by the extension and the CLI: no editor API, nothing above them.
    files: ['src/hub/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            { name: 'vscode', message: 'src/hub is shared with the CLI: no vscode imports.' },
            { name: 'onnxruntime-node', message: 'Only src/runtime/process (and the CLI) may import onnxruntime-node.' },
          ],
          patterns: [upperLayers(['generation', 'runtime', 'remote', 'services', 'preview', ...editorRooms, 'cli', 'webview'], 'src/hub')],
        },
      ],
    },
  },
  {
    // The server client is shared by the extension and the CLI: no editor API, nothing above it.
    files: ['src/remote/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            { name: 'vscode', message: 'src/remote is shared with the CLI: no vscode imports.' },
            { name: 'onnxruntime-node', message: 'Only src/runtime/process (and the CLI) may import onnxruntime-node.' },
          ],
          patterns: [upperLayers(['runtime', 'services', 'preview', ...editorRooms, 'cli', 'webview'], 'src/remote')],
        },
      ],
    },
  },
  {
    files: ['**/*.js', '**/*.cjs'],
    languageOptions: { sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['src/webview/**/*.ts'],
    languageOptions: { globals: { ...globals.browser } },
  },
);
