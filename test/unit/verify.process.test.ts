import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { runProcess } from '../../src/agent/verify/processRunner';
import { ALWAYS_REMOVED, scrubEnvironment, scrubEnvironmentReport, scrubbedNames } from '../../src/agent/verify/scrubEnvironment';

const posix = process.platform !== 'win32';
const node = `'${process.execPath.replace(/'/g, `'\\''`)}'`;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    // A zombie nobody reaped yet is dead for our purpose.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return process.platform !== 'linux';
  }
}

async function allDead(pids: readonly number[], withinMs: number): Promise<number[]> {
  const deadline = Date.now() + withinMs;
  for (;;) {
    const living = pids.filter(alive);
    if (living.length === 0 || Date.now() > deadline) return living;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function killAll(pids: readonly number[]): void {
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Gone.
    }
  }
}

describe('runProcess', { skip: !posix && 'POSIX shell commands', timeout: 60_000 }, () => {
  let dir: string;
  before(() => {
    dir = realpathSync(mkdtempSync(join(tmpdir(), 'plumbline-process-')));
    // Prints its pids, then waits: a grandchild `sleep` and a daemon in its own session that holds
    // stdout open and ignores SIGTERM.
    writeFileSync(join(dir, 'spawner.js'), `
      const { spawn } = require('node:child_process');
      const grandchild = spawn('sleep', ['1000'], { stdio: 'inherit' });
      const daemon = spawn(process.execPath, ['-e', 'process.on("SIGTERM", () => {}); setInterval(() => {}, 1000)'], { detached: true, stdio: ['ignore', 'inherit', 'inherit'] });
      grandchild.unref();
      daemon.unref();
      console.log('PIDS ' + JSON.stringify([process.pid, grandchild.pid, daemon.pid]));
      if (process.argv[2] !== 'exit') setInterval(() => {}, 1000);
    `);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  function pidsIn(output: string): number[] {
    const listed = /PIDS (\[[\d,]+\])/.exec(output);
    const background = /BG (\d+)/.exec(output);
    assert.ok(listed, `no pids in: ${output}`);
    const pids = JSON.parse(listed[1] ?? '[]') as number[];
    return background === null ? pids : [...pids, Number(background[1])];
  }

  test('reports exit codes, signals and both streams', async () => {
    const ok = await runProcess({ command: 'echo out; echo err >&2', cwd: dir, timeoutMs: 10_000 });
    assert.equal(ok.exitCode, 0);
    assert.equal(ok.signal, null);
    assert.equal(ok.timedOut, false);
    assert.equal(ok.cancelled, false);
    assert.match(ok.output, /out\n/);
    assert.match(ok.output, /err\n/);
    assert.equal(ok.truncatedBytes, 0);

    assert.equal((await runProcess({ command: 'exit 3', cwd: dir, timeoutMs: 10_000 })).exitCode, 3);
    const killed = await runProcess({ command: 'kill -TERM $$', cwd: dir, timeoutMs: 10_000 });
    assert.equal(killed.exitCode, null);
    assert.equal(killed.signal, 'SIGTERM');
    const stdin = await runProcess({ command: 'cat; echo done', cwd: dir, timeoutMs: 10_000 });
    assert.equal(stdin.output, 'done\n', 'stdin is closed, so cat ends at once');
  });

  test('settles with no exit code when the command cannot start', async () => {
    const result = await runProcess({ command: 'true', cwd: join(dir, 'no-such-folder'), timeoutMs: 10_000 });
    assert.equal(result.exitCode, null);
    assert.match(result.output, /could not run the command/);
  });

  test('a timeout kills the whole tree: grandchild, background job and a daemon holding stdout', async () => {
    const started = Date.now();
    const result = await runProcess({ command: `sleep 1000 & echo "BG $!"; ${node} spawner.js`, cwd: dir, timeoutMs: 1500 });
    const pids = pidsIn(result.output);
    try {
      assert.equal(pids.length, 4);
      assert.equal(result.timedOut, true);
      assert.equal(result.exitCode, null);
      assert.ok(Date.now() - started < 8000, `settled after ${Date.now() - started} ms although the daemon holds stdout`);
      // The daemon shrugs off SIGTERM: it must fall to the SIGKILL that follows the grace period.
      assert.deepEqual(await allDead(pids, 6000), [], 'every process of the command is gone');
    } finally {
      killAll(pids);
    }
  });

  test('settles when the command exits but a forked daemon keeps stdout open, and ends the daemon', async () => {
    const started = Date.now();
    const result = await runProcess({ command: `${node} spawner.js exit`, cwd: dir, timeoutMs: 60_000 });
    const pids = pidsIn(result.output);
    try {
      assert.equal(result.exitCode, 0);
      assert.equal(result.timedOut, false);
      assert.ok(Date.now() - started < 8000, `settled after ${Date.now() - started} ms`);
      assert.deepEqual(await allDead(pids, 6000), []);
    } finally {
      killAll(pids);
    }
  });

  test('an AbortSignal cancels within about a second', async () => {
    const controller = new AbortController();
    const running = runProcess({ command: `${node} spawner.js`, cwd: dir, timeoutMs: 60_000, signal: controller.signal });
    await new Promise((resolve) => setTimeout(resolve, 700));
    const aborted = Date.now();
    controller.abort();
    const result = await running;
    const pids = pidsIn(result.output);
    try {
      assert.equal(result.cancelled, true);
      assert.equal(result.timedOut, false);
      assert.ok(Date.now() - aborted < 2500, `settled ${Date.now() - aborted} ms after the abort`);
      assert.deepEqual(await allDead(pids, 6000), []);
    } finally {
      killAll(pids);
    }
  });

  test('an already aborted signal runs nothing', async () => {
    const result = await runProcess({ command: `touch ran`, cwd: dir, timeoutMs: 10_000, signal: AbortSignal.abort() });
    assert.equal(result.cancelled, true);
    assert.throws(() => readFileSync(join(dir, 'ran')));
  });

  test('a 100 MB flood keeps the head and the tail, within bounded memory', async () => {
    const script = "const c = Buffer.alloc(1 << 20, 120); process.stdout.write('BEGIN\\n'); let n = 0; const w = () => { while (n < 100) { n++; if (!process.stdout.write(c)) return void process.stdout.once('drain', w); } process.stdout.write('\\nEND\\n'); }; w();";
    writeFileSync(join(dir, 'flood.js'), script);
    const before = process.memoryUsage().rss;
    let peak = before;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 10);
    const result = await runProcess({ command: `${node} flood.js`, cwd: dir, timeoutMs: 60_000 });
    clearInterval(sampler);
    peak = Math.max(peak, process.memoryUsage().rss);
    const written = 100 * 2 ** 20 + 'BEGIN\n\nEND\n'.length;
    assert.equal(result.exitCode, 0);
    assert.equal(result.truncatedBytes, written - 4 * 2 ** 20);
    assert.ok(result.output.startsWith('BEGIN\nxxx'));
    assert.ok(result.output.endsWith('xxx\nEND\n'));
    assert.match(result.output, new RegExp(`\n… ${written - 4 * 2 ** 20} bytes omitted …\n`));
    assert.ok(result.output.length < 4 * 2 ** 20 + 100);
    // Holding the flood would take 100 MB of buffers and as much again to join them.
    assert.ok(peak - before < 100 * 2 ** 20, `RSS grew by ${Math.round((peak - before) / 2 ** 20)} MB`);
  });

  test('a small cap keeps exactly the first quarter and the last three quarters, on character boundaries', async () => {
    const result = await runProcess({ command: `printf 'é%.0s' $(seq 1 1000)`, cwd: dir, timeoutMs: 10_000, maxOutputBytes: 1001 });
    const [head = '', tail = ''] = result.output.split(/\n… \d+ bytes omitted …\n/);
    assert.equal(head, 'é'.repeat(125), '250 bytes of 2-byte characters');
    assert.equal(tail, 'é'.repeat(375), 'the last 751 bytes, less the broken half character');
    assert.equal(result.truncatedBytes, 2000 - 250 - 750);
    assert.ok(!result.output.includes('\uFFFD'));
  });

  test('the command never sees the keys in the environment it is given', async () => {
    const env = {
      ...process.env,
      OPENAI_API_KEY: 'sk-abcdefghijklmnopqrstuvwxyz012345',
      GITHUB_TOKEN: 'ghp_abcdefghijklmnopqrstuvwxyz0123456789',
      MY_SERVICE_PASSWORD: 'hunter2',
      INNOCENT_LOOKING: 'sk-ant-api03-abcdefghijklmnopqrstuvwxyz',
      KEEP_ME: 'visible',
      NODE_TEST_CONTEXT: 'child-v8',
    };
    const result = await runProcess({ command: 'env', cwd: dir, timeoutMs: 10_000, env });
    assert.match(result.output, /^KEEP_ME=visible$/m);
    assert.match(result.output, /^PATH=/m);
    assert.doesNotMatch(result.output, /NODE_TEST_CONTEXT/, 'a project\'s node --test would report to us instead of exiting non-zero');
    for (const gone of ['OPENAI_API_KEY', 'GITHUB_TOKEN', 'MY_SERVICE_PASSWORD', 'INNOCENT_LOOKING', env.OPENAI_API_KEY, env.GITHUB_TOKEN, 'hunter2', env.INNOCENT_LOOKING]) {
      assert.ok(!result.output.includes(gone), `${gone} leaked into the command's environment`);
    }
  });
});

describe('scrubEnvironment', () => {
  const env: NodeJS.ProcessEnv = {
    PATH: '/usr/bin',
    HOME: '/home/dev',
    LANG: 'en_US.UTF-8',
    TERM: 'xterm',
    CI: 'true',
    NODE_OPTIONS: '--max-old-space-size=4096',
    HTTPS_PROXY: 'http://proxy:8080',
    XDG_SESSION_TYPE: 'wayland',
    DBUS_SESSION_BUS_ADDRESS: 'unix:path=/run/user/1000/bus',
    GIT_AUTHOR_NAME: 'Dev',
    TOKENIZERS_PARALLELISM: 'false',
    OPENAI_API_KEY: 'x',
    anthropic_api_key: 'x',
    AZURE_OPENAI_API_KEY: 'x',
    GH_TOKEN: 'x',
    NPM_TOKEN: 'x',
    AWS_ACCESS_KEY_ID: 'AKIAABCDEFGHIJKLMNOP',
    AWS_SECRET_ACCESS_KEY: 'x',
    AWS_SESSION_TOKEN: 'x',
    PLUMBLINE_SECRET_STORAGE_KEYS: 'x',
    DATABASE_PASSWORD: 'x',
    MYSQL_PASSWD: 'x',
    GOOGLE_APPLICATION_CREDENTIALS: '/keys.json',
    SIGNING_PRIVATE_KEY: 'x',
    SSH_AUTH_SOCK: '/tmp/agent.sock',
    CLIENT_SECRET: 'x',
    SLACK_WEBHOOK: 'xoxb-1234567890-abcdefghij',
    SOME_VALUE: 'github_pat_11ABCDEFG0123456789_abcdefghijklmnop',
    BEARER_VALUE: 'Bearer sk-proj-abcdefghijklmnopqrstuvwxyz',
  };

  test('removes secrets by name and by value, and keeps ordinary variables', () => {
    const scrubbed = scrubEnvironment(env);
    assert.deepEqual(Object.keys(scrubbed).sort(), [
      'CI', 'DBUS_SESSION_BUS_ADDRESS', 'GIT_AUTHOR_NAME', 'HOME', 'HTTPS_PROXY', 'LANG', 'NODE_OPTIONS', 'PATH', 'TERM', 'TOKENIZERS_PARALLELISM', 'XDG_SESSION_TYPE',
    ]);
    assert.equal(scrubbed.PATH, '/usr/bin');
    assert.equal(env.OPENAI_API_KEY, 'x', 'the input is not changed');
  });

  test('reports the removed names, never the values', () => {
    const { removed } = scrubEnvironmentReport(env);
    assert.deepEqual(removed, scrubbedNames(env));
    assert.ok(removed.includes('anthropic_api_key') && removed.includes('SOME_VALUE') && removed.includes('SSH_AUTH_SOCK'));
    assert.ok(!removed.some((name) => name.startsWith('sk-') || name.startsWith('x')));
    assert.equal(removed.length, Object.keys(env).length - 11);
    for (const name of ALWAYS_REMOVED) assert.ok(scrubbedNames({ [name]: 'harmless' }).includes(name), name);
  });

  test('a value is a key only as a whole: a path that mentions sk- is kept', () => {
    assert.deepEqual(scrubbedNames({ PATH: '/opt/sk-learn-abcdefghijklmnopqrstuvwxyz/bin:/usr/bin', NOTE: 'ask-me-anything' }), []);
  });
});
