import type { Plan } from '../../protocol/plan';
import { resumableAfterCancel } from './resume';
import { writeRunMeta, type RunMeta } from './runStore';

/** What run.json shows besides the status, read at the moment of each write. */
export interface RunRecordSource {
  readonly plan: () => Plan | undefined;
  readonly costUsd: () => number;
  /** Unpriced calls and all tokens, so a list never shows $0 for a model without a price. */
  readonly usage?: () => { readonly unpricedCalls: number; readonly tokens: number };
  /** Files the run wrote into the workspace so far. */
  readonly applied: () => readonly string[];
  /** Verified changes still staged: nobody has reviewed them. */
  readonly unreviewed: () => readonly string[];
}

/**
 * The run's `run.json` in the run store: what `plumbline runs` lists. Writes go one at a time and
 * in order, so a slow write never lands after a newer one. Its own room because nothing the run
 * does depends on it (the journal, written before every effect, is what a resumed run reads):
 * it only has to be right, in order, and settled at the end.
 */
export class RunRecord {
  /** Writes of run.json, one at a time and in order. */
  #writes: Promise<void> = Promise.resolve();
  #createdAt = new Date().toISOString();

  constructor(
    private readonly root: string,
    private readonly runId: string,
    private readonly task: string,
    private readonly source: RunRecordSource,
  ) {}

  /**
   * Records a status without waiting for the disk. A failure here is superseded by the final,
   * awaited save.
   */
  saveSoon(status: RunMeta['status']): void {
    this.save(status).catch(() => undefined);
  }

  /** Queued behind earlier saves; `createdAt` is given by the first save and kept from then on. */
  save(status: RunMeta['status'], createdAt?: string, error?: string): Promise<void> {
    const write = this.#writes.then(() => this.write(status, createdAt, error));
    this.#writes = write.catch(() => undefined);
    return write;
  }

  private async write(status: RunMeta['status'], createdAt?: string, error?: string): Promise<void> {
    const plan = this.source.plan();
    const changed = [...new Set(plan?.steps.filter((step) => step.status === 'done').flatMap((step) => step.changedFiles) ?? [])];
    // A completed run reviewed everything it staged (a dry run keeps its changes staged on purpose).
    const unreviewed = status === 'cancelled' || status === 'failed' ? [...this.source.unreviewed()] : [];
    await writeRunMeta(this.root, {
      runId: this.runId,
      task: this.task,
      status,
      createdAt: createdAt ?? this.#createdAt,
      updatedAt: new Date().toISOString(),
      costUsd: this.source.costUsd(),
      ...usageOf(this.source.usage?.()),
      stepsDone: plan?.steps.filter((step) => step.status === 'done').length ?? 0,
      stepsTotal: plan?.steps.length ?? 0,
      ...(plan?.summaryOfChanges !== undefined ? { summary: plan.summaryOfChanges } : {}),
      ...(error !== undefined ? { error } : {}),
      applied: [...this.source.applied()],
      changed,
      ...(unreviewed.length > 0 ? { unreviewed } : {}),
      ...(status === 'cancelled' ? { resumable: resumableAfterCancel(plan, unreviewed.length) } : {}),
    });
    if (createdAt !== undefined) this.#createdAt = createdAt;
  }
}

function usageOf(usage: { readonly unpricedCalls: number; readonly tokens: number } | undefined): { unpricedCalls?: number; tokens?: number } {
  return usage === undefined ? {} : { unpricedCalls: usage.unpricedCalls, tokens: usage.tokens };
}
