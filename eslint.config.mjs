// Lint rules that keep the layers apart and the boundaries typed. `npm run lint` runs tsc first.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const vscodeOnlyHere = 'Only src/extension.ts and src/client/** may import "vscode": the engine runs in the CLI and tests too.';
const nodeBuiltins = ['node:*', 'fs', 'path', 'child_process', 'os', 'crypto', 'net', 'http', 'https', 'url', 'util', 'stream'];

const layers = ['protocol', 'tools', 'agent', 'server', 'cli', 'client', 'webview'];
/** What each layer may import besides itself; the rest is refused. */
const mayImport = {
  protocol: [],
  tools: ['protocol'],
  agent: ['protocol', 'tools'],
  server: ['protocol', 'tools', 'agent'],
  cli: ['protocol'],
  client: ['protocol'],
  webview: ['protocol'],
};
const why = {
  protocol: 'protocol/ is shared by every side: it imports no other layer.',
  tools: 'tools/ reach the engine only through their context (src/tools/toolContexts.ts): no agent, server or UI imports.',
  agent: 'The engine (agent/) reaches the world through ports: it never imports server, cli, client or webview.',
  server: 'server/ wires the engine to LSP: it never imports a client (cli, client, webview).',
  cli: 'cli/ is a client of the server: it imports only protocol/ (the engine runs in the server process).',
  client: 'client/ is the VS Code side: it imports only protocol/ (the engine runs in the server process).',
  webview: 'webview/ runs in the browser: it imports only protocol/.',
};

function layerZones() {
  return layers.map((layer) => {
    const browser = layer === 'protocol' || layer === 'webview';
    const vscodeAllowed = layer === 'client';
    const forbidden = layers.filter((other) => other !== layer && !mayImport[layer].includes(other));
    return {
      files: [`src/${layer}/**/*.ts`, ...(layer === 'client' ? ['src/extension.ts'] : [])],
      rules: {
        'no-restricted-imports': ['error', {
          paths: vscodeAllowed ? [] : [{ name: 'vscode', message: vscodeOnlyHere }],
          patterns: [
            ...(forbidden.length > 0 ? [{ regex: `^(\\.\\./)+(${forbidden.join('|')})(/|$)`, message: why[layer] }] : []),
            // src/extension.ts sits beside the layers: it reaches them with './'.
            ...(layer === 'client' ? [{ regex: `^\\./(${forbidden.join('|')})(/|$)`, message: why.client }] : []),
            ...(browser ? [{ group: nodeBuiltins, message: 'protocol/ and webview/ must run in a browser: no Node built-ins.' }] : []),
          ],
        }],
      },
    };
  });
}

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
  // The layers, as import zones: protocol ← tools ← agent ← server; protocol ← cli, client, webview.
  // Each folder lists the layers it may not reach (a relative import that climbs into one of them).
  // test/unit/lintBoundaries.test.ts proves every zone fires.
  ...layerZones(),
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
