/**
 * Compaction through the real OpenAI and Anthropic SDKs: a worker reads far more than a small
 * context window holds (`--context-window`), is compacted (never silently: the `--json` event and
 * plan.md say so) and still finishes; every request the fake server received is under the window,
 * and the fixed prefix (system prompt, tools, the brief) is the same bytes in every request. A
 * conversation whose brief alone does not fit fails its step with that reason.
 */
import assert from 'node:assert/strict';
import { writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { startFakeModelServer, type FakeModelServer, type RecordedRequest, type ScenarioInput } from '../fake-model/index';
import { tokensForChars } from '../fake-model/tokens';
import { fakeProviderEnv, makeRepo, requestsOf, spawnCli, stepsSection, type TempRepo } from '../unit/support/scenarioHarness';

const window = 8000;
const reads = 16;

/** Text files of ~2,400 characters each: together several times the window. */
function writeNotes(repo: TempRepo): void {
  mkdirSync(join(repo.root, 'notes'));
  for (let index = 0; index < reads; index++) {
    const lines = Array.from({ length: 40 }, (_, line) => `Note ${String(index)}.${String(line)}: the greeting must stay friendly and short, said the team.`);
    writeFileSync(join(repo.root, 'notes', `n${String(index)}.txt`), `${lines.join('\n')}\n`);
  }
}

function scenario(briefFile = 'src/greet.js'): ScenarioInput {
  return {
    name: 'compaction',
    onExhausted: 'error',
    roles: {
      orchestrator: {
        match: { system: "Plumbline's orchestrator" },
        turns: [
          { content: [{ tool: 'submit_plan', arguments: { summary: 'Rename greet after reading the notes.', steps: [{ id: 's1', title: 'Note the rule', instructions: 'Read every file in notes/, then note their rule above greet in src/greet.js.', files: [briefFile] }] } }] },
        ],
      },
      'worker-s1': {
        match: { system: 'Plumbline worker' },
        turns: [
          ...Array.from({ length: reads }, (_, index) => ({ content: [{ tool: 'read_file', arguments: { path: `notes/n${String(index)}.txt` } }] })),
          {
            content: [
              { text: 'Read them all.' },
              { tool: 'edit_file', arguments: { path: 'src/greet.js', patch: '-function greet(name) {\n+// Friendly and short, as the notes say.\n+function greet(name) {' } },
              { tool: 'finish', arguments: { summary: 'Noted the rule above greet.' } },
            ],
          },
        ],
      },
    },
  };
}

type Wire = 'openai' | 'anthropic';

function envFor(wire: Wire, server: FakeModelServer): NodeJS.ProcessEnv {
  const env = fakeProviderEnv(server);
  if (wire === 'anthropic') return env;
  const { ANTHROPIC_API_KEY: _key, ANTHROPIC_BASE_URL: _url, ...rest } = env;
  return { ...rest, OPENAI_API_KEY: 'sk-scenario-test', OPENAI_BASE_URL: server.openaiBaseUrl };
}

interface Body {
  system?: unknown;
  tools?: unknown;
  messages?: unknown[];
}

/** The fixed prefix of a request as sent: tools, system prompt and the first user message (the brief). */
function prefixOf(wire: Wire, request: RecordedRequest): string {
  const body = request.body as Body;
  const messages = body.messages ?? [];
  // Breakpoint markers move with the conversation's end; caches key on the content, as the fake's does.
  return JSON.stringify(wire === 'anthropic' ? [body.tools, body.system, messages[0]] : [body.tools, messages[0], messages[1]], (key, value: unknown) => (key === 'cache_control' ? undefined : value));
}

/** The request's size as the server measures it: its whole body, characters / 4 (an upper bound of what the fake counts). */
const sizeOf = (request: RecordedRequest): number => tokensForChars(JSON.stringify(request.body).length);

function run(wire: Wire, repo: TempRepo, server: FakeModelServer) {
  return spawnCli(['run', 'Rename greet after reading the notes', '--cwd', repo.root, '--json', '--approve', 'auto', '--yes', '--provider', wire, '--context-window', String(window)], envFor(wire, server));
}

describe('compaction (real SDKs, fake model server, --context-window)', () => {
  for (const wire of ['openai', 'anthropic'] as const) {
    test(`${wire}: a worker that reads several windows' worth of files is compacted, stays under the window and finishes`, { timeout: 120000 }, async () => {
      const repo = makeRepo('greeter');
      writeNotes(repo);
      const server = await startFakeModelServer({ scenario: scenario() });
      try {
        const cli = run(wire, repo, server);
        const result = await cli.done;
        assert.equal(result.code, 0, `${result.stderr}\n${JSON.stringify(cli.log.of('run/finished'))}`);
        const finished = cli.log.finished();
        assert.equal(finished.status, 'completed', finished.reason);
        assert.deepEqual(finished.applied, ['src/greet.js']);

        const worker = requestsOf(server, 'worker-s1');
        assert.equal(worker.length, reads + 1, 'every read and the edit');
        const total = worker.reduce((sum, request) => sum + sizeOf(request), 0);
        const largest = Math.max(...worker.map(sizeOf));
        assert.ok(largest < window, `the largest request was ${String(largest)} tokens`);
        assert.ok(largest > window / 2, `the conversation did grow toward the window (${String(largest)})`);
        assert.ok(total > 3 * window, 'the worker read far more than one window');
        for (const request of server.requests()) assert.ok(sizeOf(request) < window, `request #${String(request.seq)} (${String(request.role)}) is ${String(sizeOf(request))} tokens`);

        // The prefix the provider caches is the same bytes before and after compaction.
        const prefixes = new Set(worker.map((request) => prefixOf(wire, request)));
        assert.equal(prefixes.size, 1, 'system prompt, tools and the brief never change');

        // Never silently: the --json event, and plan.md.
        const compacted = cli.log.of('model/compacted');
        assert.ok(compacted.length >= 1, cli.log.types());
        for (const event of compacted) {
          assert.equal(event.stepId, 's1');
          assert.equal(event.contextWindow, window);
          assert.ok(event.afterTokens < event.beforeTokens && event.summarized > 0, JSON.stringify(event));
        }
        const markdown = repo.planMarkdown(finished.runId);
        assert.match(markdown, /- s1's conversation was compacted to fit [^\n]+ context window \(8000 tokens\): ~\d+ → ~\d+ tokens, \d+ old tool results and arguments replaced by summaries\./);
        assert.match(stepsSection(markdown), /\*\*s1\*\* · done/);

        // What the model saw of an early read after compaction: the harness's summary, paired with its call.
        const last = JSON.stringify((worker.at(-1)?.body as Body).messages);
        assert.match(last, /\[compacted\] read_file notes\/n0\.txt: lines 1-40 of 40 were shown here/);
      } finally {
        await server.close();
        repo.remove();
      }
    });
  }

  test('a conversation whose brief alone does not fit fails its step with that reason', { timeout: 120000 }, async () => {
    const repo = makeRepo('greeter');
    writeFileSync(join(repo.root, 'src', 'big.js'), '// a long file that the brief carries whole\n'.repeat(1000));
    const server = await startFakeModelServer({ scenario: scenario('src/big.js') });
    try {
      const cli = run('anthropic', repo, server);
      await cli.done;
      const finished = cli.log.finished();
      assert.equal(finished.status, 'failed');
      const step = cli.log.of('step/finished').find((event) => event.stepId === 's1');
      assert.match(step?.error ?? '', /^The worker stopped: the conversation needs about \d+ tokens even after compaction, more than 80% of [^ ]+'s context window of 8000 tokens/);
      assert.equal(requestsOf(server, 'worker-s1').length, 0, 'nothing too large was sent');
      assert.match(repo.planMarkdown(finished.runId), /s1's conversation did not fit [^\n]+ even after compaction/);
    } finally {
      await server.close();
      repo.remove();
    }
  });
});
