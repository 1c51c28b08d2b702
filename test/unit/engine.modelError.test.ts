import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { endpointRef, withEndpointErrors } from '../../src/agent/model/endpointErrors';
import { ModelError } from '../../src/agent/model/modelErrors';
import type { ModelClient } from '../../src/agent/model/modelTypes';
import { listRuns } from '../../src/agent/run/runStore';
import { engineRun } from './support/engineHarness';
import { greeterFiles } from './support/engineFixtures';

/** A model at a local URL where nothing listens: each attempt is refused, and counted. */
function refusedClient(attempts: { count: number }): ModelClient {
  const bare: ModelClient = {
    provider: 'openai',
    model: 'qwen2.5-coder:7b',
    // eslint-disable-next-line require-yield
    async *stream() {
      attempts.count += 1;
      await Promise.resolve();
      throw new ModelError('connection', 'openai', 'Could not connect (ECONNREFUSED): Connection error.', undefined, undefined, 'ECONNREFUSED');
    },
  };
  return withEndpointErrors(bare, endpointRef({ role: 'orchestrator', provider: 'openai', model: 'qwen2.5-coder:7b', baseUrl: 'http://localhost:11434/v1' }));
}

describe('RunEngine in process: a model error before the plan', () => {
  test('ends the run at once with the provider, URL and setting named, marked as before the plan', async () => {
    const attempts = { count: 0 };
    const client = refusedClient(attempts);
    const run = engineRun({ files: greeterFiles, script: { orchestrator: [] }, host: { clients: { orchestrator: client, worker: client } } });
    try {
      const result = await run.run();
      assert.equal(result.status, 'failed');
      assert.equal(attempts.count, 1, 'a refused loopback URL is not retried');
      assert.match(result.reason ?? '', /^OpenAI-compatible server at http:\/\/localhost:11434\/v1: Nothing is listening at http:\/\/localhost:11434\/v1 \(is Ollama running\?\)\. Start the server, or change plumbline\.orchestrator\.baseUrl/);
      const finished = run.of('run/finished')[0];
      assert.deepEqual(finished?.modelError, { provider: 'openai', kind: 'unreachable', url: 'http://localhost:11434/v1', setting: 'plumbline.orchestrator.baseUrl', beforePlan: true });
      const [meta] = await listRuns(run.root);
      assert.equal(meta?.status, 'failed');
      assert.equal(meta?.stepsTotal, 0, 'no plan: nothing was changed, nothing to undo');
      assert.deepEqual(run.applied, []);
    } finally {
      run.remove();
    }
  });
});
