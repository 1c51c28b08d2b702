import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { foldName, invisibleCharacter, mixesLookalikeScripts } from '../../src/agent/workspace/pathLookalikes';
import { checkPathSyntax, resolveWorkspacePath } from '../../src/agent/workspace/workspacePaths';
import { WorkspacePathError } from '../../src/tools/workspacePort';

describe('Unicode look-alikes and case twins in paths', () => {
  let base: string;
  let root: string;

  before(() => {
    base = realpathSync(mkdtempSync(join(tmpdir(), 'plumbline-lookalikes-')));
    root = join(base, 'root');
    mkdirSync(join(root, 'src'), { recursive: true });
    writeFileSync(join(root, 'src', 'a.js'), 'a');
    writeFileSync(join(root, 'README.md'), 'readme');
    writeFileSync(join(root, 'caf\u00e9.md'), 'nfc');
  });

  after(() => rmSync(base, { recursive: true, force: true }));

  function refused(path: string, pattern: RegExp): void {
    assert.throws(() => checkPathSyntax(path), (error: unknown) => error instanceof WorkspacePathError && pattern.test(error.message), path);
  }

  test('fullwidth, Cyrillic and Greek spellings of .git are refused as look-alikes', () => {
    refused('\uFF0Egit/config', /spells \.git with look-alike characters/); // ．git
    refused('\uFF0E\uFF47\uFF49\uFF54/hooks/pre-commit', /spells \.git with look-alike/); // ．ｇｉｔ
    refused('.g\u0456t/config', /spells \.git with look-alike/); // Cyrillic і
    refused('sub/.\u0261it/HEAD', /spells \.git with look-alike/); // ɡ (Latin script g)
    refused('.g\u03b9t/config', /spells \.git with look-alike/); // Greek ι
  });

  test('zero-width, bidi, tag and control characters in any segment are refused, naming the code point', () => {
    refused('src/a\u200B.js', /invisible character \(U\+200B/);
    refused('src/\u202Egnp.js', /invisible character \(U\+202E/);
    refused('.g\u200Dit/config', /invisible character \(U\+200D/);
    refused('src/x\u{E0041}.js', /invisible character \(U\+E0041/);
    refused('src/new\nline.js', /invisible character \(U\+000A/);
    refused('\uFEFFsrc/a.js', /invisible character \(U\+FEFF/);
    assert.equal(invisibleCharacter('plain-name_1.ts'), undefined);
  });

  test('a name mixing Latin with Cyrillic look-alikes is refused; one script alone is fine', () => {
    refused('src/s\u0435rver.js', /mixes Latin letters with Cyrillic or Greek look-alikes/); // sеrver, Cyrillic е
    assert.equal(mixesLookalikeScripts('\u043f\u0440\u0438\u0432\u0435\u0442.md'), false); // привет.md
    assert.equal(mixesLookalikeScripts('\u03b1\u03c1\u03c7\u03b5\u03af\u03bf.txt'), false, 'a Greek name with a Latin extension');
    assert.equal(mixesLookalikeScripts('p\u0430yp\u0430l-login.js'), true, 'pаypаl with Cyrillic а');
    assert.deepEqual(checkPathSyntax('docs/\u043f\u0440\u0438\u0432\u0435\u0442'), ['docs', '\u043f\u0440\u0438\u0432\u0435\u0442']);
    assert.deepEqual(checkPathSyntax('caf\u00e9.md'), ['caf\u00e9.md']);
  });

  test('foldName sees through case, NFKC compatibility forms, NFD and confusables', () => {
    assert.equal(foldName('\uFF0E\uFF36\uFF33\uFF23\uFF4F\uFF44\uFF45'), '.vscode');
    assert.equal(foldName('cafe\u0301.md'), foldName('caf\u00e9.md'));
    assert.equal(foldName('.\u0435nv'), '.env');
    assert.equal(foldName('README.md'), 'readme.md');
  });

  test('creating a case twin of an existing file or folder is refused, naming the existing one', async () => {
    const write = (path: string): Promise<unknown> => resolveWorkspacePath(root, path, { forWrite: true });
    await assert.rejects(write('SRC/a.js'), /would create "SRC" beside src, which differs only in letter case or Unicode form; use the existing name \(src\)/);
    await assert.rejects(write('src/A.js'), /beside src\/a\.js/);
    await assert.rejects(write('readme.md'), /beside README\.md/);
    await assert.rejects(write('cafe\u0301.md'), /differs only in letter case or Unicode form/, 'NFD beside NFC');
    await assert.rejects(write('\uFF52\uFF45\uFF41\uFF44\uFF4D\uFF45.md'), /beside README\.md/, 'fullwidth beside ASCII');
    // The existing names themselves, and clearly new ones, are fine.
    assert.equal((await resolveWorkspacePath(root, 'src/a.js', { forWrite: true })).relative, 'src/a.js');
    assert.equal((await resolveWorkspacePath(root, 'src/b.js', { forWrite: true })).relative, 'src/b.js');
    assert.equal((await resolveWorkspacePath(root, 'README.md', { forWrite: true })).relative, 'README.md');
    // Reads are not writes: a read of a twin name simply finds nothing.
    assert.equal((await resolveWorkspacePath(root, 'src/A.js')).relative.toLowerCase(), 'src/a.js');
  });
});
