import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { prepareProcessLimit, rlimitLimit, userTasks } from '../../src/agent/sandbox/processLimit';

const asRootWithPids = process.platform === 'linux' && process.getuid?.() === 0 && existsSync('/sys/fs/cgroup/pids/cgroup.procs');

test('no cap where it cannot be set (macOS) or is turned off (0)', async () => {
  assert.equal(await prepareProcessLimit(4096, 'darwin'), undefined);
  assert.equal(await prepareProcessLimit(0, 'linux'), undefined);
});

test('the launcher caps what it starts: a shell under a cap of 8 cannot start 20 sleeps', { skip: process.platform !== 'linux' ? 'Linux only' : false }, async () => {
  const limit = await prepareProcessLimit(8);
  assert.ok(limit !== undefined, 'this Linux machine offers a cgroup (as root) or RLIMIT_NPROC');
  try {
    const script = 'n=0; while [ $n -lt 20 ]; do sleep 5 >/dev/null 2>&1 & n=$((n+1)); done; echo "started $n"';
    let output = '';
    try {
      output = execFileSync('/bin/sh', ['-c', limit.script, ...limit.scriptArgs, '/bin/sh', '-c', script], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (error) {
      output = (error as { stderr?: string }).stderr ?? '';
    }
    assert.doesNotMatch(output, /started 20/);
    if (asRootWithPids) assert.equal(await limit.hit(), true, 'the cgroup counted the refused forks');
  } finally {
    execFileSync('/bin/sh', ['-c', 'pkill -f "^sleep 5$" || true']);
    await limit.release();
  }
});

test("a cgroup left by a server that was killed is removed by the next one's", { skip: asRootWithPids ? false : 'root with the v1 pids hierarchy only' }, async () => {
  const stale = join('/sys/fs/cgroup/pids/plumbline', '4194301-0badc0de');
  mkdirSync(stale, { recursive: true });
  const limit = await prepareProcessLimit(64);
  try {
    assert.equal(existsSync(stale), false);
  } finally {
    await limit?.release();
  }
  assert.deepEqual(readdirSync('/sys/fs/cgroup/pids/plumbline').filter((name) => /^\d+-[0-9a-f]+$/.test(name) && name.startsWith(`${String(process.pid)}-`)), [], 'its own cgroup is gone after release');
});

// The path a user who is not root gets (a desktop): RLIMIT_NPROC set by the launcher shell. Run here
// as `nobody` through setpriv, since root is exempt from the limit.
const canBecomeNobody = process.platform === 'linux' && process.getuid?.() === 0 && existsSync('/usr/bin/setpriv');
test('not root: the launcher shell caps the user at what they run plus the allowance', { skip: canBecomeNobody ? false : 'needs root and setpriv to run as nobody' }, async () => {
  const nobody = 65534;
  const limit = rlimitLimit(8, await userTasks(nobody));
  const script = 'n=0; while [ $n -lt 20 ]; do sleep 4.0404 >/dev/null 2>&1 & n=$((n+1)); done; echo "started $n"';
  let output = '';
  try {
    output = execFileSync('/usr/bin/setpriv', ['--reuid', String(nobody), '--regid', String(nobody), '--clear-groups', '/bin/sh', '-c', limit.script, ...limit.scriptArgs, '/bin/sh', '-c', script], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], cwd: '/' });
  } catch (error) {
    output = (error as { stderr?: string }).stderr ?? '';
  } finally {
    execFileSync('/bin/sh', ['-c', 'pkill -f "^sleep 4.0404$" || true']);
  }
  assert.doesNotMatch(output, /started 20/);
  // And without the launcher, the same user starts all 20 (the test would prove nothing otherwise).
  const uncapped = execFileSync('/usr/bin/setpriv', ['--reuid', String(nobody), '--regid', String(nobody), '--clear-groups', '/bin/sh', '-c', script], { encoding: 'utf8', cwd: '/' });
  execFileSync('/bin/sh', ['-c', 'pkill -f "^sleep 4.0404$" || true']);
  assert.match(uncapped, /started 20/);
});
