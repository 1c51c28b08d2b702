// Lint rules that keep the layers apart and the boundaries typed. `npm run lint` runs tsc first.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const vscodeOnlyHere = 'Only src/extension.ts and src/client/** may import "vscode": the engine runs in the CLI and tests too.';
const nodeBuiltins = ['node:*', 'fs', 'path', 'child_process', 'os', 'crypto', 'net', 'http', 'https', 'url', 'util', 'stream'];

const layers = ['protocol', 'tools', 'agent', 'server', 'cli', 'client', 'webview', 'boot'];
/** What each layer may import besides itself; the rest is refused. */
const mayImport = {
  protocol: [],
  tools: ['protocol'],
  agent: ['protocol', 'tools', 'boot'],
  server: ['protocol', 'tools', 'agent'],
  cli: ['protocol'],
  client: ['protocol'],
  webview: ['protocol'],
  boot: [],
};
const why = {
  protocol: 'protocol/ is shared by every side: it imports no other layer.',
  tools: 'tools/ reach the engine only through their context (src/tools/toolContexts.ts): no agent, server or UI imports.',
  agent: 'The engine (agent/) reaches the world through ports: it never imports server, cli, client or webview.',
  server: 'server/ wires the engine to LSP: it never imports a client (cli, client, webview).',
  cli: 'cli/ is a client of the server: it imports only protocol/ (the engine runs in the server process).',
  client: 'client/ is the VS Code side: it imports only protocol/ (the engine runs in the server process).',
  webview: 'webview/ runs in the browser: it imports only protocol/.',
  boot: 'boot/ holds the entry stubs that load the bundles (dist/cli.js, dist/server.js) and the user cache folder they and the engine share: it imports no other layer, so a stub stays a few kilobytes.',
};

/**
 * The engine's adapters: the only modules of src/agent that touch the disk, processes or the
 * network. Everything else in the engine decides on data it is given (ports, or these modules'
 * results), so it runs the same in the CLI, VS Code and in-process tests.
 */
const engineAdapters = [
  'src/agent/gitProcess.ts',
  'src/agent/commands/resolveLinks.ts',
  'src/agent/run/branchGit.ts', 'src/agent/run/checkpoint.ts', 'src/agent/run/journal.ts', 'src/agent/run/runStore.ts',
  'src/agent/sandbox/bubblewrap.ts', 'src/agent/sandbox/detectSandbox.ts', 'src/agent/sandbox/homeToolchains.ts', 'src/agent/sandbox/memoryWatch.ts',
  'src/agent/sandbox/networkProxy.ts', 'src/agent/sandbox/processLimit.ts', 'src/agent/sandbox/sandboxPolicy.ts',
  'src/agent/mcp/mcpLaunch.ts', 'src/agent/mcp/mcpTrust.ts',
  'src/agent/verify/baselineCache.ts', 'src/agent/verify/cacheLayers.ts', 'src/agent/verify/detectTestCommand.ts', 'src/agent/verify/isolatedWorkspace.ts', 'src/agent/verify/isolationCopy.ts', 'src/agent/verify/isolationGit.ts',
  'src/agent/verify/isolationJournal.ts', 'src/agent/verify/isolationPaths.ts', 'src/agent/verify/isolationSweep.ts', 'src/agent/verify/processRunner.ts',
  'src/agent/verify/sourceTree.ts',
  'src/agent/workspace/atomicWrite.ts', 'src/agent/workspace/diskWorkspace.ts', 'src/agent/workspace/fileListing.ts', 'src/agent/workspace/workspacePaths.ts',
];
const systemModules = ['node:fs', 'node:fs/promises', 'node:child_process', 'node:net', 'node:http', 'node:https', 'node:dns', 'fs', 'fs/promises', 'child_process', 'net', 'http', 'https', 'dns'];

function layerZones() {
  return layers.map((layer) => {
    const browser = layer === 'protocol' || layer === 'webview';
    const vscodeAllowed = layer === 'client';
    const forbidden = layers.filter((other) => other !== layer && !mayImport[layer].includes(other));
    const zone = (files, ignores, adapters) => ({
      files,
      ...(ignores.length > 0 ? { ignores } : {}),
      rules: {
        'no-restricted-imports': ['error', {
          paths: [
            ...(vscodeAllowed ? [] : [{ name: 'vscode', message: vscodeOnlyHere }]),
            ...(adapters ? systemModules.map((name) => ({ name, message: 'Only the engine\'s adapters (engineAdapters in eslint.config.mjs, listed in AGENTS.md) touch the disk, processes or the network; take what you need through a port or from an adapter, or add the module to the list if it is one.' })) : []),
          ],
          patterns: [
            ...(forbidden.length > 0 ? [{ regex: `^(\\.\\./)+(${forbidden.join('|')})(/|$)`, message: why[layer] }] : []),
            // src/extension.ts sits beside the layers: it reaches them with './'.
            ...(layer === 'client' ? [{ regex: `^\\./(${forbidden.join('|')})(/|$)`, message: why.client }] : []),
            ...(browser ? [{ group: nodeBuiltins, message: 'protocol/ and webview/ must run in a browser: no Node built-ins.' }] : []),
          ],
        }],
      },
    });
    const files = [`src/${layer}/**/*.ts`, ...(layer === 'client' ? ['src/extension.ts'] : [])];
    // In the engine, the adapters get the layer's rules; every other module also may not touch the system.
    if (layer === 'agent') return [zone(files, [], false), zone(files, engineAdapters, true)];
    return [zone(files, [], false)];
  }).flat();
}

export default tseslint.config(
  { ignores: ['dist/**', 'out/**', 'node_modules/**', '.vscode-test/**', 'test-artifacts/**', 'test/fixtures/**', 'bench/fixtures/**', '**/*.d.ts'] },
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
