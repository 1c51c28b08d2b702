import type { ReviewDecisions } from '../../protocol/run';
import { addNote, failLandedStep } from '../plan/planState';
import { resolveDecision } from '../review/resolveDecision';
import { selectHunks } from '../review/selectHunks';
import type { StagedChange } from '../workspace/stagedWorkspace';
import { changedFile, computeChangeSet } from './changeSet';
import { Checkpoint } from './checkpoint';
import type { RunContext } from './runContext';
import type { FileChange } from '../../protocol/run';

/**
 * Review and landing: shows staged changes to the user (or decides them, in `auto` mode, for all
 * but files that run code), lands exactly the accepted hunks onto the files as they are now, and
 * tests again what landed when it is not what was verified. Its own room because it is the only
 * part of a run that writes the user's files: the journal and the checkpoint go first, and what
 * did not land stays resumable.
 */
export class Landing {
  readonly #checkpoint: Checkpoint;
  #queue: Promise<unknown> = Promise.resolve();
  #interrupted = false;

  constructor(private readonly ctx: RunContext) {
    this.#checkpoint = new Checkpoint(ctx.host.workspace.root, ctx.options.runId);
  }

  /** Applying was interrupted: the run ends failed, but its journal stays open so `resume` can land the rest. */
  get interrupted(): boolean {
    return this.#interrupted;
  }

  /**
   * Shows the staged changes (of some steps, or all) for review and lands exactly the accepted
   * hunks, onto the files as they are now. Returns the paths with rejected hunks or conflicts.
   * One review at a time: parallel steps that finish together are asked about one after the other
   * (a terminal cannot ask two questions at once).
   */
  review(stepIds?: readonly string[]): Promise<string[]> {
    const next = this.#queue.then(() => this.reviewNow(stepIds));
    this.#queue = next.catch(() => undefined);
    return next;
  }

  private async reviewNow(stepIds?: readonly string[]): Promise<string[]> {
    const { ctx } = this;
    const changes = ctx.staged.changes().filter((change) => stepIds === undefined || (ctx.stepsByFile.get(change.path) ?? []).some((id) => stepIds.includes(id)));
    if (changes.length === 0) return [];
    // Computed once: the event, the review and landing below all use these hunks and their ids.
    const changeSet = computeChangeSet(changes, ctx.stepsByFile);
    const files = changeSet.map((entry) => entry.file);
    ctx.host.emit({ type: 'changes', runId: ctx.options.runId, files: files.map(changedFile) });
    if (ctx.options.approve === 'never') return [];
    const decisions = await this.decide(files);
    // A review the run's cancel ended was never decided: nothing lands, the changes stay staged
    // (and journaled), so the cancelled run can offer them again when it is resumed.
    if (ctx.signal.aborted) return [];
    const landing: StagedChange[] = [];
    const applied: { path: string; hunks: number; of: number }[] = [];
    const rejected: string[] = [];
    const conflicts: { path: string; reason: string }[] = [];
    const alreadyLanded: string[] = [];
    // Ids (and paths) the review did not offer are ignored and named, so the report counts only what can land.
    const ignored = decisions.decisions.filter((decision) => !changeSet.some((entry) => entry.path === decision.path)).map((decision) => decision.path);
    for (const entry of changeSet) {
      const decision = resolveDecision(entry, decisions.decisions.find((candidate) => candidate.path === entry.path)?.hunks);
      ignored.push(...decision.ignored);
      if (decision.count < decision.of) rejected.push(entry.path);
      const current = (await ctx.host.workspace.readFile(entry.path))?.bytes;
      if (decision.accepted === 'all' && sameBytes(current, entry.after)) {
        // Already there (the user made the very same change meanwhile): nothing to write, nothing lost.
        alreadyLanded.push(entry.path);
        applied.push({ path: entry.path, hunks: decision.of, of: decision.of });
        continue;
      }
      const selection = selectHunks(entry, decision.accepted, current);
      if (selection.kind === 'conflict') conflicts.push({ path: entry.path, reason: selection.reason });
      else if (selection.kind !== 'unchanged') {
        landing.push({ path: entry.path, before: current, after: selection.kind === 'write' ? selection.bytes : undefined, kind: selection.kind === 'delete' ? 'delete' : current === undefined ? 'create' : 'modify' });
        applied.push({ path: entry.path, hunks: decision.count, of: decision.of });
      }
    }
    if (landing.length > 0) await this.apply(landing);
    for (const path of [...alreadyLanded, ...landing.map((change) => change.path)]) ctx.applied.add(path);
    ctx.host.emit({ type: 'review/decided', runId: ctx.options.runId, applied, rejected, conflicts, ...(ignored.length > 0 ? { ignored } : {}) });
    // What landed is now in the base; what was rejected is dropped. Either way it leaves the overlay.
    await ctx.journal.append({ kind: 'unstaged', paths: changes.map((change) => change.path) });
    for (const change of changes) await ctx.staged.discard(change.path);
    if (ignored.length > 0) await ctx.plan.note(`Review: ignored what this review did not offer: ${ignored.join(', ')}.`);
    if (rejected.length > 0 || conflicts.length > 0) {
      await ctx.plan.note(`Review: ${rejected.length > 0 ? `not accepted in ${rejected.join(', ')}` : ''}${conflicts.length > 0 ? ` kept your version of ${conflicts.map((c) => c.path).join(', ')}` : ''}.`);
      // Part of the verified change landed: what landed is a new state nobody has tested yet.
      if (landing.length > 0) await this.verifyPartialLanding(changes.map((change) => change.path));
    }
    return [...new Set([...rejected, ...conflicts.map((conflict) => conflict.path)])];
  }

  /** The user's decisions; in `auto` mode everything lands except files that run code, which are always asked about, alone. */
  private async decide(files: readonly FileChange[]): Promise<ReviewDecisions> {
    const { ctx } = this;
    if (ctx.options.approve !== 'auto') {
      ctx.phase('reviewing');
      const decisions = await ctx.host.review(files, ctx.signal);
      ctx.phase('executing');
      return decisions;
    }
    const guarded = files.filter((file) => file.protectedReason !== undefined);
    const automatic = files.filter((file) => file.protectedReason === undefined).map((file) => ({ path: file.path, hunks: 'all' as const }));
    let asked: ReviewDecisions['decisions'] = [];
    if (guarded.length > 0) {
      ctx.phase('reviewing');
      // A client that cannot ask (no terminal) or fails answers nothing: the files stay unapplied.
      const answered = await ctx.host.review(guarded, ctx.signal).catch((error: unknown) => {
        if (ctx.signal.aborted) throw error;
        return { decisions: [] };
      });
      asked = answered.decisions.filter((decision) => guarded.some((file) => file.path === decision.path));
      ctx.phase('executing');
      const left = guarded.filter((file) => !asked.some((decision) => decision.path === file.path));
      if (left.length > 0) await ctx.plan.note(`Left unapplied, waiting for your approval (they run code): ${left.map((file) => `${file.path} (${file.protectedReason ?? 'protected'})`).join('; ')}.`);
    }
    return { decisions: [...automatic, ...asked] };
  }

  /** Writes the accepted bytes; the journal (what resume lands) and the checkpoint (what undo restores) are on the disk first. */
  private async apply(landing: readonly StagedChange[]): Promise<void> {
    const { ctx } = this;
    await ctx.journal.sync();
    await this.#checkpoint.before(landing.map((change) => ({ path: change.path, bytes: change.after })));
    try {
      await ctx.host.apply(landing);
    } catch (error) {
      // The journal still holds these changes as staged (no `unstaged` entry yet): the run can
      // be resumed once the cause is fixed, and the checkpoint undoes whatever did land.
      this.#interrupted = true;
      const runId = ctx.options.runId;
      throw new Error(
        `${error instanceof Error ? error.message : String(error)} ` +
          `Free some disk space (or fix the cause), then resume the run to land the rest (plumbline resume ${runId}, or Plumbline: Resume Run), ` +
          `or undo it to restore the files it changed (plumbline undo ${runId}, or Plumbline: Undo Run).`,
        { cause: error },
      );
    }
    ctx.verifier.current?.recordLanded(landing);
  }

  /**
   * The user accepted only part of what was verified: the tests run again on what actually landed
   * (sandboxed), the result is shown, and a step whose landed form fails them is not reported done
   * (the steps that depend on it are then blocked). Without a sandbox and with "review first",
   * the end of the run does this for everything at once (verifyAfterReview).
   */
  private async verifyPartialLanding(paths: readonly string[]): Promise<void> {
    const { ctx } = this;
    const verifier = ctx.verifier.current;
    if (verifier?.command === undefined || (await ctx.gate.choice()) === 'review-first') return;
    const evidence = await verifier.verifyLanded({ removesTests: this.removedByDoneSteps() }, { rebase: true });
    ctx.host.emit({ type: 'verification', runId: ctx.options.runId, evidence });
    const stepIds = [...new Set(paths.flatMap((path) => ctx.stepsByFile.get(path) ?? []))];
    if (evidence.verdict !== 'failed') {
      await ctx.plan.note(`What you accepted was tested again after it landed: ${evidence.reason}`);
      return;
    }
    let plan = addNote(ctx.plan.current(), `What you accepted does not pass the tests: ${evidence.reason} ${stepIds.join(', ')} ${stepIds.length === 1 ? 'is' : 'are'} not done; steps that depend on ${stepIds.length === 1 ? 'it' : 'them'} will not run, and later steps are not blamed for these failures.`);
    for (const id of stepIds) {
      if (plan.steps.find((step) => step.id === id)?.status === 'done') plan = failLandedStep(plan, id, `What you accepted of this step fails the tests: ${evidence.reason}`);
    }
    await ctx.plan.update(plan);
  }

  /**
   * No sandbox, and the user chose to review first: nothing was verified before the review, so
   * what the user accepted is tested now that it has landed. Never in `auto` mode, where nobody
   * has read the changes: there the run says they are unverified and runs nothing.
   */
  async verifyAfterReview(): Promise<void> {
    const { ctx } = this;
    const verifier = ctx.verifier.current;
    if (verifier?.command === undefined || ctx.applied.size === 0) return;
    if ((await ctx.gate.choice()) !== 'review-first') return;
    if (ctx.options.approve === 'auto') {
      await ctx.plan.note('Not verified: there is no sandbox and the changes were applied without review (auto); run your tests before you rely on them.');
      return;
    }
    const evidence = await verifier.verifyLanded({ removesTests: this.removedByDoneSteps() });
    ctx.host.emit({ type: 'verification', runId: ctx.options.runId, evidence });
    await ctx.plan.note(`After your review, on what landed: ${evidence.reason}`);
  }

  /** The tests the finished steps declared they remove: their absence from what landed is expected. */
  private removedByDoneSteps(): string[] {
    return this.ctx.plan
      .current()
      .steps.filter((step) => step.status === 'done')
      .flatMap((step) => step.removesTests ?? []);
  }
}

export const sameBytes = (a: Uint8Array | undefined, b: Uint8Array | undefined): boolean =>
  a === undefined || b === undefined ? a === b : Buffer.from(a).equals(Buffer.from(b));
