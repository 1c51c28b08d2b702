// The package tier: builds the VSIX the way `npm run package` does and checks what ships in it.
// Prints one line per check and a closing "package: N passed, N failed" line.
import { execFileSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import yauzl from 'yauzl';

const maxBytes = 2 * 1024 * 1024;
const vsix = join('dist', 'plumbline.vsix');
// Exactly what may ship: the bundles, the webview assets, the icons and the documents.
const allowed = new Set([
  'extension.vsixmanifest',
  '[Content_Types].xml',
  'extension/package.json',
  'extension/readme.md',
  'extension/changelog.md',
  'extension/LICENSE.txt',
  'extension/dist/extension.js',
  'extension/dist/languageClient.js',
  'extension/dist/server.js',
  'extension/dist/server-main.js',
  'extension/dist/sdk-anthropic.js',
  'extension/dist/sdk-openai.js',
  'extension/dist/sdk-acp.js',
  'extension/dist/sdk-mcp.js',
  'extension/dist/cli.js',
  'extension/dist/cli-main.js',
  'extension/dist/webview/sidebar.js',
  'extension/dist/webview/codicon.css',
  'extension/dist/webview/codicon.ttf',
  'extension/media/icon.png',
  'extension/media/plumbline.svg',
  'extension/media/sidebar.css',
]);
const required = ['extension/package.json', 'extension/dist/extension.js', 'extension/dist/languageClient.js', 'extension/dist/server.js', 'extension/dist/server-main.js', 'extension/dist/sdk-anthropic.js', 'extension/dist/sdk-openai.js', 'extension/dist/sdk-acp.js', 'extension/dist/sdk-mcp.js', 'extension/dist/cli.js', 'extension/dist/cli-main.js', 'extension/dist/webview/sidebar.js', 'extension/readme.md', 'extension/LICENSE.txt'];

/** One entry's text, read from the VSIX. */
function readEntry(path, wanted) {
  return new Promise((resolve, reject) => {
    yauzl.open(path, { lazyEntries: true }, (error, zip) => {
      if (error) return reject(error);
      zip.on('entry', (entry) => {
        if (entry.fileName !== wanted) return zip.readEntry();
        zip.openReadStream(entry, (streamError, stream) => {
          if (streamError) return reject(streamError);
          const chunks = [];
          stream.on('data', (chunk) => chunks.push(chunk));
          stream.on('end', () => { zip.close(); resolve(Buffer.concat(chunks).toString('utf8')); });
        });
      });
      zip.on('end', () => resolve(''));
      zip.on('error', reject);
      zip.readEntry();
    });
  });
}

function listEntries(path) {
  return new Promise((resolve, reject) => {
    yauzl.open(path, { lazyEntries: true }, (error, zip) => {
      if (error) return reject(error);
      const names = [];
      zip.on('entry', (entry) => { names.push(entry.fileName); zip.readEntry(); });
      zip.on('end', () => resolve(names));
      zip.on('error', reject);
      zip.readEntry();
    });
  });
}

// Exactly what a maintainer runs; vsce's prepublish step makes the minified production build.
execFileSync('npm', ['run', '--silent', 'package'], { stdio: ['ignore', 'inherit', 'inherit'] });

const entries = await listEntries(vsix);
const size = statSync(vsix).size;
// The README's screenshots and GIF stay out of the VSIX: vsce points its relative links at the
// repository (package.json's `repository`), so the Marketplace and VS Code load them from there.
const readme = await readEntry(vsix, 'extension/readme.md');
const images = [...readme.matchAll(/!\[[^\]]*\]\(([^)\s]+)/g)].map((match) => match[1]);
// A bundle that loads another at run time (the entry stubs their main bundles, the server its
// lazily loaded SDKs, the extension the server) fails only when that code path runs: every file of
// the build a shipped bundle names must ship beside it.
const built = new Set(readdirSync('dist').filter((name) => name.endsWith('.js')));
const bundles = entries.filter((name) => /^extension\/dist\/[^/]+\.js$/.test(name));
const loaded = new Set();
for (const bundle of bundles) {
  const text = await readEntry(vsix, bundle);
  for (const match of text.matchAll(/["'](?:\.\/)?([a-z][a-z0-9-]*\.js)["']/g)) {
    const name = match[1];
    if (built.has(name) && `extension/dist/${name}` !== bundle) loaded.add(`extension/dist/${name}`);
  }
}
const missingLoads = [...loaded].filter((name) => !entries.includes(name));
const checks = [
  [`VSIX is at most 2 MB (${(size / 1024).toFixed(0)} KB)`, size <= maxBytes],
  [`only allowed files ship (${entries.length} entries)`, entries.every((name) => allowed.has(name)), entries.filter((name) => !allowed.has(name))],
  ['every required file ships', required.every((name) => entries.includes(name)), required.filter((name) => !entries.includes(name))],
  [`every file a bundle loads at run time ships (${loaded.size}: ${[...loaded].map((name) => name.slice('extension/dist/'.length)).join(', ')})`, loaded.size > 0 && missingLoads.length === 0, missingLoads],
  ['no source maps or sources ship', !entries.some((name) => /\.(map|ts)$/.test(name))],
  [`the README's ${images.length} images resolve by https URL, not from the VSIX`, images.length > 0 && images.every((url) => url.startsWith('https://')), images.filter((url) => !url.startsWith('https://'))],
];
let failed = 0;
for (const [label, ok, extra] of checks) {
  if (!ok) failed += 1;
  console.log(`${ok ? '✔' : '✘'} ${label}${!ok && extra?.length ? `: ${extra.join(', ')}` : ''}`);
}
console.log(`package: ${checks.length - failed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);
