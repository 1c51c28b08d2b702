import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { repoRoot } from '../unit/support/bundles';
import { parseOutputFile } from '../unit/support/compositeAction';

// The action's first two steps on their own: install.sh (npm replaced at the network boundary: the
// registry) and sandbox.sh on a runner without bubblewrap (apt-get replaced: the package archive).

function tool(dir: string, name: string, body: string): void {
  writeFileSync(join(dir, name), `#!/bin/bash\n${body}\n`);
  chmodSync(join(dir, name), 0o755);
}

function which(name: string): string {
  const found = spawnSync('bash', ['-c', `command -v ${name}`], { encoding: 'utf8' }).stdout.trim();
  return found !== '' ? found : assert.fail(`${name} is not installed`);
}

test('install.sh without plumbline-path: npm ci and the build in the action\'s own checkout, then the built CLI as the step\'s output', () => {
  const dir = mkdtempSync(join(tmpdir(), 'plumbline-install-'));
  try {
    const bin = join(dir, 'bin');
    mkdirSync(bin);
    tool(bin, 'npm', `printf '%s|%s\\n' "$PWD" "$*" >> "${join(dir, 'npm-calls')}"`);
    writeFileSync(join(dir, 'output'), '');
    const result = spawnSync('bash', [join(repoRoot, 'action', 'install.sh')], {
      encoding: 'utf8',
      env: { PATH: `${bin}:${process.env.PATH ?? ''}`, GITHUB_ACTION_PATH: repoRoot, GITHUB_OUTPUT: join(dir, 'output') },
    });
    assert.equal(result.status, 0, result.stdout + result.stderr);
    assert.deepEqual(readFileSync(join(dir, 'npm-calls'), 'utf8').trim().split('\n'), [`${repoRoot}|ci --no-audit --no-fund --loglevel=error`, `${repoRoot}|run --silent build`]);
    assert.equal(parseOutputFile(readFileSync(join(dir, 'output'), 'utf8')).cli, join(repoRoot, 'dist', 'cli.js'));
    assert.match(result.stdout, /^\d+\.\d+\.\d+/m, 'the CLI printed its version');

    // plumbline-path naming nothing: a clear error, no npm.
    const missing = spawnSync('bash', [join(repoRoot, 'action', 'install.sh')], {
      encoding: 'utf8',
      env: { PATH: `${bin}:${process.env.PATH ?? ''}`, GITHUB_ACTION_PATH: repoRoot, GITHUB_OUTPUT: join(dir, 'output'), PLUMBLINE_INPUT_PLUMBLINE_PATH: 'no-such-plumbline' },
    });
    assert.equal(missing.status, 1);
    assert.match(missing.stdout, /::error::plumbline-path names "no-such-plumbline", which is not on PATH\./);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

/** A PATH with the tools sandbox.sh needs but no bwrap, and an apt-get that "installs" one. */
function runnerWithoutBwrap(dir: string, aptWorks: boolean): string {
  const bin = join(dir, 'bin');
  mkdirSync(bin);
  for (const name of ['bash', 'cat', 'id', 'readlink', 'mktemp', 'rm', 'install', 'true', 'ln']) symlinkSync(which(name), join(bin, name));
  const realBwrap = which('bwrap');
  tool(bin, 'sudo', 'if [ "$1" = -n ]; then shift; fi; exec "$@"');
  tool(bin, 'apt-get', `echo "apt-get $*" >> "${join(dir, 'apt-calls')}"; ${aptWorks ? `if [ "$1" = install ]; then ln -s "${realBwrap}" "${join(bin, 'bwrap')}"; fi` : 'exit 100'}`);
  return bin;
}

test('sandbox.sh on a runner without bubblewrap: installs it with apt-get and proves it works; when it cannot, the job fails saying what to do', () => {
  const dir = mkdtempSync(join(tmpdir(), 'plumbline-sandbox-step-'));
  try {
    const bin = runnerWithoutBwrap(dir, true);
    const result = spawnSync(join(bin, 'bash'), [join(repoRoot, 'action', 'sandbox.sh')], { encoding: 'utf8', env: { PATH: bin } });
    assert.equal(result.status, 0, result.stdout + result.stderr);
    assert.match(readFileSync(join(dir, 'apt-calls'), 'utf8'), /^apt-get install -y --no-install-recommends bubblewrap$/m);
    assert.match(result.stdout, /Installing bubblewrap/);
    assert.match(result.stdout, /The sandbox is ready: bubblewrap \d/);

    const broken = mkdtempSync(join(tmpdir(), 'plumbline-sandbox-step-'));
    try {
      const brokenBin = runnerWithoutBwrap(broken, false);
      const failed = spawnSync(join(brokenBin, 'bash'), [join(repoRoot, 'action', 'sandbox.sh')], { encoding: 'utf8', env: { PATH: brokenBin } });
      assert.equal(failed.status, 1);
      assert.match(failed.stdout, /::error::bubblewrap could not be installed \(apt-get as root\)\. Install it on the runner image, or set the action's input sandbox: as-is/);
      // It tried the archive's index too before giving up.
      assert.match(readFileSync(join(broken, 'apt-calls'), 'utf8'), /apt-get update -qq/);
    } finally {
      rmSync(broken, { recursive: true, force: true });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
