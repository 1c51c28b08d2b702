// Builds every bundle Plumbline ships, plus the integration-test bundles.
//   node esbuild.mjs               development build (source maps)
//   node esbuild.mjs --production  minified build for packaging
//   node esbuild.mjs --watch       rebuild on change, reporting through the problem matcher
//   node esbuild.mjs --tests       also bundle the tests that run inside VS Code
import * as esbuild from 'esbuild';
import { chmodSync, copyFileSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');
const tests = process.argv.includes('--tests');
const { version } = JSON.parse(readFileSync('package.json', 'utf8'));

/**
 * Prints one "build started" / "build finished" pair per rebuild across all bundles, in the shape
 * the watch task's problem matcher reads, with errors as `✘ [ERROR] text` then `file:line:col:`.
 */
let building = 0;
const problemMatcher = {
  name: 'problem-matcher',
  setup(build) {
    build.onStart(() => {
      if (building++ === 0) console.log('[watch] build started');
    });
    build.onEnd((result) => {
      for (const { text, location } of result.errors) {
        console.error(`✘ [ERROR] ${text}`);
        if (location) console.error(`    ${location.file}:${location.line}:${location.column}:`);
      }
      if (--building === 0) console.log('[watch] build finished');
    });
  },
};

const shared = {
  bundle: true,
  minify: production,
  sourcemap: production ? false : 'linked',
  sourcesContent: false,
  logLevel: watch ? 'silent' : 'warning',
  define: { PLUMBLINE_VERSION: JSON.stringify(version) },
  plugins: watch ? [problemMatcher] : [],
};

const node = { ...shared, platform: 'node', target: 'node20', format: 'cjs' };

/**
 * The providers' SDKs, more than half of the server's code, are bundles of their own: the model
 * client that needs one loads it (`import()` in anthropicClient.ts and openaiClient.ts) while the
 * run's first git look-ups go on, so the server starts without parsing them and a run never loads
 * the provider it does not use.
 */
const sdkBundles = { '@anthropic-ai/sdk': 'sdk-anthropic', openai: 'sdk-openai', '@agentclientprotocol/sdk': 'sdk-acp' };
/**
 * The Agent Client Protocol SDK (and the zod copy it brings) is loaded by `plumbline acp` only
 * (`import()` in src/cli/acp/acpCommand.ts), so `plumbline run` starts without parsing it.
 */
const sdkFilter = new RegExp(`^(${Object.keys(sdkBundles).map((name) => name.replace(/[/.]/g, '\\$&')).join('|')})$`);
/** Local modules that are bundles of their own, loaded the same way: the MCP SDK only when a server is configured. */
const localSdkBundles = { './mcpSdk': { bundle: 'sdk-mcp', entry: 'src/agent/mcp/mcpSdk.ts' } };
const bundleLoader = join(process.cwd(), 'src', 'boot', 'bundleLoader.ts');
const lazySdks = {
  name: 'lazy-sdks',
  setup(build) {
    build.onResolve({ filter: sdkFilter }, (args) => {
      // A static import would put the whole SDK back into the server's bundle.
      if (args.kind !== 'dynamic-import') return { errors: [{ text: `import ${args.path} with import() (see sdkBundles in esbuild.mjs), not statically` }] };
      return { path: args.path, namespace: 'lazy-sdk' };
    });
    build.onResolve({ filter: /^\.\/mcpSdk$/ }, (args) => {
      if (args.kind !== 'dynamic-import') return { errors: [{ text: `import ${args.path} with import() (see localSdkBundles in esbuild.mjs), not statically` }] };
      return { path: args.path, namespace: 'lazy-sdk' };
    });
    // A CommonJS stand-in: esbuild turns the import() into a require() of it, made when it is called.
    // Through the code cache (src/boot/bundleLoader.ts), as the entry stubs load the main bundles.
    build.onLoad({ filter: /.*/, namespace: 'lazy-sdk' }, (args) => ({ contents: `module.exports = require(${JSON.stringify(bundleLoader)}).loadBundle(__dirname, './${sdkBundles[args.path] ?? localSdkBundles[args.path].bundle}.js').exports;`, loader: 'js', resolveDir: process.cwd() }));
  },
};

const targets = [
  // Two bundles for the extension: what activate() needs, and the language client, which the server
  // controller requires when it first starts the server (so activation does not load it).
  {
    ...node,
    entryPoints: { extension: 'src/extension.ts', languageClient: 'src/client/agentServer/languageClient.ts' },
    outdir: 'dist',
    external: ['vscode'],
  },
  // The server and the CLI are each a small entry (src/boot) that loads the real bundle
  // (server-main.js, cli-main.js) through a V8 code cache: later starts skip most compiling.
  { ...node, entryPoints: { server: 'src/boot/serverEntry.ts' }, outdir: 'dist' },
  { ...node, entryPoints: { 'server-main': 'src/server/main.ts' }, outdir: 'dist', plugins: [...node.plugins, lazySdks] },
  { ...node, entryPoints: Object.fromEntries([...Object.entries(sdkBundles).map(([sdk, bundle]) => [bundle, sdk]), ...Object.values(localSdkBundles).map(({ bundle, entry }) => [bundle, entry])]), outdir: 'dist' },
  { ...node, entryPoints: { cli: 'src/boot/cliEntry.ts' }, outdir: 'dist', banner: { js: '#!/usr/bin/env node' } },
  { ...node, entryPoints: { 'cli-main': 'src/cli/main.ts' }, outdir: 'dist', plugins: [...node.plugins, lazySdks] },
  {
    ...shared,
    platform: 'browser',
    target: 'es2022',
    format: 'iife',
    entryPoints: { sidebar: 'src/webview/sidebar.ts' },
    outdir: 'dist/webview',
    // markdown-it decodes entities one at a time; the browser does that without ~75 KB of tables.
    alias: { entities: './src/webview/entities.ts' },
  },
];

if (tests) {
  // suite/: the integration tests; bench/: the opt-in benchmarks (PLUMBLINE_VSCODE_SUITE=bench, npm run bench:vscode).
  const suite = ['suite', 'bench'].flatMap((folder) => readdirSync(join('test/vscode', folder)).filter((name) => name.endsWith('.test.ts')).map((name) => join(folder, name)));
  targets.push({
    ...node,
    sourcemap: 'inline',
    minify: false,
    entryPoints: ['test/vscode/index.ts', ...suite.map((name) => join('test/vscode', name))],
    outbase: 'test/vscode',
    outdir: 'out/test/vscode',
    // vscode is provided by the extension host; mocha loads test files by path, so it stays a module.
    external: ['vscode', 'mocha'],
  });
}

/** Static webview assets that come from packages: the codicon font and its stylesheet. */
function copyAssets() {
  mkdirSync('dist/webview', { recursive: true });
  for (const file of ['codicon.css', 'codicon.ttf']) {
    copyFileSync(join('node_modules/@vscode/codicons/dist', file), join('dist/webview', file));
  }
}

copyAssets();
if (watch) {
  const contexts = await Promise.all(targets.map((options) => esbuild.context(options)));
  await Promise.all(contexts.map((context) => context.watch()));
} else {
  await Promise.all(targets.map((options) => esbuild.build(options)));
  chmodSync('dist/cli.js', 0o755);
}
