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
    // Arrows point down: generation/ is used by the runtime process and the CLI and knows neither;
    // core/ is used by everything and knows nothing above it. Type-only imports count too
    // (import-x/no-cycle ignores them, so a type import back up would hide a cycle).
    files: ['src/generation/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: pureModules,
          patterns: [upperLayers(['runtime', 'services', 'features', 'preview', 'cli'], 'src/generation')],
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
          patterns: [upperLayers(['features', 'cli'], 'src/services')],
        },
      ],
    },
  },
  {
    files: ['src/core/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: pureModules,
          patterns: [upperLayers(['generation', 'runtime', 'services', 'features', 'preview', 'cli'], 'src/core')],
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
          patterns: [upperLayers(['runtime', 'services', 'features', 'preview', 'cli'], 'src/remote')],
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
