import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { prepareProcessLimit } from '../../src/agent/sandbox/processLimit';

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
