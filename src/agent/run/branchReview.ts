import type { ApproveMode } from '../../protocol/run';
import { readBranchChange, type BranchChange } from '../branches/branchChange';
import { branchPlan } from '../branches/branchPlan';
import { readBranchHistory, resolveBranch, type BranchHistory } from '../branches/branchRuns';
import { offerOverCurrent } from '../branches/offerOverCurrent';
import type { ModelClient } from '../model/modelTypes';
import { addNote, setStatus, setSummaryOfChanges } from '../plan/planState';
import type { StagedChange } from '../workspace/stagedWorkspace';
import { stagedEntry } from './journal';
import { Landing } from './landing';
import { createRunContext, type RunContext } from './runContext';
import type { RunHost, RunResult } from './runHost';
import { RunRecord } from './runRecord';
import { acquireRunLock, planPath } from './runStore';
import { summarizeRun } from './runSummary';
import type { RunEvent } from '../../protocol/run';

/** What reviewing a branch needs from its host: a run's host without the models (nothing here asks one). */
export type BranchReviewHost = Pick<RunHost, 'workspace' | 'validation' | 'emit' | 'review' | 'apply' | 'planBuffer' | 'sandbox'>;

/** A branch read and checked, before anything is locked or written: a bad name or a missing branch fails here. */
export interface OpenedBranch {
  readonly history: BranchHistory;
  readonly change: BranchChange;
}

/** Resolves the branch and reads its commits and its change since `merge-base(HEAD, branch)`. */
export async function openBranch(root: string, name: string): Promise<OpenedBranch> {
  const history = await readBranchHistory(root, await resolveBranch(root, name));
  return { history, change: await readBranchChange(root, history.mergeBase, history.tip) };
}

/** The one line a branch review's record and history show. */
export function branchReviewTask(history: BranchHistory): string {
  return `Review branch ${history.name}`;
}

/** Never called: a branch review asks no model. A run's context wants clients; these refuse. */
const noModel: ModelClient = {
  provider: 'openai',
  model: 'none',
  stream() {
    throw new Error('A branch review makes no model calls.');
  },
};

/**
 * Reviewing a run's branch is a run of its own (its id, plan.md, journal, run.json, checkpoint),
 * without planning or workers: the branch's commits are its plan, each a done step with its CI
 * evidence, and its change is put over the user's current files (`offerOverCurrent`) and staged.
 * From there it is a local run's review: the same change set, the same `Landing` (journal and
 * checkpoint first, the only writer of the user's files), the same history entry and Undo Run.
 */
export class BranchReview {
  private readonly ctx: RunContext;
  private readonly landing: Landing;
  private readonly record: RunRecord;
  private release: (() => Promise<void>) | undefined;

  constructor(
    private readonly reviewId: string,
    private readonly approve: ApproveMode,
    private readonly opened: OpenedBranch,
    host: BranchReviewHost,
    private readonly signal: AbortSignal,
  ) {
    const task = branchReviewTask(opened.history);
    const runHost: RunHost = {
      ...host,
      clients: { orchestrator: noModel, worker: noModel },
      // The branch's plan ran on the CI runner: there is nothing here to approve before the review.
      approvePlan: () => Promise.resolve({ kind: 'approve' }),
    };
    this.ctx = createRunContext(
      { runId: reviewId, task, approve, maxParallel: 1, budget: {}, maxOutputTokens: 0, prices: {}, verification: { timeoutMs: 0, maxAttempts: 1 } },
      runHost,
      signal,
    );
    this.landing = new Landing(this.ctx);
    this.record = new RunRecord(host.workspace.root, reviewId, task, {
      plan: () => this.ctx.plan.value,
      costUsd: () => 0,
      applied: () => [...this.ctx.applied],
      unreviewed: () => this.ctx.staged.changes().map((change) => change.path),
    });
  }

  /** Takes the workspace's run lock (one run or review at a time); the server does it before answering. */
  async lock(): Promise<void> {
    this.release ??= await acquireRunLock(this.ctx.host.workspace.root, this.reviewId);
  }

  async run(): Promise<RunResult> {
    const { ctx } = this;
    const { history } = this.opened;
    const task = branchReviewTask(history);
    const createdAt = new Date().toISOString();
    let finished: Extract<RunEvent, { type: 'run/finished' }> | undefined;
    await this.lock();
    try {
      ctx.host.emit({ type: 'run/started', runId: this.reviewId, task, planPath: planPath(ctx.host.workspace.root, this.reviewId) });
      await this.record.save('running', createdAt);
      // `branch` in the options: `resume` refuses this journal and says to review the branch again.
      await ctx.journal.append({ kind: 'started', at: createdAt, task, options: { branch: history.name, tip: history.tip, approve: this.approve } });
      await ctx.plan.update(branchPlan(this.reviewId, task, history));
      const result = await this.review();
      finished = await this.finish(result, createdAt);
      return result;
    } finally {
      try {
        await Promise.all([ctx.plan.document.flush().catch(() => undefined), ctx.journal.close()]);
        await this.release?.();
        this.release = undefined;
      } finally {
        if (finished !== undefined) ctx.host.emit(finished);
      }
    }
  }

  private async review(): Promise<RunResult> {
    const { ctx } = this;
    try {
      ctx.phase('executing');
      const notes = await this.stage();
      for (const note of notes) await ctx.plan.note(note);
      if (ctx.staged.changes().length === 0) return this.ended('completed', 'Nothing to review: your files already have what still fits of the branch.');
      // What was rejected or kept as the user had it, the review notes in the plan itself.
      await this.landing.review();
      return this.ended('completed');
    } catch (error) {
      if (this.signal.aborted) return this.ended('cancelled', 'The review was cancelled; nothing more was applied.');
      return this.ended('failed', error instanceof Error ? error.message : String(error));
    }
  }

  /** Puts each of the branch's files over the user's current one and stages what is offered; returns the notes to add. */
  private async stage(): Promise<string[]> {
    const { ctx } = this;
    const { history, change } = this.opened;
    const notes = change.refused.map((entry) => `Not offered: ${entry.path}: ${entry.reason}.`);
    const same: string[] = [];
    const staged: StagedChange[] = [];
    const stepsOf = (path: string): string[] => {
      const plan = ctx.plan.current();
      return plan.steps.filter((step) => step.changedFiles.includes(path)).map((step) => step.id);
    };
    for (const file of change.files) {
      const current = (await ctx.host.workspace.readFile(file.path))?.bytes;
      const offer = offerOverCurrent(file, current);
      if (offer.kind === 'same') same.push(file.path);
      else if (offer.kind === 'refused') notes.push(`Not offered: ${offer.reason}.`);
      else {
        if (offer.notApplied.length > 0) notes.push(`You changed ${file.path} since the branch left your history: offered what still fits; not offered (it no longer fits your version): ${offer.notApplied.join('; ')}.`);
        if (offer.after === undefined) await ctx.staged.delete(file.path);
        else await ctx.staged.write(file.path, offer.after);
        ctx.stepsByFile.set(file.path, stepsOf(file.path));
        staged.push({ path: file.path, kind: current === undefined ? 'create' : offer.after === undefined ? 'delete' : 'modify', before: current, after: offer.after });
      }
    }
    if (same.length > 0) notes.push(`Already as the branch has them: ${same.join(', ')}.`);
    // Journaled like a step's verified increment, so the journal holds what landing writes.
    if (staged.length > 0) await ctx.journal.append(stagedEntry(ctx.plan.current().steps.at(-1)?.id ?? 'branch', staged));
    if (history.commits.length === 0) notes.push(`${history.name} has no commits that HEAD does not have.`);
    return notes;
  }

  private ended(status: RunResult['status'], reason?: string): RunResult {
    return { status, ...(reason !== undefined ? { reason } : {}), plan: this.ctx.plan.value, applied: [...this.ctx.applied] };
  }

  private async finish(result: RunResult, createdAt: string): Promise<Extract<RunEvent, { type: 'run/finished' }>> {
    const { ctx } = this;
    let plan = ctx.plan.current();
    const summary = summarizeRun(plan, result, ctx.ledger.totals, this.approve).split('\n').filter((line) => !line.startsWith('Cost:')).join('\n');
    if (result.reason !== undefined && result.status === 'completed') plan = addNote(plan, result.reason);
    plan = setSummaryOfChanges(setStatus(plan, result.status), summary);
    await Promise.all([ctx.plan.update(plan), this.record.save(result.status, createdAt, result.status === 'completed' ? undefined : result.reason)]);
    if (!this.landing.interrupted) await ctx.journal.append({ kind: 'finished', status: result.status, ...(result.reason !== undefined ? { reason: result.reason } : {}) });
    ctx.phase('finished');
    return { type: 'run/finished', runId: this.reviewId, status: result.status, ...(result.reason !== undefined ? { reason: result.reason } : {}), summary, applied: [...result.applied], costUsd: 0 };
  }
}
