import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { createDiskWorkspace } from '../../src/agent/workspace/diskWorkspace';
import { StagedConflictError, StagedWorkspace } from '../../src/agent/workspace/stagedWorkspace';
import { WorkspacePathError } from '../../src/tools/workspacePort';

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);
const text = (data: Uint8Array | undefined): string | undefined => (data === undefined ? undefined : new TextDecoder().decode(data));

describe('the staged workspace', () => {
  let root: string;
  let staged: StagedWorkspace;

  beforeEach(() => {
    root = realpathSync(mkdtempSync(join(tmpdir(), 'plumbline-staged-')));
    for (const [path, content] of Object.entries({ 'src/a.ts': 'alpha original', 'src/b.ts': 'bravo original', 'README.md': 'readme' })) {
      mkdirSync(dirname(join(root, path)), { recursive: true });
      writeFileSync(join(root, path), content);
    }
    staged = new StagedWorkspace(createDiskWorkspace(root));
  });

  afterEach(() => rmSync(root, { recursive: true, force: true }));

  async function list(workspace: StagedWorkspace, glob?: string): Promise<readonly string[]> {
    return (await workspace.listFiles({ limit: 100, ...(glob === undefined ? {} : { glob }) })).paths;
  }

  async function searchPaths(workspace: StagedWorkspace, query: string): Promise<readonly string[]> {
    return (await workspace.searchText(query, { limit: 100 })).matches.map((match) => `${match.path}:${match.line}`);
  }

  test('a created file is visible to read, list and search, and the disk is untouched', async () => {
    await staged.write('src\\new.ts', bytes('fresh zulu'));
    assert.equal(staged.root, root);
    assert.deepEqual(await staged.readFile('src/new.ts'), { path: 'src/new.ts', bytes: bytes('fresh zulu'), fromBuffer: false });
    assert.deepEqual(await list(staged), ['README.md', 'src/a.ts', 'src/b.ts', 'src/new.ts']);
    assert.deepEqual(await list(staged, '*.md'), ['README.md']);
    assert.deepEqual(await staged.listFiles({ limit: 2 }), { paths: ['README.md', 'src/a.ts'], truncated: true });
    assert.deepEqual(await searchPaths(staged, 'zulu'), ['src/new.ts:1']);
    assert.deepEqual(staged.changes(), [{ path: 'src/new.ts', kind: 'create', before: undefined, after: bytes('fresh zulu') }]);
    assert.deepEqual(await list(new StagedWorkspace(createDiskWorkspace(root))), ['README.md', 'src/a.ts', 'src/b.ts']);
  });

  test('a modified file reads and searches as staged; before is the content at the first change', async () => {
    await staged.write('src/a.ts', bytes('alpha first edit'));
    writeFileSync(join(root, 'src', 'a.ts'), 'changed on disk meanwhile');
    await staged.write('src/a.ts', bytes('alpha second edit'));
    assert.equal(text((await staged.readFile('src/a.ts'))?.bytes), 'alpha second edit');
    assert.deepEqual(await searchPaths(staged, 'second edit'), ['src/a.ts:1']);
    assert.deepEqual(await searchPaths(staged, 'original'), ['src/b.ts:1']);
    assert.deepEqual(staged.changes(), [{ path: 'src/a.ts', kind: 'modify', before: bytes('alpha original'), after: bytes('alpha second edit') }]);
  });

  test('a deleted file reads as undefined and leaves list and search', async () => {
    await staged.delete('src/b.ts');
    assert.equal(await staged.readFile('src/b.ts'), undefined);
    assert.deepEqual(await list(staged), ['README.md', 'src/a.ts']);
    assert.deepEqual(await searchPaths(staged, 'bravo'), []);
    assert.deepEqual(staged.changes(), [{ path: 'src/b.ts', kind: 'delete', before: bytes('bravo original'), after: undefined }]);
    assert.equal(readFileSync(join(root, 'src', 'b.ts'), 'utf8'), 'bravo original');
    await assert.rejects(staged.delete('src/b.ts'), /does not exist/);
    await assert.rejects(staged.delete('src/never.ts'), WorkspacePathError);
  });

  test('no-ops are not changes: writing the base content back, or deleting a file only the overlay created', async () => {
    await staged.write('src/a.ts', bytes('alpha original'));
    assert.deepEqual(staged.changes(), []);
    await staged.write('src/a.ts', bytes('edited'));
    await staged.write('src/a.ts', bytes('alpha original'));
    assert.deepEqual(staged.changes(), []);
    await staged.write('tmp.ts', bytes('scratch'));
    await staged.delete('tmp.ts');
    assert.deepEqual(staged.changes(), []);
    assert.equal(await staged.readFile('tmp.ts'), undefined);
  });

  test('staged bytes are copies: mutating the written or returned array changes nothing', async () => {
    const input = bytes('abc');
    await staged.write('src/a.ts', input);
    input[0] = 0x7a;
    const read = await staged.readFile('src/a.ts');
    read!.bytes[1] = 0x7a;
    assert.equal(text((await staged.readFile('src/a.ts'))?.bytes), 'abc');
  });

  test('discard forgets one path or every change', async () => {
    await staged.write('src/a.ts', bytes('a2'));
    await staged.write('src/c.ts', bytes('c'));
    await staged.delete('README.md');
    await staged.discard('./src/a.ts');
    assert.deepEqual(staged.changes().map((change) => change.path), ['README.md', 'src/c.ts']);
    assert.equal(text((await staged.readFile('src/a.ts'))?.bytes), 'alpha original');
    await staged.discard();
    assert.deepEqual(staged.changes(), []);
    assert.equal(text((await staged.readFile('README.md'))?.bytes), 'readme');
  });

  test('writes are confined like every other path, and files and folders do not collide', async () => {
    await assert.rejects(staged.write('../escape.ts', bytes('x')), /outside the workspace/);
    await assert.rejects(staged.write('.git/config', bytes('x')), /inside \.git/);
    await assert.rejects(staged.write('src', bytes('x')), /is a folder/);
    await staged.write('gen/out.ts', bytes('x'));
    await assert.rejects(staged.write('gen', bytes('x')), /gen is a folder \(it holds gen\/out\.ts\)/);
    await staged.write('note', bytes('x'));
    await assert.rejects(staged.write('note/inner.ts', bytes('x')), /goes through note, which is a file/);
    assert.deepEqual(staged.changes().map((change) => change.path), ['gen/out.ts', 'note']);
  });

  test('a fork sees the parent, keeps its edits apart, and commitTo moves them into the parent', async () => {
    await staged.write('src/a.ts', bytes('parent edit'));
    const fork = staged.fork();
    assert.equal(text((await fork.readFile('src/a.ts'))?.bytes), 'parent edit');
    await fork.write('src/a.ts', bytes('fork edit'));
    await fork.write('src/new.ts', bytes('from fork'));
    await fork.delete('src/b.ts');
    assert.equal(text((await staged.readFile('src/a.ts'))?.bytes), 'parent edit');
    assert.deepEqual(await list(staged), ['README.md', 'src/a.ts', 'src/b.ts']);
    await fork.commitTo(staged);
    assert.deepEqual(fork.changes(), []);
    assert.deepEqual(
      staged.changes().map((change) => [change.path, change.kind, text(change.before), text(change.after)]),
      [
        ['src/a.ts', 'modify', 'alpha original', 'fork edit'],
        ['src/b.ts', 'delete', 'bravo original', undefined],
        ['src/new.ts', 'create', undefined, 'from fork'],
      ],
    );
  });

  test('a fork that is dropped or discarded leaves the parent untouched', async () => {
    const fork = staged.fork();
    await fork.write('src/a.ts', bytes('failed step'));
    await fork.delete('README.md');
    await fork.discard();
    await fork.commitTo(staged);
    const dropped = staged.fork();
    await dropped.write('src/b.ts', bytes('never committed'));
    assert.deepEqual(staged.changes(), []);
    assert.deepEqual(await list(staged), ['README.md', 'src/a.ts', 'src/b.ts']);
    assert.equal(text((await staged.readFile('src/b.ts'))?.bytes), 'bravo original');
  });

  test('a fork whose starting point changed under it conflicts and commits nothing', async () => {
    const first = staged.fork();
    const second = staged.fork();
    await first.write('src/a.ts', bytes('first'));
    await second.write('src/a.ts', bytes('second'));
    await second.write('src/other.ts', bytes('other'));
    await first.commitTo(staged);
    await assert.rejects(second.commitTo(staged), (error: unknown) => error instanceof StagedConflictError && error.paths.join() === 'src/a.ts');
    assert.deepEqual(staged.changes().map((change) => [change.path, text(change.after)]), [['src/a.ts', 'first']]);
    assert.equal(second.changes().length, 2);
    await assert.rejects(staged.fork().commitTo(second), /forked from/);
  });
});
