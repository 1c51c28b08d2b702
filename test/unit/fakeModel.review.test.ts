/**
 * The reviewer and escalation through the real SDKs: the engine in process, its model clients the
 * real OpenAI and Anthropic ones talking to the fake model server, whose recorded requests show
 * which model each conversation went to.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { FakeModelServer, ScenarioInput } from '../fake-model/index.js';
import type { TestEvidence } from '../../src/protocol/testEvidence';
import { engineRun, evidence, fakeVerifier } from './support/engineHarness';
import { greeterFiles } from './support/engineFixtures';
import { anthropicFor, openaiFor, startServer } from './support/modelHarness';

function judge(files: ReadonlyMap<string, string | undefined>): TestEvidence {
  if ((files.get('src/greet.js') ?? '').includes('BROKEN')) return evidence('failed', 'New failures: greets Ada.', { excerpt: 'AssertionError: BROKEN', newFailures: ['greets Ada'] });
  return evidence('passed', 'The tests pass.', { passed: 2, total: 2 });
}

const plan = {
  content: [
    {
      tool: 'submit_plan',
      arguments: { summary: 'Rename greet.', steps: [{ id: 's1', title: 'Rename greet', instructions: 'Rename greet to welcome.', files: ['src/greet.js'], model: 'fast', estimated_lines: 4 }] },
    },
  ],
};
const edit = (from: string, to: string, id?: string) => ({ content: [{ tool: 'edit_file', arguments: { path: 'src/greet.js', patch: `-${from}\n+${to}` }, ...(id !== undefined ? { id } : {}) }] });
const finish = (summary: string) => ({ content: [{ tool: 'finish', arguments: { summary } }] });
const review = (verdict: 'approve' | 'revise', summary: string) => ({
  content: [
    {
      tool: 'submit_review',
      arguments: { verdict, summary, findings: verdict === 'revise' ? [{ path: 'src/greet.js', line: 1, problem: 'The parameter is still called name.', suggestion: 'Call it person.' }] : [] },
    },
  ],
});

const orchestrator = { match: { system: "You are Plumbline's orchestrator" }, turns: [plan] };
const reviewerSystem = { system: "You are Plumbline's reviewer" };

describe('fake model server: routing, escalation and the reviewer through the real SDKs', () => {
  let server: FakeModelServer;
  before(async () => {
    server = await startServer();
  });
  after(async () => {
    await server.close();
  });

  function run(scenario: ScenarioInput, options: { escalation?: boolean; review?: 'steps' }) {
    server.setScenario(scenario);
    server.reset();
    server.setScenario(scenario);
    const verifier = fakeVerifier(judge);
    return engineRun({
      files: greeterFiles,
      options: { ...options, replans: { maxReplans: 0, maxReplansPerStep: 0 } },
      script: { orchestrator: [] },
      host: {
        createVerifier: verifier.create,
        // The strong model behind Anthropic's SDK, the fast one behind OpenAI's: an escalation changes wire.
        clients: { orchestrator: anthropicFor(server, { model: 'strong-model' }), worker: openaiFor(server, { model: 'fast-model' }), reviewer: openaiFor(server, { model: 'review-model' }) },
      },
    });
  }

  const models = (): { model: unknown; role: string | null }[] =>
    server.requests().map((request) => ({ model: (request.body as { model?: unknown }).model, role: request.role }));

  test('a step that fails on the fast model (OpenAI) passes after escalating to the strong one (Anthropic), its transcript carried over', async () => {
    const engine = run(
      {
        name: 'escalation',
        roles: {
          orchestrator,
          fast: { match: { model: 'fast-model' }, turns: [edit('function greet(name) {', 'function welcome(name) { // BROKEN', 'call:fast/1'), finish('Renamed.')] },
          strong: { match: { model: 'strong-model', firstUser: '<step id="s1">' }, turns: [edit('function welcome(name) { // BROKEN', 'function welcome(name) {'), finish('Fixed it.')] },
        },
      },
      {},
    );
    try {
      const result = await engine.run();
      assert.equal(result.status, 'completed', result.reason);
      assert.deepEqual(models(), [
        { model: 'strong-model', role: 'orchestrator' },
        { model: 'fast-model', role: 'fast' },
        { model: 'fast-model', role: 'fast' },
        { model: 'strong-model', role: 'strong' },
        { model: 'strong-model', role: 'strong' },
      ]);
      // Anthropic's wire got the OpenAI conversation: its tool call id made acceptable, call and result still paired.
      const escalated = server.requests()[3]?.body as { messages: { role: string; content: string | { type: string; id?: string; tool_use_id?: string }[] }[] };
      const blocks = escalated.messages.flatMap((message) => (typeof message.content === 'string' ? [] : message.content));
      const uses = blocks.filter((block) => block.type === 'tool_use').map((block) => block.id);
      const results = blocks.filter((block) => block.type === 'tool_result').map((block) => block.tool_use_id);
      assert.equal(uses.length, 2);
      assert.deepEqual(results, uses);
      for (const id of uses) assert.match(id ?? '', /^[A-Za-z0-9_-]+$/);
      const step = result.plan?.steps.find((candidate) => candidate.id === 's1');
      assert.deepEqual(step?.attempts.map((attempt) => attempt.model), ['fast-model', 'strong-model']);
      assert.equal(engine.workspace.text('src/greet.js')?.startsWith('function welcome(name) {\n'), true);
    } finally {
      engine.remove();
    }
  });

  test('--no-escalation: the retry stays on the fast model', async () => {
    const engine = run(
      {
        name: 'no-escalation',
        roles: {
          orchestrator,
          fast: {
            match: { model: 'fast-model' },
            turns: [edit('function greet(name) {', 'function welcome(name) { // BROKEN'), finish('Renamed.'), edit('function welcome(name) { // BROKEN', 'function welcome(name) {'), finish('Fixed it.')],
          },
        },
      },
      { escalation: false },
    );
    try {
      const result = await engine.run();
      assert.equal(result.status, 'completed', result.reason);
      assert.deepEqual(models().map((entry) => entry.model), ['strong-model', 'fast-model', 'fast-model', 'fast-model', 'fast-model']);
    } finally {
      engine.remove();
    }
  });

  test('a review that asks for a revision, the worker\'s fix, and the approval', async () => {
    const engine = run(
      {
        name: 'review',
        roles: {
          orchestrator,
          reviewer: { match: reviewerSystem, turns: [review('revise', 'Rename the parameter too.'), review('approve', 'Good.')] },
          fast: { match: { model: 'fast-model' }, turns: [edit('function greet(name) {', 'function welcome(name) {'), finish('Renamed.')] },
          strong: { match: { model: 'strong-model', firstUser: '<step id="s1">' }, turns: [edit('function welcome(name) {', 'function welcome(person) {'), finish('Renamed the parameter.')] },
        },
      },
      { review: 'steps' },
    );
    try {
      const result = await engine.run();
      assert.equal(result.status, 'completed', result.reason);
      assert.deepEqual(models(), [
        { model: 'strong-model', role: 'orchestrator' },
        { model: 'fast-model', role: 'fast' },
        { model: 'fast-model', role: 'fast' },
        { model: 'review-model', role: 'reviewer' },
        // The revision is a failed attempt: the fix escalates to the strong model.
        { model: 'strong-model', role: 'strong' },
        { model: 'strong-model', role: 'strong' },
        { model: 'review-model', role: 'reviewer' },
      ]);
      const fixRequest = JSON.stringify(server.requests()[4]?.body);
      assert.match(fixRequest, /The parameter is still called name\./);
      assert.deepEqual(engine.of('review').map((event) => event.review.outcome), ['revise', 'approved']);
      const reviews = result.plan?.steps[0]?.reviews ?? [];
      assert.ok(reviews.every((entry) => entry.model === 'review-model' && entry.tokens > 0));
      assert.match(engine.workspace.text('src/greet.js') ?? '', /function welcome\(person\)/);
    } finally {
      engine.remove();
    }
  });
});
