import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { workerContext } from '../../src/agent/run/toolContexts';
import { createDiskWorkspace } from '../../src/agent/workspace/diskWorkspace';
import { StagedWorkspace } from '../../src/agent/workspace/stagedWorkspace';
import { invokeTool, toolRegistry, type ToolResult } from '../../src/tools/defineTool';
import { editFileTool, maxPatchLength } from '../../src/tools/editFile';

const source = ['function add(a, b) {', '  return a + b;', '}', '', 'function sub(a, b) {', '  return a - b;', '}', ''].join('\n');

describe('edit_file: a patch of hunks through the worker context', () => {
  let root: string;
  let staged: StagedWorkspace;

  beforeEach(() => {
    root = realpathSync(mkdtempSync(join(tmpdir(), 'plumbline-edit-file-')));
    staged = new StagedWorkspace(createDiskWorkspace(root));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  function file(path: string, content: string | Uint8Array): void {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  }

  async function staged_(path: string): Promise<string | undefined> {
    const read = await staged.readFile(path);
    return read === undefined ? undefined : Buffer.from(read.bytes).toString('utf8');
  }

  function edit(path: string, patch: unknown): Promise<ToolResult> {
    const context = workerContext(staged, [path], new AbortController().signal, { summary: undefined, blocked: false });
    return invokeTool(toolRegistry([editFileTool]), 'edit_file', { path, patch }, context);
  }

  test('hunks apply in any order; the report names each hunk by number and first line', async () => {
    file('src/m.js', source);
    const result = await edit('src/m.js', '@@ sub\n function sub(a, b) {\n-  return a - b;\n+  return b - a;\n@@\n-function add(a, b) {\n+function add(a, b = 0) {\n');
    assert.equal(result.isError, false, result.content);
    assert.equal(await staged_('src/m.js'), source.replace('(a, b) {\n  return a + b', '(a, b = 0) {\n  return a + b').replace('a - b', 'b - a'));
    assert.equal(result.content, [
      'Edited src/m.js: all 2 hunks were applied.',
      'Hunk 1 ( function sub(a, b) {): applied (exact match) at lines 5-6; now lines 5-6.',
      'Hunk 2 (-function add(a, b) {): applied (exact match) at line 1; now line 1.',
    ].join('\n'));
  });

  test('a failing hunk does not stop the others, and is named so it can be resent alone', async () => {
    file('src/m.js', source);
    const result = await edit('src/m.js', '-  return a * b;\n+  return a ** b;\n@@\n-  return a - b;\n+  return b - a;');
    assert.equal(result.isError, false);
    assert.match(result.content, /^Edited src\/m\.js partially: 1 of 2 hunks applied, 1 failed\./);
    assert.match(result.content, /Hunk 1 \(-return a \* b;\) FAILED: its context and "-" lines were not found in the file/);
    assert.match(result.content, /resend only the failed hunks/);
    assert.match((await staged_('src/m.js')) ?? '', /return b - a;/);
  });

  test('a malformed line refuses the whole patch and writes nothing', async () => {
    file('src/m.js', source);
    const result = await edit('src/m.js', '-  return a - b;\n+  return b - a;\n@@\n-function add(a, b) {\nfunction add(a, b = 0) {');
    assert.equal(result.isError, true);
    assert.match(result.content, /^The patch for src\/m\.js was not applied, nothing was written: patch line 5 \(hunk 2\) starts with "f"/);
    assert.equal(await staged_('src/m.js'), source);
  });

  test('a hunk with nothing to change is refused', async () => {
    file('src/m.js', source);
    const result = await edit('src/m.js', ' function add(a, b) {\n   return a + b;');
    assert.equal(result.isError, true);
    assert.match(result.content, /hunk 1 \(from patch line 1\) has nothing to change/);
  });

  test('a hunk of + lines only fills an empty file, and is refused with a way out in a non-empty one', async () => {
    file('src/empty.js', '');
    assert.equal((await edit('src/empty.js', '+one\n+two')).isError, false);
    assert.equal(await staged_('src/empty.js'), 'one\ntwo\n');

    file('src/m.js', source);
    const refused = await edit('src/m.js', '+// header');
    assert.equal(refused.isError, true);
    assert.match(refused.content, /Hunk 1 \(\+\/\/ header\) FAILED: this hunk has only "\+" lines, so nothing says where they go, and the file is not empty\. Add the unchanged lines around the insertion as context lines \(starting with " "\)/);
    assert.equal(await staged_('src/m.js'), source);
    // With a context line it lands.
    assert.equal((await edit('src/m.js', '+// header\n function add(a, b) {')).isError, false);
    assert.match((await staged_('src/m.js')) ?? '', /^\/\/ header\nfunction add/);
  });

  test('a hunk matches whole lines: a - line is never found inside a longer line', async () => {
    file('src/x.js', 'const ab = 1;\nb = 1;\n');
    const result = await edit('src/x.js', '-b = 1;\n+b = 2;');
    assert.equal(result.isError, false, result.content);
    assert.equal(await staged_('src/x.js'), 'const ab = 1;\nb = 2;\n');
  });

  test('the last line of a file without a final newline can be changed, and stays without one', async () => {
    file('src/x.js', 'a\n  last');
    const result = await edit('src/x.js', ' a\n-  last\n+  final\n\\ No newline at end of file');
    assert.match(result.content, /applied \(exact match\) at lines 1-2/);
    assert.equal(await staged_('src/x.js'), 'a\n  final');
    // Lines added after it, and the last line removed.
    assert.equal((await edit('src/x.js', '   final\n+more')).isError, false);
    assert.equal(await staged_('src/x.js'), 'a\n  final\nmore');
    // The context line "a" keeps its own bytes, terminator included, as git apply would.
    assert.equal((await edit('src/x.js', ' a\n-  final\n-more')).isError, false);
    assert.equal(await staged_('src/x.js'), 'a\n');
  });

  test('a CRLF patch edits a CRLF file and keeps its line endings', async () => {
    file('src/w.txt', 'alpha\r\nbeta\r\ngamma\r\n');
    const result = await edit('src/w.txt', ' alpha\r\n-beta\r\n+BETA\r\n+beta two\r\n');
    assert.equal(result.isError, false, result.content);
    assert.equal(await staged_('src/w.txt'), 'alpha\r\nBETA\r\nbeta two\r\ngamma\r\n');
  });

  test('hidden characters: context and - lines are matched as read_file showed them; context stays, + lines are literal', async () => {
    // read_file showed the file as "x⟦U+200B⟧ = 1;" and "keep⟦U+200B⟧();".
    file('src/h.js', 'keep\u200b();\nx\u200b = 1;\n');
    const result = await edit('src/h.js', ' keep⟦U+200B⟧();\n-x⟦U+200B⟧ = 1;\n+x = 2; // ⟦U+200B⟧');
    assert.equal(result.isError, false, result.content);
    // The context line keeps its hidden character; the + line is written exactly as sent: the
    // escape stays visible text, so an edit never adds an invisible character.
    assert.equal(await staged_('src/h.js'), 'keep\u200b();\nx = 2; // ⟦U+200B⟧\n');
  });

  test('the input schema is strict: the old edits array and oversized patches are refused before anything runs', async () => {
    file('src/m.js', source);
    const context = workerContext(staged, ['src/m.js'], new AbortController().signal, { summary: undefined, blocked: false });
    const old = await invokeTool(toolRegistry([editFileTool]), 'edit_file', { path: 'src/m.js', edits: [{ old_text: 'a', new_text: 'b' }] }, context);
    assert.equal(old.isError, true);
    assert.match(old.content, /^Invalid input for edit_file:/);
    const huge = await edit('src/m.js', `-x\n+${'y'.repeat(maxPatchLength)}`);
    assert.equal(huge.isError, true);
    assert.match(huge.content, /a patch is at most 200,000 characters: split the edit over several calls/);
    assert.equal(await staged_('src/m.js'), source);
  });
  test('a tab-indented file and a space-indented patch: lines the patch never changed keep their bytes (issue 14, item 6)', async () => {
    file('src/t.js', 'function f(x) {\n\tif (x) {\n\t\treturn 0;\n\t}\n\t\treturn 1;  \n}\n');
    const result = await edit('src/t.js', ' function f(x) {\n     if (x) {\n-        return 0;\n+        return 2;\n     }\n         return 1;');
    assert.equal(result.isError, false, result.content);
    assert.match(result.content, /applied \(matched ignoring leading\/trailing whitespace, re-indented from 8 spaces to 2 tabs\) at lines 1-5/);
    assert.equal(await staged_('src/t.js'), 'function f(x) {\n\tif (x) {\n\t\treturn 2;\n\t}\n\t\treturn 1;  \n}\n');
  });

  test('a header naming another file is refused; one naming this file is accepted (issue 14, item 7)', async () => {
    file('src/m.js', source);
    for (const header of ['--- a/src/other.js\n+++ b/src/other.js\n', '*** Begin Patch\n*** Update File: src/other.js\n']) {
      const refused = await edit('src/m.js', `${header}@@\n-  return a + b;\n+  return a + b + 1;\n`);
      assert.equal(refused.isError, true);
      assert.match(refused.content, /^Refused: the patch's header on patch line 2 names "(b\/)?src\/other\.js", but path is "src\/m\.js"; nothing was written\./);
      assert.equal(await staged_('src/m.js'), source);
    }
    const accepted = await edit('src/m.js', '*** Begin Patch\n*** Update File: src/m.js\n@@\n-  return a + b;\n+  return a + b + 1;\n*** End Patch');
    assert.equal(accepted.isError, false, accepted.content);
    const unified = await edit('src/m.js', '--- a/src/m.js\n+++ b/src/m.js\n@@ -6 +6 @@\n-  return a - b;\n+  return a - b - 1;');
    assert.equal(unified.isError, false, unified.content);
    assert.equal(await staged_('src/m.js'), source.replace('a + b;', 'a + b + 1;').replace('a - b;', 'a - b - 1;'));
  });

  test('a + line with a read_file line-number prefix or hidden characters is refused and nothing is written (issue 14, item 7)', async () => {
    file('src/m.js', source);
    const prefixed = await edit('src/m.js', ' function add(a, b) {\n-  return a + b;\n+2│  return a + b + 1;');
    assert.equal(prefixed.isError, true);
    assert.match(prefixed.content, /^The patch for src\/m\.js was not applied, nothing was written: patch line 3 \(hunk 1\) carries a read_file line-number prefix \("2│"\)/);
    const hidden = await edit('src/m.js', ' function add(a, b) {\n-  return a + b;\n+  return a + b; // \u202E1 + b\u2066');
    assert.equal(hidden.isError, true);
    assert.match(hidden.content, /holds characters that are invisible or reorder text: ⟦U\+202E⟧ ⟦U\+2066⟧, in "\+ {2}return a \+ b; \/\/ ⟦U\+202E⟧1 \+ b⟦U\+2066⟧"/);
    assert.equal(await staged_('src/m.js'), source);
  });

  test('compatible with what models write: @@ anchors, *** End of File appends, a stray blank first line (issue 14, item 8)', async () => {
    file('src/m.js', source);
    // "}" closes both functions: without an anchor that is ambiguous, the anchor says which.
    const ambiguous = await edit('src/m.js', '@@\n-}\n+}\n+// end of sub');
    assert.match(ambiguous.content, /match 2 places exactly \(lines 3, 7\)\. Add more context lines so they match exactly one, or put a line that comes before the right one after "@@"/);
    const anchored = await edit('src/m.js', '@@ function sub(a, b) {\n-}\n+}\n+// end of sub');
    assert.equal(anchored.isError, false, anchored.content);
    const appended = await edit('src/m.js', '*** Begin Patch\n*** Update File: src/m.js\n@@\n+module.exports = { add, sub };\n*** End of File\n*** End Patch');
    assert.equal(appended.isError, false, appended.content);
    assert.match(appended.content, /applied \(exact match\) after line 8; now line 9\./);
    const blankFirst = await edit('src/m.js', '@@\n \n-function add(a, b) {\n+function add(a, b = 0) {');
    assert.equal(blankFirst.isError, false, blankFirst.content);
    assert.equal(await staged_('src/m.js'), source.replace('(a, b) {\n  return a +', '(a, b = 0) {\n  return a +').replace('a - b;\n}\n', 'a - b;\n}\n// end of sub\n') + 'module.exports = { add, sub };\n');
    // Several files, or an operation edit_file does not do, name the tool to use instead.
    const multi = await edit('src/m.js', '*** Begin Patch\n*** Update File: src/m.js\n-a\n+b\n*** Add File: src/n.js\n+x\n*** End Patch');
    assert.equal(multi.isError, true);
    assert.match(multi.content, /patch line 5 adds a file \(src\/n\.js\): edit_file only changes an existing file\. Create a new file with create_file/);
  });
});
