import assert from 'node:assert/strict';
import { pathToFileURL } from 'node:url';
import { describe, test } from 'node:test';
import { copyPathMapper, fileUrlOf, withoutCopyPaths } from '../../src/agent/sandbox/copyPaths';

const copy = '/tmp/plumbline-verify/plumbline-verify-41-a1B2c3';
const workspace = '/home/ada/my project';

describe('copy paths in output become workspace paths', () => {
  const map = copyPathMapper({ copy: [copy], workspace });

  test('absolute paths, stack frames and the copy root alone', () => {
    assert.equal(map(`at Object.<anonymous> (${copy}/src/a.js:3:7)`), `at Object.<anonymous> (${workspace}/src/a.js:3:7)`);
    assert.equal(map(`location: '${copy}/test/a.test.js:5:1'`), `location: '${workspace}/test/a.test.js:5:1'`);
    assert.equal(map(`cwd ${copy}\n`), `cwd ${workspace}\n`);
  });

  test('file: URLs stay URLs, percent-encoded as Node writes them', () => {
    assert.equal(map(`at file://${copy}/src/a.mjs:1:1`), `at ${pathToFileURL(`${workspace}/src/a.mjs`).href}:1:1`);
    assert.equal(fileUrlOf('/home/ada/my project'), pathToFileURL('/home/ada/my project').href);
    assert.equal(fileUrlOf('C:\\Users\\ada\\p q'), 'file:///C:/Users/ada/p%20q');
  });

  test('macOS: /var and /private/var are one folder', () => {
    const mac = copyPathMapper({ copy: ['/private/var/folders/x1/T/plumbline-verify/plumbline-verify-7-zz9'], workspace: '/Users/ada/p' });
    assert.equal(mac('/var/folders/x1/T/plumbline-verify/plumbline-verify-7-zz9/a.js and /private/var/folders/x1/T/plumbline-verify/plumbline-verify-7-zz9/b.js'), '/Users/ada/p/a.js and /Users/ada/p/b.js');
  });

  test('Windows: backslashes, forward slashes, JSON escaping, drive-letter case and file: URLs', () => {
    const win = copyPathMapper({ copy: ['C:\\Users\\ada\\AppData\\Local\\Temp\\plumbline-verify\\plumbline-verify-9-Qw'], workspace: 'D:\\work\\shop' });
    assert.equal(win('at C:\\Users\\ada\\AppData\\Local\\Temp\\plumbline-verify\\plumbline-verify-9-Qw\\src\\a.ts:1'), 'at D:\\work\\shop\\src\\a.ts:1');
    assert.equal(win('c:/users/ada/AppData/Local/Temp/plumbline-verify/plumbline-verify-9-Qw/src/a.ts'), 'D:/work/shop/src/a.ts');
    assert.equal(win('{"file":"C:\\\\Users\\\\ada\\\\AppData\\\\Local\\\\Temp\\\\plumbline-verify\\\\plumbline-verify-9-Qw\\\\a.ts"}'), '{"file":"D:\\\\work\\\\shop\\\\a.ts"}');
    assert.equal(win('file:///C:/Users/ada/AppData/Local/Temp/plumbline-verify/plumbline-verify-9-Qw/a.ts'), 'file:///D:/work/shop/a.ts');
    assert.equal(win('C:\\Users\\RUNNER~1\\AppData\\Local\\Temp\\plumbline-verify\\plumbline-verify-9-Qw\\a.ts'), 'D:\\work\\shop\\a.ts', 'a short name no rule foresaw: the net');
  });

  test('a path that climbs to the copy, and the repository around a sub-folder copy', () => {
    assert.equal(map(`see ../../tmp/plumbline-verify/plumbline-verify-41-a1B2c3/src/a.js`), `see ${workspace}/src/a.js`);
    const sub = copyPathMapper({ copy: [`${copy}/packages/app`], workspace: '/repo/packages/app', scratch: copy, scratchFor: '/repo' });
    assert.equal(sub(`${copy}/packages/app/src/a.js imports ${copy}/packages/lib/b.js`), '/repo/packages/app/src/a.js imports /repo/packages/lib/b.js');
  });

  test('another copy of ours (a pool), and an error message no copy produced', () => {
    assert.equal(map('/tmp/plumbline-verify/plumbline-verify-41-OTHER/x.js'), `${workspace}/x.js`);
    assert.equal(withoutCopyPaths("EACCES: permission denied, open '/tmp/plumbline-verify/plumbline-verify-3-abc/.git'", '/w'), "EACCES: permission denied, open '/w/.git'");
    assert.equal(map('nothing to see in /tmp/other/file.js'), 'nothing to see in /tmp/other/file.js');
  });
});

// Seen in the adversarial commands suite: a command printing 300 kB of one character with no copy
// path in it hung the server (a lazily scanned pattern is quadratic in a long run of path
// characters). The timeout is a hang guard, not a speed target: the mapping takes milliseconds.
test('a long run of path characters, with or without a copy folder in it, is mapped without hanging', { timeout: 10000 }, () => {
  const flood = 'x'.repeat(300000);
  assert.equal(withoutCopyPaths(flood, '/w'), flood);
  assert.equal(withoutCopyPaths(`${flood}plumbline-verify-`, '/w'), `${flood}plumbline-verify-`);
  assert.equal(withoutCopyPaths(`${flood} /tmp/plumbline-verify-12-ab/src/a.js`, '/w'), `${flood} /w/src/a.js`);
  const mapped = copyPathMapper({ copy: ['/tmp/plumbline-verify-1-abc/w'], workspace: '/home/w' })(`${flood}plumbline-verify-x${flood}`);
  assert.equal(mapped.length, flood.length * 2 + 'plumbline-verify-x'.length);
});
