// Loads dist/extension.js with a stand-in `vscode` module and times activate(): what `npm run bench`
// reports as activation when no VS Code is at hand. Every vscode API is a no-op stand-in (calls return
// more stand-ins, events never fire), so this times the extension's own module loading and wiring,
// not VS Code's. Prints one JSON line: { loadMs, activateMs, reportedMs, deferredMs }, deferredMs
// being the load of dist/languageClient.js beside it, which the extension requires only when it first
// starts the server, after activate() has returned (null when the build has no such bundle).
import { existsSync, readFileSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import path from 'node:path';
import { performance } from 'node:perf_hooks';

const require = createRequire(import.meta.url);

const extensionPath = path.resolve(process.argv[2] ?? 'dist/extension.js');

function stub(name) {
  const target = function () {};
  return new Proxy(target, {
    get(_, key) {
      if (key === 'then') return undefined; // not a promise
      if (key === Symbol.toPrimitive) return () => name;
      if (key === Symbol.iterator) return function* () {};
      if (key === 'dispose') return () => undefined;
      if (key === 'fsPath' || key === 'path') return path.join(path.dirname(extensionPath), '..', String(name));
      return stub(`${name}.${String(key)}`);
    },
    set: () => true,
    apply: () => stub(`${name}()`),
    construct: () => stub(`new ${name}`),
  });
}

// esbuild copies a module's own properties when it imports it: give the stand-in every name the
// bundle reads from vscode (found in its text), each a stand-in itself.
// The language client bundle beside it (loaded after activate(), below) reads more of vscode.
const deferredPath = path.join(path.dirname(extensionPath), 'languageClient.js');
const bundle = readFileSync(extensionPath, 'utf8') + (existsSync(deferredPath) ? readFileSync(deferredPath, 'utf8') : '');
// `x = require("vscode")`, `x = __toESM(require("vscode"))`, minified or not.
const bindings = new Set([...bundle.matchAll(/([\w$]+)\s*=\s*(?:[\w$]+\()?require\(["']vscode["']\)/g)].map((match) => match[1]));
const names = new Set(['Uri', 'EventEmitter', 'Disposable']);
for (const match of bundle.matchAll(/([\w$]+)\.([A-Za-z_$][\w$]*)/g)) if (bindings.has(match[1])) names.add(match[2]);
const vscode = Object.fromEntries([...names].map((name) => [name, stub(name)]));
const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  return request === 'vscode' ? 'vscode' : resolve.call(this, request, ...rest);
};
require.cache.vscode = { id: 'vscode', filename: 'vscode', loaded: true, exports: vscode };
process.on('unhandledRejection', () => undefined);

const context = { subscriptions: [], extensionUri: stub('extensionUri'), secrets: stub('secrets'), globalState: stub('globalState'), workspaceState: stub('workspaceState') };
const t0 = performance.now();
const extension = require(extensionPath);
const t1 = performance.now();
const api = extension.activate(context);
const t2 = performance.now();
let deferredMs = null;
if (existsSync(deferredPath)) {
  const t3 = performance.now();
  require(deferredPath);
  deferredMs = performance.now() - t3;
}
process.stdout.write(`${JSON.stringify({ loadMs: t1 - t0, activateMs: t2 - t1, reportedMs: api?.activationMs ?? null, deferredMs })}\n`);
// The stand-in server never starts; leave at once.
process.exit(0);
