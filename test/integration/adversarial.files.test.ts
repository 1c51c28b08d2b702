import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { assertOnlyChanged, captureWorld, makeWorkspace } from '../unit/support/adversarialHarness';
import { lastToolResults, requestsOf, startFake } from '../unit/support/scenarioHarness';
import type { VerifiedRepo } from '../unit/support/verifyHarness';
import { startVerifySession } from '../unit/support/verifyHarness';

const bom = Buffer.from([0xef, 0xbb, 0xbf]);
const utf16 = (text: string): Buffer => Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
/** About 5 MB: 100 000 numbered lines. */
const big = Array.from({ length: 100_000 }, (_, index) => `line ${String(index).padStart(6, '0')} of the big file, padded to fifty bytes\n`).join('');

const files = {
  'data/big.txt': big,
  'data/crlf.txt': 'alpha\r\nbeta\r\ngamma\r\n',
  'data/bom.txt': Buffer.concat([bom, Buffer.from('first line\nsecond line\n')]),
  'data/latin1.txt': Buffer.from('caf\xe9 cr\xe8me\n', 'latin1'),
  'data/image.bin': Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52]),
  'data/utf16.txt': utf16('hello\r\nworld\r\n'),
  'package.json': '{ "name": "files", "private": true }\n',
};

const expected = {
  'data/big.txt': big.replace('line 000042 of the big file', 'line 42, edited'),
  'data/crlf.txt': 'alpha\r\nBETA\r\ngamma\r\n',
  'data/bom.txt': Buffer.concat([bom, Buffer.from('FIRST line\nsecond line\n')]),
  'data/utf16.txt': utf16('HELLO\r\nworld\r\n'),
};

async function runFiles(repo: VerifiedRepo): Promise<void> {
  const before = captureWorld(repo);
  const server = await startFake('adversarial-files');
  const session = await startVerifySession(repo, server, { testCommand: 'node -e 0' });
  try {
    await session.start('Touch up the data files', 'auto');
    const finished = await session.log.waitFor('run/finished', undefined, 120000);
    assert.equal(finished.status, 'completed', finished.reason);
    const [first, second] = requestsOf(server, 'worker-s1');
    // The 5 MB file did not go whole into the brief.
    assert.ok(JSON.stringify(first?.body).length < 200_000, `the brief is ${JSON.stringify(first?.body).length} characters`);
    const results = second === undefined ? [] : lastToolResults(second);
    assert.deepEqual(results.map((result) => result.isError), [false, false, false, true, true, false], JSON.stringify(results));
    assert.match(results[3]?.text ?? '', /UTF-8/);
    assert.match(results[4]?.text ?? '', /binary/i);
    // Byte for byte: the edits kept CRLF, the BOM and UTF-16; the Latin-1 and binary files are untouched.
    assertOnlyChanged(before, captureWorld(repo), expected);
  } finally {
    await session.close();
    await server.close();
    repo.remove();
  }
}

describe('adversarial: files of every kind, in every kind of folder', () => {
  test('a 5 MB file, CRLF, BOM and UTF-16 files are edited byte-exactly; a Latin-1 and a binary file are refused and untouched', { timeout: 150000 }, async () => {
    await runFiles(makeWorkspace(files));
  });

  test('the same run in a folder that is not a git repository', { timeout: 150000 }, async () => {
    await runFiles(makeWorkspace(files, { git: false }));
  });

  test('the same run in a repository with a submodule: the submodule is left as it is', { timeout: 150000 }, async () => {
    const library = makeWorkspace({ 'lib.js': "module.exports = 'lib';\n" });
    try {
      const repo = makeWorkspace(files);
      const git = (...args: string[]): void => void execFileSync('git', ['-c', 'protocol.file.allow=always', '-c', 'user.name=T', '-c', 'user.email=t@t.invalid', ...args], { cwd: repo.root, stdio: 'ignore' });
      git('submodule', 'add', '-q', library.root, 'vendor/lib');
      git('commit', '-qm', 'submodule');
      mkdirSync(join(repo.root, 'vendor', 'notes'), { recursive: true });
      writeFileSync(join(repo.root, 'vendor', 'notes', 'keep.txt'), 'untracked, kept\n');
      await runFiles(repo);
    } finally {
      library.remove();
    }
  });
});
