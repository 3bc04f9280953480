// Flat config. Beyond the recommended rules, the layering of src/ (README's Layout): each folder
// may import only the folders below it, so code that runs outside VS Code (CLI, worker threads,
// webview, unit tests) never pulls in what it cannot run.
import { builtinModules } from 'node:module';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const SRC_FOLDERS = ['core', 'python', 'protocol', 'worker', 'cli', 'extension', 'webview'];

/**
 * `no-restricted-imports` for the files of src/<folder>: no import of the `forbidden` src
 * folders, and of `vscode` unless `vscode` is allowed; `dom` code (the webview) imports no Node
 * module either. Imports between folders are relative (`../core/ops`, `../../worker/pool`), so a
 * folder is recognised as the first name after the leading `../`s; no subfolder of src/ reuses a
 * top-level folder's name.
 */
function layer(folder, { forbidden, vscode = false, dom = false }) {
  const paths = vscode ? [] : [{ name: 'vscode', message: `src/${folder} runs outside VS Code: keep vscode imports in src/extension.` }];
  const patterns = [];
  if (forbidden.length > 0) {
    patterns.push({
      regex: `^(\\.\\./)+(${forbidden.join('|')})(/|$)`,
      message: `src/${folder} must not import src/${forbidden.length === 1 ? forbidden[0] : `{${forbidden.join(',')}}`} (layering: README's Layout).`,
    });
  }
  if (dom) {
    patterns.push({ regex: `^(node:.*|${builtinModules.join('|')})(/.*)?$`, message: `src/${folder} runs in the webview (a browser): no Node modules.` });
  }
  return { files: [`src/${folder}/**/*.ts`], rules: { 'no-restricted-imports': ['error', { paths, patterns }] } };
}

const except = (...allowed) => SRC_FOLDERS.filter((f) => !allowed.includes(f));

export default tseslint.config(
  { ignores: ['dist/**', 'out/**', 'node_modules/**', '.cache/**', '.vscode-test/**', 'test-results/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      'no-console': 'off',
    },
  },
  {
    files: ['src/**/*.ts'],
    rules: { 'no-console': 'error' },
  },
  {
    files: ['src/cli/**/*.ts'],
    rules: { 'no-console': 'off' },
  },
  layer('core', { forbidden: except('core') }),
  layer('python', { forbidden: ['worker', 'extension', 'webview', 'cli'] }),
  layer('protocol', { forbidden: ['extension', 'worker', 'cli'] }),
  layer('webview', { forbidden: except('webview', 'protocol', 'core'), dom: true }),
  layer('worker', { forbidden: [] }),
  layer('cli', { forbidden: [] }),
  {
    files: ['**/*.mjs', '**/*.cjs', '**/*.js'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', URL: 'readonly', Buffer: 'readonly', __dirname: 'readonly', require: 'readonly', module: 'writable', window: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
