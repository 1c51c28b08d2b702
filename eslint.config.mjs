// Lint rules that keep the layers apart and the boundaries typed. `npm run lint` runs tsc first.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const vscodeOnlyHere = 'Only src/extension.ts and src/client/** may import "vscode": the engine runs in the CLI and tests too.';
const nodeBuiltins = ['node:*', 'fs', 'path', 'child_process', 'os', 'crypto', 'net', 'http', 'https', 'url', 'util', 'stream'];

export default tseslint.config(
  { ignores: ['dist/**', 'out/**', 'node_modules/**', '.vscode-test/**', 'test-artifacts/**', 'test/fixtures/**', '**/*.d.ts'] },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true, allowBoolean: true }],
      '@typescript-eslint/no-confusing-void-expression': ['error', { ignoreArrowShorthand: true }],
      '@typescript-eslint/no-unnecessary-condition': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { ignoreRestSiblings: true, argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // `import { z }` pulls every zod locale into a bundle (~450 KB); the namespace import tree-shakes.
      'no-restricted-syntax': ['error', {
        selector: "ImportDeclaration[source.value='zod'] > ImportSpecifier[imported.name='z']",
        message: "Use `import * as z from 'zod'`: the named import defeats tree-shaking (~450 KB more per bundle).",
      }],
    },
  },
  {
    // Everything except the VS Code side must not import vscode.
    files: ['src/**/*.ts'],
    ignores: ['src/extension.ts', 'src/client/**'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [
          { name: 'vscode', message: vscodeOnlyHere },
        ],
      }],
    },
  },
  {
    // protocol/ and webview/ run in the browser too: no Node built-ins, no vscode.
    files: ['src/protocol/**/*.ts', 'src/webview/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [
          { name: 'vscode', message: vscodeOnlyHere },
        ],
        patterns: [{ group: nodeBuiltins, message: 'protocol/ and webview/ must run in a browser: no Node built-ins.' }],
      }],
    },
  },
  {
    // Build and harness scripts are plain JavaScript: lint them without type information.
    files: ['**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: { ...tseslint.configs.disableTypeChecked.languageOptions, globals: { console: 'readonly', process: 'readonly', URL: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', fetch: 'readonly', Buffer: 'readonly' } },
  },
  {
    files: ['test/**/*.ts'],
    rules: {
      // Tests assert on shapes they built themselves; non-null assertions there are deliberate.
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-floating-promises': ['error', { allowForKnownSafeCalls: [{ from: 'package', name: ['test', 'it', 'describe', 'suite'], package: 'node:test' }] }],
    },
  },
);
