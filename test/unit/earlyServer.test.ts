import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { earlyServerFolder } from '../../src/cli/earlyServer';

describe('earlyServerFolder: which folder the CLI starts its server in before parsing its arguments', () => {
  test('run and resume start one, in --cwd (either spelling) or the current directory', () => {
    assert.equal(earlyServerFolder(['run', 'rename x'], '/work'), '/work');
    assert.equal(earlyServerFolder(['run', 'rename x', '--cwd', 'repo'], '/work'), '/work/repo');
    assert.equal(earlyServerFolder(['resume', 'r1', '--cwd=/elsewhere'], '/work'), '/elsewhere');
  });

  test('other commands, help and version start none', () => {
    for (const argv of [[], ['doctor'], ['runs'], ['undo', 'r1'], ['--help'], ['run', 'x', '--help'], ['run', '-h'], ['resume', '--version']]) {
      assert.equal(earlyServerFolder(argv, '/work'), undefined, argv.join(' '));
    }
  });

  test('nothing after -- is read as an option, as parseArgs does', () => {
    assert.equal(earlyServerFolder(['run', '--', 'fix --cwd handling', '--cwd', 'x', '--help'], '/work'), '/work');
  });
});
