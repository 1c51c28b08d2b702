import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, beforeEach, describe, test } from 'node:test';
import { codeCacheDir, codeCacheName, loadBundle } from '../../src/boot/bundleLoader';

describe('bundleLoader: the bundles load through a V8 code cache keyed by their bytes', () => {
  const root = mkdtempSync(join(tmpdir(), 'plumbline-bundle-loader-'));
  let bundles: string;
  let cache: string;
  let env: NodeJS.ProcessEnv;
  let counter = 0;
  beforeEach(() => {
    counter += 1;
    bundles = join(root, `dist-${counter}`);
    cache = join(root, `cache-${counter}`);
    mkdirSync(bundles, { recursive: true });
    env = { PLUMBLINE_CODE_CACHE: cache };
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  const cached = (): string[] => (existsSync(cache) ? readdirSync(cache).filter((name) => name.endsWith('.bin')) : []);

  test('runs a CommonJS bundle as Node would: exports, require relative to it, __filename and __dirname', () => {
    writeFileSync(join(bundles, 'helper.js'), 'module.exports = { twice: (n) => n * 2 };\n');
    writeFileSync(join(bundles, 'main.js'), '#!/usr/bin/env node\nconst { twice } = require("./helper.js");\nmodule.exports = { value: twice(21), file: __filename, dir: __dirname, self: this === module.exports };\n');
    const loaded = loadBundle(bundles, 'main.js', { env, writeAfterMs: 0 });
    assert.deepEqual(loaded.exports, { value: 42, file: join(bundles, 'main.js'), dir: bundles, self: true });
    assert.equal(loaded.cacheUsed, false);
  });

  test('a second start uses the cache the first one wrote', async () => {
    writeFileSync(join(bundles, 'server-main.js'), 'function add(a, b) { return a + b; }\nmodule.exports = add(1, 2);\n');
    assert.equal(loadBundle(bundles, 'server-main.js', { env, writeAfterMs: 0 }).cacheUsed, false);
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(cached().length, 1, 'one cache file');
    const again = loadBundle(bundles, 'server-main.js', { env, writeAfterMs: 0 });
    assert.equal(again.exports, 3);
    assert.equal(again.cacheUsed, true);
  });

  test('a bundle of the same length but other bytes never runs on the old cache', async () => {
    writeFileSync(join(bundles, 'cli-main.js'), 'module.exports = "aaaa";\n');
    loadBundle(bundles, 'cli-main.js', { env, writeAfterMs: 0 });
    await new Promise((resolve) => setImmediate(resolve));
    // V8 checks only a cache's source length: the key is the bytes, so an upgrade gets its own.
    writeFileSync(join(bundles, 'cli-main.js'), 'module.exports = "bbbb";\n');
    const upgraded = loadBundle(bundles, 'cli-main.js', { env, writeAfterMs: 0 });
    assert.equal(upgraded.exports, 'bbbb');
    assert.equal(upgraded.cacheUsed, false);
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(cached(), [codeCacheName('cli-main.js', 'module.exports = "bbbb";\n')], "the old version's cache is removed");
  });

  test("a damaged cache is not used, the bundle still runs, and a good cache replaces it", async () => {
    const source = 'module.exports = [1, 2, 3].map((n) => n + 1);\n';
    writeFileSync(join(bundles, 'sdk-x.js'), source);
    mkdirSync(cache, { recursive: true });
    writeFileSync(join(cache, codeCacheName('sdk-x.js', source)), Buffer.from('not a V8 code cache at all'));
    const loaded = loadBundle(bundles, 'sdk-x.js', { env, writeAfterMs: 0 });
    assert.deepEqual(loaded.exports, [2, 3, 4]);
    assert.equal(loaded.cacheUsed, false);
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(loadBundle(bundles, 'sdk-x.js', { env, writeAfterMs: 0 }).cacheUsed, true);
  });

  test('another runtime keeps its own cache of the same bundle (the CLI’s Node beside VS Code’s Electron)', async () => {
    const source = 'module.exports = 7;\n';
    writeFileSync(join(bundles, 'server-main.js'), source);
    mkdirSync(cache, { recursive: true });
    const electron = codeCacheName('server-main.js', source, 'v20.18.0 x64 12.4.254.21-electron.0');
    writeFileSync(join(cache, electron), Buffer.from('electron'));
    loadBundle(bundles, 'server-main.js', { env, writeAfterMs: 0 });
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(cached().sort(), [electron, codeCacheName('server-main.js', source)].sort());
  });

  test('off writes nothing; a cache folder that cannot be made still loads the bundle', async () => {
    writeFileSync(join(bundles, 'main.js'), 'module.exports = "ok";\n');
    assert.equal(loadBundle(bundles, 'main.js', { env: { PLUMBLINE_CODE_CACHE: 'off' }, writeAfterMs: 0 }).exports, 'ok');
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(existsSync(cache), false);
    // A file where the folder would be.
    writeFileSync(cache, 'a file');
    assert.equal(loadBundle(bundles, 'main.js', { env, writeAfterMs: 0 }).exports, 'ok');
    await new Promise((resolve) => setImmediate(resolve));
  });

  test('a cache folder or file others may write is not trusted: the bundle compiles as Node would', { skip: process.platform === 'win32' ? 'POSIX modes' : false }, async () => {
    const source = 'module.exports = "fresh";\n';
    writeFileSync(join(bundles, 'server-main.js'), source);
    loadBundle(bundles, 'server-main.js', { env, writeAfterMs: 0 });
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(loadBundle(bundles, 'server-main.js', { env, writeAfterMs: 0 }).cacheUsed, true);
    chmodSync(join(cache, codeCacheName('server-main.js', source)), 0o666);
    assert.equal(loadBundle(bundles, 'server-main.js', { env, writeAfterMs: 0 }).cacheUsed, false, 'a world-writable cache file');
    chmodSync(join(cache, codeCacheName('server-main.js', source)), 0o600);
    chmodSync(cache, 0o777);
    const planted = loadBundle(bundles, 'server-main.js', { env, writeAfterMs: 0 });
    assert.equal(planted.cacheUsed, false, 'a world-writable cache folder');
    assert.equal(planted.exports, 'fresh');
    chmodSync(cache, 0o700);
  });

  test('a bundle that throws while loading throws to its caller', () => {
    writeFileSync(join(bundles, 'broken.js'), 'throw new Error("broken at load");\n');
    assert.throws(() => loadBundle(bundles, 'broken.js', { env, writeAfterMs: 0 }), /broken at load/);
  });

  test('the cache lives in the user cache folder, never the workspace', () => {
    assert.equal(codeCacheDir({ XDG_CACHE_HOME: '/x/cache' }, 'linux', '/home/u'), '/x/cache/plumbline/code-cache');
    assert.equal(codeCacheDir({ XDG_CACHE_HOME: 'relative' }, 'linux', '/home/u'), '/home/u/.cache/plumbline/code-cache');
    assert.equal(codeCacheDir({}, 'darwin', '/Users/u'), '/Users/u/Library/Caches/plumbline/code-cache');
    assert.equal(codeCacheDir({ PLUMBLINE_CODE_CACHE: 'off' }, 'linux', '/home/u'), undefined);
    assert.equal(codeCacheDir({ PLUMBLINE_CODE_CACHE: 'relative/dir' }, 'linux', '/home/u'), '/home/u/.cache/plumbline/code-cache');
  });
});
