/**
 * The run's limits as units (issue 14, "Runaway" and the unpriced cost limit): the default request
 * cap and where limits come from, a cost limit against a model without a price, the journal's size
 * cap, the plan's size caps, and how an unpriced spend reads.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { createPlan, setCost } from '../../src/agent/plan/planState';
import { renderPlanMarkdown } from '../../src/agent/plan/renderPlan';
import { submittedPlanSchema } from '../../src/protocol/plan';
import { journalLimitReason, RunJournal } from '../../src/agent/run/journal';
import { maxLiveSteps, planSizeErrors } from '../../src/agent/run/planBounds';
import { BudgetExceededError, RunBudget } from '../../src/agent/run/runBudget';
import { runLimits, unpricedBudgetRefusal } from '../../src/agent/run/runLimits';
import { runDir } from '../../src/agent/run/runStore';
import { renderPlanForTerminal } from '../../src/cli/planView';
import { describeCost, formatTokens } from '../../src/protocol/cost';
import { plumblineSettingsSchema } from '../../src/protocol/settings';

const defaults = plumblineSettingsSchema.parse({});
const usage = (tokens: number) => ({ inputTokens: tokens, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0 });

describe('where a run\'s limits come from', () => {
  test('every run has a request cap (400 unless set); re-plan and journal caps have defaults', () => {
    assert.deepEqual(runLimits({}, defaults), { budget: { maxCalls: 400 }, replans: { maxReplans: 10, maxReplansPerStep: 2 }, maxJournalBytes: 64 * 1024 * 1024 });
  });

  test('the run\'s own limits win over the settings; a token limit of 0 in the settings is none', () => {
    const settings = plumblineSettingsSchema.parse({ budget: { maxCalls: 50, maxTokens: 20000 }, limits: { maxReplans: 1, maxReplansPerStep: 0, maxJournalMb: 2 } });
    assert.deepEqual(runLimits({ maxCalls: 7, maxCostUsd: 1, maxMinutes: 2 }, settings), {
      budget: { maxCalls: 7, maxTokens: 20000, maxCostUsd: 1, maxWallClockMs: 120000 },
      replans: { maxReplans: 1, maxReplansPerStep: 0 },
      maxJournalBytes: 2 * 1024 * 1024,
    });
    assert.equal(runLimits({ maxTokens: 99 }, settings).budget.maxTokens, 99);
    assert.equal(runLimits({}, plumblineSettingsSchema.parse({ budget: { maxTokens: 0 } })).budget.maxTokens, undefined);
  });

  test('the settings refuse a cap of no calls, no journal or negative re-plans', () => {
    assert.equal(plumblineSettingsSchema.safeParse({ budget: { maxCalls: 0 } }).success, false);
    assert.equal(plumblineSettingsSchema.safeParse({ limits: { maxJournalMb: 0 } }).success, false);
    assert.equal(plumblineSettingsSchema.safeParse({ limits: { maxReplans: -1 } }).success, false);
  });
});

describe('a cost limit and a model without a price', () => {
  test('before the run: refused when a model is unpriced and there is no token limit, naming what to set', () => {
    assert.equal(
      unpricedBudgetRefusal({ maxCostUsd: 2 }, ['claude-sonnet-4-5', 'local-llama-3'], {}),
      'The cost limit of $2.00 cannot be enforced: the model "local-llama-3" has no known price. Set a token limit instead (--max-tokens, or plumbline.budget.maxTokens), or the price in plumbline.prices.',
    );
    assert.equal(unpricedBudgetRefusal({ maxCostUsd: 2, maxTokens: 1000 }, ['local-llama-3'], {}), undefined, 'the token limit bounds it instead');
    assert.equal(unpricedBudgetRefusal({ maxCostUsd: 2 }, ['local-llama-3'], { 'local-llama': { input: 0, output: 0 } }), undefined, 'a price in the settings');
    assert.equal(unpricedBudgetRefusal({}, ['local-llama-3'], {}), undefined, 'no cost limit');
  });

  test('at the first request: refused before it is made, unless a token limit bounds the run', () => {
    const budget = new RunBudget({ maxCostUsd: 1 });
    budget.check({ model: 'claude-haiku-4-5', priced: true });
    assert.throws(() => budget.check({ model: 'local-llama-3', priced: false }), (error) => error instanceof BudgetExceededError && /cost limit of \$1\.00 cannot be enforced: the model "local-llama-3" has no known price/.test(error.message));
    const bounded = new RunBudget({ maxCostUsd: 1, maxTokens: 1000 });
    bounded.check({ model: 'local-llama-3', priced: false });
    bounded.record(usage(1000), null);
    assert.throws(() => bounded.check({ model: 'local-llama-3', priced: false }), /limit of 1000 tokens/);
  });

  test('halt stops the next request with its reason, whatever the budget', () => {
    const budget = new RunBudget({});
    budget.check();
    budget.halt('the journal is full');
    budget.halt('a second reason does not replace the first');
    assert.throws(() => budget.check(), { name: 'BudgetExceededError', message: 'the journal is full' });
  });
});

describe('the journal\'s size cap', () => {
  test('past the cap the run is told once; every entry is still written, and the journal reads back', async (t) => {
    const root = mkdtempSync(join(tmpdir(), 'plumbline-journal-cap-'));
    t.after(() => rmSync(root, { recursive: true, force: true }));
    mkdirSync(runDir(root, 'run-1'), { recursive: true });
    const told: number[] = [];
    const journal = new RunJournal(root, 'run-1', { maxBytes: 2000, onLimit: (max) => told.push(max) });
    await journal.append({ kind: 'started', at: '2026-01-01T00:00:00.000Z', task: 'task', options: {} });
    const call = { kind: 'usage', role: 'worker', provider: 'anthropic', model: 'm', usage: usage(1), costUsd: null } as const;
    for (let index = 0; index < 20; index++) await journal.append(call);
    await journal.append({ kind: 'finished', status: 'failed', reason: `Stopped: ${journalLimitReason(2000)}.` });
    await journal.close();
    assert.deepEqual(told, [2000]);
    assert.equal(journal.size, statSync(journal.path).size);
    const recovered = await RunJournal.recover(root, 'run-1');
    assert.equal(recovered.finished, true);
    assert.equal(recovered.calls.length, 20);

    // A resumed run's journal counts what is already in the file.
    const reopened = new RunJournal(root, 'run-1', { maxBytes: 1_000_000, onLimit: () => told.push(-1) });
    await reopened.append(call);
    await reopened.close();
    assert.ok(reopened.size > 2000);
    assert.deepEqual(told, [2000]);
  });

  test('the reason names the size and the setting', () => {
    assert.equal(journalLimitReason(64 * 1024 * 1024), "the run's journal reached its size limit of 64 MB (plumbline.limits.maxJournalMb)");
    assert.equal(journalLimitReason(2000), "the run's journal reached its size limit of 2 KB (plumbline.limits.maxJournalMb)");
  });
});

describe('the plan\'s size', () => {
  const oneStep = (instructions: string) => ({ summary: 'S.', steps: [{ id: 's1', title: 'T', instructions, files: ['a.ts'] }] });

  test('submit_plan caps instructions and the summary, with messages the model can act on', () => {
    const long = submittedPlanSchema.safeParse(oneStep('x'.repeat(4001)));
    assert.equal(long.success, false);
    assert.match(long.error?.issues[0]?.message ?? '', /instructions must be at most 4000 characters/);
    assert.equal(submittedPlanSchema.safeParse(oneStep('x'.repeat(4000))).success, true);
    assert.equal(submittedPlanSchema.safeParse({ ...oneStep('x'), summary: 'y'.repeat(2001) }).success, false);
  });

  test('a plan over 64 KB, or a re-plan that would grow the live plan past its step cap, is refused', () => {
    const big = submittedPlanSchema.parse({ summary: 'S.', steps: Array.from({ length: 20 }, (_, index) => ({ id: `s${index}`, title: 'T', instructions: 'x'.repeat(3900), files: [`f${index}.ts`] })) });
    assert.match(planSizeErrors(big)[0] ?? '', /^The plan is 7\d KB; at most 64 KB: shorten the instructions/);
    const small = submittedPlanSchema.parse(oneStep('Do it.'));
    assert.deepEqual(planSizeErrors(small), []);
    const current = createPlan('r', 't', submittedPlanSchema.parse({ summary: 'S.', steps: Array.from({ length: 50 }, (_, index) => ({ id: `k${index}`, title: 'T', instructions: 'I.', files: [] })) }));
    const started = { ...current, steps: [...current.steps, ...current.steps.map((step) => ({ ...step, id: `${step.id}x` }))].map((step) => ({ ...step, status: 'failed' as const })) };
    assert.equal(started.steps.length, maxLiveSteps);
    assert.match(planSizeErrors(small, started)[0] ?? '', /already has 100 started or finished steps; with 1 new ones it would have more than 100: submit at most 0 steps/);
  });
});

describe('an unpriced spend reads as tokens', () => {
  test('describeCost: dollars when everything was priced, tokens when not', () => {
    assert.equal(describeCost({ usd: 0.0123, unpricedCalls: 0, tokens: 5000 }), '$0.0123');
    assert.equal(describeCost({ usd: 0, unpricedCalls: 4, tokens: 45_600 }), '45.6k tokens (unpriced)');
    assert.equal(describeCost({ usd: 0.5, unpricedCalls: 1, tokens: 1_234_567 }, (usd) => `$${usd.toFixed(2)}`), '$0.50 · 1.23M tokens (1 call unpriced)');
    assert.equal(formatTokens(950), '950 tokens');
    assert.equal(formatTokens(3300), '3.3k tokens');
  });

  test('the terminal\'s plan and plan.md show the tokens when calls had no price', () => {
    const plan = setCost(createPlan('r', 't', submittedPlanSchema.parse({ summary: 'S.', steps: [{ id: 's1', title: 'T', instructions: 'I.', files: [] }] })), { usd: 0, unpricedCalls: 3, tokens: 3300 });
    assert.match(renderPlanForTerminal(plan, { colors: false }), /draft · 0\/1 steps · 3\.3k tokens \(unpriced\)/);
    assert.match(renderPlanMarkdown(plan), /cost 3\.3k tokens \(unpriced\)$/m);
    assert.doesNotMatch(renderPlanMarkdown(plan), /\$0\.0000/);
  });
});
