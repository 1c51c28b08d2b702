import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { FaultInput } from '../fake-model/index';
import { assertOnlyChanged, captureWorld, makeWorkspace } from '../unit/support/adversarialHarness';
import { startFake } from '../unit/support/scenarioHarness';
import { startVerifySession } from '../unit/support/verifyHarness';

const files = { 'src/a.js': "module.exports = 'hello';\n", 'package.json': '{ "name": "faults", "private": true }\n' };
const louder = "module.exports = 'HELLO';\n";

async function runWithFault(fault: FaultInput, count: number) {
  const repo = makeWorkspace(files);
  const before = captureWorld(repo);
  const server = await startFake('adversarial-faults');
  const session = await startVerifySession(repo, server, { testCommand: 'node -e 0' });
  try {
    server.injectFault(fault, { count, role: 'worker-s1' });
    await session.start('Say hello louder', 'auto');
    const finished = await session.log.waitFor('run/finished', undefined, 120000);
    return { finished, retries: session.log.of('model/retry'), before, after: captureWorld(repo) };
  } finally {
    await session.close();
    await server.close();
    repo.remove();
  }
}

describe('adversarial: model-layer faults in the middle of a run', () => {
  const recoverable: [string, FaultInput][] = [
    ['429 rate limit', { type: 'rate_limit', retryAfterMs: 50 }],
    ['500 server error', { type: 'server_error' }],
    ['overloaded', { type: 'overloaded' }],
    ['connection reset', { type: 'connection_reset' }],
    ['stream cut mid-answer', { type: 'stream_cut', afterChunks: 2 }],
    ['in-band stream error', { type: 'stream_error', afterChunks: 1 }],
  ];
  for (const [name, fault] of recoverable) {
    test(`${name} on a worker request is retried; the run completes with exactly the planned change`, { timeout: 120000 }, async () => {
      const { finished, retries, before, after } = await runWithFault(fault, 1);
      assert.equal(finished.status, 'completed', finished.reason);
      assert.ok(retries.length >= 1, 'the retry was reported');
      assertOnlyChanged(before, after, { 'src/a.js': louder });
    });
  }

  const repaired: [string, FaultInput][] = [
    ['malformed tool-call JSON', { type: 'malformed_arguments' }],
    ['a truncated tool call (max tokens)', { type: 'truncate' }],
  ];
  for (const [name, fault] of repaired) {
    test(`${name} goes back to the model as an error, nothing is applied from it, and the run completes`, { timeout: 120000 }, async () => {
      const { finished, before, after } = await runWithFault(fault, 1);
      assert.equal(finished.status, 'completed', finished.reason);
      assertOnlyChanged(before, after, { 'src/a.js': louder });
    });
  }

  const fatal: [string, FaultInput, number, RegExp][] = [
    ['an invalid API key', { type: 'invalid_api_key' }, 1, /API key|authentication|401/i],
    ['an exhausted quota', { type: 'insufficient_quota' }, 1, /quota|billing|credit|402/i],
    ['a bad request', { type: 'bad_request', message: 'maximum context length is 8192 tokens' }, 1, /maximum context length|400|invalid request/i],
    ['a 500 that never ends', { type: 'server_error' }, 50, /500|server error|retries|attempts/i],
  ];
  for (const [name, fault, count, reason] of fatal) {
    test(`${name} ends the run failed with a clear reason; the workspace is untouched`, { timeout: 150000 }, async () => {
      const { finished, before, after } = await runWithFault(fault, count);
      assert.equal(finished.status, 'failed');
      assert.match(finished.reason ?? '', reason);
      assertOnlyChanged(before, after);
    });
  }
});
