/**
 * The sandbox at work on a real copy of a repository: the memory cap, the private layer over a
 * dependency folder's cache, the proxy to allowed hosts, no process left behind, and the sweep
 * that keeps one test run from leaving something behind for the next verdict.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { detectSandbox } from '../../src/agent/sandbox/detectSandbox';
import { runConfined, type Confinement } from '../../src/agent/sandbox/runConfined';
import { defaultSandboxSettings, type SandboxSettings } from '../../src/agent/sandbox/sandboxPolicy';
import { isSandbox } from '../../src/agent/sandbox/sandboxTypes';
import { createIsolatedWorkspace, type IsolatedWorkspace } from '../../src/agent/verify/isolatedWorkspace';
import { withTampering } from '../../src/agent/verify/stepVerifier';
import { makeRepo, type TempRepo } from './support/scenarioHarness';

const skip = process.platform === 'linux' || process.platform === 'darwin' ? false : 'no sandbox on this platform';

describe('a sandboxed command on a copy', { skip }, () => {
  let repo: TempRepo;
  let copy: IsolatedWorkspace;
  let confinement: Confinement;

  before(async () => {
    const found = await detectSandbox();
    assert.ok(isSandbox(found), `this machine must have a sandbox for these tests (${'reason' in found ? found.reason : ''})`);
    confinement = { kind: 'sandbox', sandbox: found };
    repo = makeRepo('greeter');
    mkdirSync(join(repo.root, 'node_modules', '.cache'), { recursive: true });
    writeFileSync(join(repo.root, 'node_modules', '.cache', 'kept.txt'), 'the user\'s cache\n');
    mkdirSync(join(repo.root, 'node_modules', 'pkg'), { recursive: true });
    writeFileSync(join(repo.root, 'node_modules', 'pkg', 'index.js'), 'module.exports = 1;\n');
    writeFileSync(join(repo.root, '.gitignore'), 'node_modules\n');
    copy = await createIsolatedWorkspace({ root: repo.root });
  });

  after(async () => {
    await copy.dispose();
    repo.remove();
  });

  const run = async (command: string, settings: SandboxSettings = defaultSandboxSettings, timeoutMs = 20000) =>
    runConfined({ command, layout: await copy.layout(), confinement, settings, timeoutMs });

  test('a process tree over the memory cap is stopped, and says why', async () => {
    const result = await run(`node -e "const keep = []; for (;;) keep.push(Buffer.alloc(16 * 1024 * 1024, 1));"`, { ...defaultSandboxSettings, memoryMb: 200 });
    assert.equal(result.memoryExceeded, true);
    assert.notEqual(result.exitCode, 0);
    assert.match(result.output, /used \d+ MiB, over the cap of 200 MiB \(plumbline\.sandbox\.memoryMb\)/);
  });

  // A fork bomb bounded by the test itself (600 sleeps, never more), so a machine where the cap does
  // not hold is not taken down by it; the cap of 64 is what must stop it.
  test('a command that starts more processes than the cap allows is stopped, says why, and leaves none behind', { skip: process.platform !== 'linux' ? 'Linux only (no cap on macOS)' : false }, async () => {
    // A duration no other process uses: how the sleeps are found afterwards.
    const marker = `29.${String(process.pid).padStart(7, '0')}`;
    const started = Date.now();
    const result = await run(`i=0; while [ $i -lt 600 ]; do sleep ${marker} & i=$((i+1)); done; wait; echo "all 600 started"`, { ...defaultSandboxSettings, maxProcesses: 64 }, 60000);
    assert.doesNotMatch(result.output, /all 600 started/);
    assert.notEqual(result.exitCode, 0);
    if (process.getuid?.() === 0) {
      // The cgroup tells the harness the cap was hit: the run is ended then (or has ended), not at
      // the timeout, and the output says why.
      assert.match(result.output, /the command's processes reached the cap of 64 at once \(plumbline\.sandbox\.maxProcesses\)/);
      assert.ok(Date.now() - started < 20000, `stopped after ${String(Date.now() - started)} ms`);
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.equal(execFileSync('ps', ['-eo', 'args']).toString().split('\n').filter((line) => line.includes(`sleep ${marker}`)).length, 0, 'no sleep left running');
  });

  test('the cap is high enough for ordinary parallel work', async () => {
    const result = await run('for i in 1 2 3 4 5 6 7 8 9 10; do sleep 0.2 & done; wait; echo done', { ...defaultSandboxSettings, maxProcesses: 64 });
    assert.equal(result.exitCode, 0, result.output);
    assert.match(result.output, /done/);
  });

  test('the private folders in memory are bounded: filling the sandbox\'s home runs out of space, not the machine\'s memory', { skip: process.platform !== 'linux' ? 'bubblewrap only' : false }, async () => {
    const result = await run('dd if=/dev/zero of="$HOME/filler" bs=1M count=700 2>&1; echo "dd: $?"');
    assert.match(result.output, /No space left on device/);
    assert.doesNotMatch(result.output, /dd: 0$/m);
  });

  test('a tool cache inside a dependency folder is writable, privately: the user\'s cache is untouched', async () => {
    const result = await run('echo new > node_modules/.cache/new.txt && ls node_modules/.cache && echo more > node_modules/other.txt && echo more > node_modules/pkg/inside.txt');
    assert.match(result.output, /new\.txt/);
    assert.doesNotMatch(result.output, /kept\.txt/, 'the copy\'s cache folder starts empty');
    // node_modules is the copy's own folder of links: a new file lands in the copy; the packages themselves are read-only.
    assert.match(result.output, /node_modules\/pkg\/inside\.txt: Read-only file system/);
    assert.equal(existsSync(join(repo.root, 'node_modules', '.cache', 'new.txt')), false);
    assert.equal(existsSync(join(repo.root, 'node_modules', 'other.txt')), false);
    assert.equal(existsSync(join(repo.root, 'node_modules', 'pkg', 'inside.txt')), false);
  });

  test('nothing the command starts outlives it, not even a daemon that left its session', async () => {
    const marker = `plumbline-daemon-${process.pid}`;
    const result = await run(`setsid sh -c 'sleep 60 # ${marker}' > /dev/null 2>&1 & echo started`);
    assert.match(result.output, /started/);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const listed = execFileSync('ps', ['-eo', 'args='], { encoding: 'utf8' });
    assert.equal(listed.includes(marker), false, 'the daemon is still running');
  });

  test('with allowed hosts, the proxy reaches them and refuses the rest; without, nothing is reachable', async () => {
    const server = createServer((_request, response) => response.end('reached the allowed host\n'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    try {
      // NO_PROXY keeps the sandbox's own loopback direct; --noproxy '' sends this one through the proxy, to the host's loopback.
      const allowed = await run(`curl -s --noproxy '' --max-time 5 http://127.0.0.1:${port}/ ; curl -s --max-time 5 http://collector.invalid/`, { ...defaultSandboxSettings, allowedHosts: ['127.0.0.1'] });
      assert.match(allowed.output, /reached the allowed host/);
      assert.match(allowed.output, /allows no connection to collector\.invalid/);
      const closed = await run(`curl -s --max-time 5 http://127.0.0.1:${port}/ || echo unreachable`);
      assert.match(closed.output, /unreachable/);
    } finally {
      server.close();
    }
  });

  test('what a run adds to the copy is removed after it; a test file it rewrote spoils the verdict and the copy', async () => {
    await copy.watch();
    await run('echo coverage > coverage.txt && mkdir -p out/deep && echo x > out/deep/y');
    const clean = await copy.sweep();
    assert.deepEqual(clean.tampered, []);
    assert.deepEqual(clean.removed, ['coverage.txt', 'out']);
    assert.equal(existsSync(join(copy.path, 'coverage.txt')), false);

    await run(`printf '// rewritten\\n' > test/greet.test.js`);
    const spoiled = await copy.sweep();
    assert.deepEqual(spoiled.tampered, ['test/greet.test.js']);
    const evidence = withTampering({ verdict: 'passed', reason: 'The tests pass.', command: 'node --test test/', exitCode: 0, durationMs: 1, excerpt: '', newFailures: [], preexistingFailures: [], locations: [] }, spoiled.tampered);
    assert.equal(evidence.verdict, 'failed');
    assert.match(evidence.reason, /rewrote test files the step does not own \(test\/greet\.test\.js\)/);
  });
});
