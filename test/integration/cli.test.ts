import assert from 'node:assert/strict';
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { mkdtempSync, readdirSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { runDoctor } from '../../src/cli/doctor';
import { startFakeModelServer, type FakeModelServer } from '../fake-model/index';
import { bundle, packageVersion } from '../unit/support/bundles';

/** The test process's environment without any provider configuration, plus `extra`. */
function providerFreeEnv(extra: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const providerVariables = new Set(['OPENAI_API_KEY', 'ANTHROPIC_API_KEY', 'OPENAI_BASE_URL', 'ANTHROPIC_BASE_URL']);
  return { ...Object.fromEntries(Object.entries(process.env).filter(([name]) => !providerVariables.has(name))), ...extra };
}

function cli(args: string[], env: NodeJS.ProcessEnv = {}): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, [bundle('cli.js'), ...args], { encoding: 'utf8', timeout: 30000, env: providerFreeEnv(env) });
}

const scratch = mkdtempSync(join(tmpdir(), 'plumbline-cli-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

describe('plumbline CLI', () => {
  test('--version prints the package version', () => {
    const result = cli(['--version']);
    assert.equal(result.status, 0);
    assert.equal(result.stdout.trim(), packageVersion);
  });

  test('--help lists the commands and the exit statuses', () => {
    const result = cli(['--help']);
    assert.equal(result.status, 0);
    assert.match(result.stdout, /plumbline doctor/);
    assert.match(result.stdout, /plumbline run "<task>"/);
    assert.match(result.stdout, /plumbline runs/);
    assert.match(result.stdout, /Exit status: 0 success \(run: the task was completed\), 1 a check failed or the run did not\ncomplete, 2 a usage error, 3 the run was cancelled/);
  });

  test('usage errors exit 2 with a hint', () => {
    for (const args of [[], ['launch'], ['doctor', 'extra'], ['doctor', '--nope'], ['doctor', '--timeout', 'soon']]) {
      const result = cli(args);
      assert.equal(result.status, 2, args.join(' '));
    }
    const unknown = cli(['launch']);
    assert.match(unknown.stderr, /unknown command "launch"/);
    assert.match(unknown.stderr, /plumbline --help/);
  });

  test('a run refused for its arguments exits at once and leaves no agent server behind (the one started early is stopped)', async () => {
    const folder = mkdtempSync(join(scratch, 'early-'));
    const started = Date.now();
    const result = cli(['run', 'rename x', '--cwd', folder, '--approve', 'sometimes']);
    assert.equal(result.status, 2, result.stderr);
    assert.match(result.stderr, /--approve is one of/);
    assert.ok(Date.now() - started < 10000, `took ${Date.now() - started} ms`);
    if (process.platform !== 'linux') return;
    // The server would run in the workspace folder: no process may be left there.
    const inFolder = (): string[] =>
      readdirSync('/proc').filter((pid) => /^\d+$/.test(pid)).filter((pid) => {
        try {
          return readlinkSync(`/proc/${pid}/cwd`) === folder;
        } catch {
          return false;
        }
      });
    for (let waited = 0; inFolder().length > 0 && waited < 3000; waited += 100) await new Promise((resolve) => setTimeout(resolve, 100));
    assert.deepEqual(inFolder(), []);
  });

  test('--review takes off, steps or end; the reviewer and escalation flags go with run', () => {
    const review = cli(['run', 'a task', '--review', 'sometimes']);
    assert.equal(review.status, 2);
    assert.match(review.stderr, /--review is one of off, steps, end/);
    for (const flag of [['--reviewer-model', 'm'], ['--review', 'steps'], ['--no-escalation']]) {
      const misplaced = cli(['doctor', ...flag]);
      assert.equal(misplaced.status, 2, flag.join(' '));
      assert.match(misplaced.stderr, new RegExp(`${flag[0] ?? ''} goes with "plumbline run"`));
    }
  });

  test('doctor --cwd on a missing folder is a usage error', () => {
    const result = cli(['doctor', '--cwd', join(scratch, 'nope')]);
    assert.equal(result.status, 2);
    assert.match(result.stderr, /is not a folder/);
  });

  test('doctor completes a real initialize round trip and reports the environment', () => {
    const result = cli(['doctor', '--cwd', scratch]);
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, new RegExp(`✓ agent server +plumbline-agent-server ${packageVersion.replace(/\./g, '\\.')} \\(initialize round trip \\d+ ms\\)`));
    assert.match(result.stdout, new RegExp(`✓ node +${process.version}`));
    assert.match(result.stdout, /git +git \d+\.\d+/);
    assert.match(result.stdout, new RegExp(`workspace +${scratch} \\(not a git repository\\)`));
    assert.match(result.stdout, /! openai +no key: set OPENAI_API_KEY/);
  });

  test('doctor --json reports configured providers without ever printing a key', () => {
    const key = 'sk-ant-test-0123456789-do-not-print';
    const result = cli(['doctor', '--json', '--cwd', scratch], { ANTHROPIC_API_KEY: key });
    assert.equal(result.status, 0, result.stderr);
    assert.doesNotMatch(result.stdout + result.stderr, /do-not-print/);
    const report = JSON.parse(result.stdout) as { ok: boolean; status: { providers: { id: string; keyPresent: boolean; keySource: string | null }[] } };
    assert.equal(report.ok, true);
    const anthropic = report.status.providers.find((provider) => provider.id === 'anthropic');
    assert.deepEqual([anthropic?.keyPresent, anthropic?.keySource], [true, 'env:ANTHROPIC_API_KEY']);
  });

  test('doctor fails with exit 1 and says why when the server cannot start', async () => {
    const broken = join(scratch, 'broken-server.js');
    writeFileSync(broken, 'process.stderr.write("boom: cannot load engine\\n"); process.exit(3);\n');
    const report = await runDoctor({ workspaceFolder: scratch, timeoutMs: 5000, serverPath: broken });
    assert.equal(report.ok, false);
    const server = report.checks.find((check) => check.name === 'agent server');
    assert.equal(server?.level, 'fail');
    assert.match(server?.detail ?? '', /exited \(code 3\): boom: cannot load engine/);
  });

  test('doctor fails when the server never answers, within the timeout', async () => {
    const silent = join(scratch, 'silent-server.js');
    writeFileSync(silent, 'setInterval(() => {}, 1000);\n');
    const report = await runDoctor({ workspaceFolder: scratch, timeoutMs: 500, serverPath: silent });
    assert.equal(report.ok, false);
    assert.match(report.checks[0]?.detail ?? '', /did not answer within 500 ms/);
  });
});

describe('plumbline doctor --ping against a model server', () => {
  let server: FakeModelServer;
  const anthropicKey = 'sk-ant-doctor-ping-key-0123456789';

  // spawnSync would block the fake server's event loop, so these runs are asynchronous.
  async function cliAsync(args: string[], env: NodeJS.ProcessEnv): Promise<{ status: number | null; stdout: string; stderr: string }> {
    const { spawn } = await import('node:child_process');
    const child = spawn(process.execPath, [bundle('cli.js'), ...args], { env: providerFreeEnv(env) });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const status = await new Promise<number | null>((resolve) => child.on('close', resolve));
    return { status, stdout, stderr };
  }

  test('pings each role and each keyed provider with a one-token call', async () => {
    server = await startFakeModelServer({ scenario: { name: 'ping', roles: { default: { turns: ['ok'] } } } });
    try {
      const result = await cliAsync(['doctor', '--ping', '--cwd', scratch], {
        ANTHROPIC_API_KEY: anthropicKey,
        ANTHROPIC_BASE_URL: server.anthropicBaseUrl,
        OPENAI_API_KEY: 'sk-openai-doctor-0123456789',
        OPENAI_BASE_URL: server.openaiBaseUrl,
      });
      assert.equal(result.status, 0, result.stdout + result.stderr);
      assert.match(result.stdout, /✓ orchestrator +anthropic · claude-sonnet-4-5/);
      assert.match(result.stdout, /✓ ping +anthropic · claude-sonnet-4-5 .*\(orchestrator\) answered in \d+ ms/);
      assert.match(result.stdout, /✓ ping +anthropic · claude-haiku-4-5 .*\(worker\) answered/);
      assert.match(result.stdout, /✓ ping +openai · gpt-5-mini .*\(not used by a role\) answered/);
      const bodies = server.requests().map((request) => request.body as { max_tokens?: number; max_completion_tokens?: number });
      assert.equal(bodies.length, 3);
      for (const body of bodies) assert.equal(body.max_tokens ?? body.max_completion_tokens, 1);
    } finally {
      await server.close();
    }
  });

  test('a rejected key fails the ping with exit 1, says what to do, and never prints the key', async () => {
    server = await startFakeModelServer({ scenario: { name: 'ping', roles: { default: { turns: ['ok'] } } } });
    try {
      server.injectFault({ type: 'invalid_api_key' }, { count: 10 });
      const result = await cliAsync(['doctor', '--ping', '--cwd', scratch], { ANTHROPIC_API_KEY: anthropicKey, ANTHROPIC_BASE_URL: server.anthropicBaseUrl });
      assert.equal(result.status, 1);
      assert.match(result.stdout, /✗ ping +anthropic · claude-sonnet-4-5 .*Anthropic at http:\/\/127\.0\.0\.1:\d+: HTTP 401.*Check the API key/);
      assert.doesNotMatch(result.stdout + result.stderr, /doctor-ping-key/);
      assert.equal(server.requests().length, 2, 'one request per role; auth errors are not retried');
    } finally {
      await server.close();
    }
  });
});
