import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { workerContext } from '../../src/agent/run/toolContexts';
import { createDiskWorkspace } from '../../src/agent/workspace/diskWorkspace';
import { StagedWorkspace } from '../../src/agent/workspace/stagedWorkspace';
import { createFileTool } from '../../src/tools/createFile';
import { invokeTool, toolRegistry, type ToolResult } from '../../src/tools/defineTool';

describe('create_file: what a new file may hold', () => {
  let root: string;
  let staged: StagedWorkspace;

  beforeEach(() => {
    root = realpathSync(mkdtempSync(join(tmpdir(), 'plumbline-create-file-')));
    staged = new StagedWorkspace(createDiskWorkspace(root));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  function create(path: string, content: string): Promise<ToolResult> {
    const context = workerContext(staged, [path], new AbortController().signal, { summary: undefined, blocked: false });
    return invokeTool(toolRegistry([createFileTool]), 'create_file', { path, content }, context);
  }

  test('invisible and bidi characters are refused, each shown as ⟦U+XXXX⟧, and nothing is written (issue 14, item 7)', async () => {
    const result = await create('src/new.js', 'const ok = 1;\nconst admin = "user\u202E \u2066// admin\u2069\u2066";\n// \u200B\u{E0049}\u{E0067}\n');
    assert.equal(result.isError, true);
    assert.equal(
      result.content,
      'Refused: the content for src/new.js holds characters that are invisible or reorder text: ⟦U+202E⟧ ⟦U+2066⟧ ⟦U+2069⟧ ⟦U+200B⟧ ⟦U+E0049⟧ ⟦U+E0067⟧ ' +
        '(the first on line 2: "const admin = \\"user⟦U+202E⟧ ⟦U+2066⟧// admin⟦U+2069⟧⟦U+2066⟧\\";"); nothing was written. ' +
        'Leave them out, or write an escape sequence (such as \\u202E) where the code needs one.',
    );
    assert.equal(await staged.readFile('src/new.js'), undefined);
    assert.equal(existsSync(join(root, 'src', 'new.js')), false);
  });

  test('a leading byte order mark and the zero-width joiners that scripts and emoji need are allowed', async () => {
    const result = await create('docs/fa.md', '\uFEFFمی\u200Cخواهم 👨\u200D👩\u200D👧\n');
    assert.equal(result.isError, false, result.content);
    const written = await staged.readFile('docs/fa.md');
    assert.equal(written === undefined ? undefined : Buffer.from(written.bytes).toString('utf8'), '\uFEFFمی\u200Cخواهم 👨\u200D👩\u200D👧\n');
  });
});
