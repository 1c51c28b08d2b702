import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { join } from 'node:path';
import { FAKE_MODEL_DIR, SCENARIO_FIXTURES } from './fakeModel.helpers.js';

const REPO_ROOT = join(FAKE_MODEL_DIR, '..', '..');
const CLI = join(FAKE_MODEL_DIR, 'cli.ts');

function startCli(args: string[]): ChildProcessWithoutNullStreams {
  return spawn(process.execPath, ['--import', 'tsx', CLI, ...args], { cwd: REPO_ROOT });
}

/** Resolves with all stdout so far once `pattern` appears in it (rejects after 15s). */
function waitForOutput(child: ChildProcessWithoutNullStreams, pattern: RegExp): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`timed out waiting for ${pattern}; got:\n${out}`)), 15_000);
    const onData = (chunk: Buffer): void => {
      out += chunk.toString();
      if (pattern.test(out)) {
        clearTimeout(timer);
        child.stdout.off('data', onData);
        resolve(out);
      }
    };
    child.stdout.on('data', onData);
  });
}

function exitCode(child: ChildProcessWithoutNullStreams): Promise<number | null> {
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

describe('fake model standalone CLI', () => {
  test('prints its URL and logs one line per request', async () => {
    const child = startCli(['--scenario', join(SCENARIO_FIXTURES, 'hello.json'), '--port', '0']);
    const exited = exitCode(child);
    try {
      const banner = await waitForOutput(child, /listening on (http:\/\/127\.0\.0\.1:\d+)/);
      const url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(banner)?.[1];
      assert.ok(url);
      const logged = waitForOutput(child, /POST \/v1\/chat\/completions openai role=default turn=0 json status=200/);
      const res = await fetch(`${url}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: 'Bearer sk-secret' },
        body: JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'hi' }] }),
      });
      assert.equal(res.status, 200);
      const body = (await res.json()) as { choices: Array<{ message: { content: string } }> };
      assert.match(body.choices[0]?.message.content ?? '', /^Hello!/);
      const line = (await logged).trim().split('\n').at(-1) ?? '';
      assert.match(line, /^\d\d:\d\d:\d\d\.\d{3} #1 POST \/v1\/chat\/completions/);
    } finally {
      child.kill('SIGTERM');
      await exited;
    }
  });

  test('exits non-zero with a clear message for an invalid scenario', async () => {
    const child = startCli(['--scenario', join(SCENARIO_FIXTURES, 'does-not-exist.json')]);
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const code = await exitCode(child);
    assert.equal(code, 1);
    assert.match(stderr, /Cannot read fake-model scenario .*does-not-exist\.json/);
  });
});
