import { parsePlanEdit } from '../plan/parsePlanEdit';
import { renderPlanMarkdown } from '../plan/renderPlan';
import { finishedPlanStatuses, type Plan, type ValidationContext } from '../../protocol/plan';
import { readPlanFile, writeFileAtomic, planPath, writePlanFile } from './runStore';

export type PlanSync =
  | { readonly kind: 'unchanged' }
  | { readonly kind: 'edited'; readonly plan: Plan; readonly changes: readonly string[] }
  | { readonly kind: 'rejected'; readonly errors: readonly string[]; readonly keptAt: string };

/** How long a plan change may wait for the next before plan.md is written: one write per burst. */
export const planWriteDelayMs = 100;

/**
 * The live plan document: kept up to date with every change, and read back at every scheduling
 * point so an edit the user made (in an editor or by hand) is what the engine follows. `readEdit`
 * may be given the editor's unsaved buffer, which wins over the file on disk.
 *
 * A step's progress changes the plan several times within milliseconds; `update` renders each
 * change at once (for the run's events) but writes the file at most once per `planWriteDelayMs`.
 * Whatever is pending is written before the file is read back (`sync`), by `write` (approval, the
 * end of a phase) and by `flush`, which the engine calls before it lets go of the run.
 */
export class PlanDocument {
  private lastWritten = '';
  private pending: Plan | undefined;
  private timer: NodeJS.Timeout | undefined;
  /** A deferred write that failed: reported by the next `flush`, `write` or `sync`. */
  private failed: { error: unknown } | undefined;
  /** The text the last `sync` read (normalized), whatever came of it: an edit already handled. */
  private lastRead: string | undefined;
  /** Writes and reads run one at a time, so a slower write never lands after a newer one. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly root: string,
    private readonly runId: string,
    private readonly validation: ValidationContext,
    private readonly unsavedBuffer: () => string | undefined = () => undefined,
  ) {}

  get path(): string {
    return planPath(this.root, this.runId);
  }

  /** Renders the plan now and writes it to plan.md within `planWriteDelayMs` (with later changes, if any). */
  update(plan: Plan): string {
    this.pending = plan;
    this.timer ??= setTimeout(() => {
      this.flush().catch((error: unknown) => (this.failed ??= { error }));
    }, planWriteDelayMs);
    return renderPlanMarkdown(plan);
  }

  /** Writes the plan now (and drops any pending one: this is newer). */
  async write(plan: Plan): Promise<string> {
    this.cancelPending();
    this.throwFailure();
    return this.serial(() => this.writeNow(plan));
  }

  /** Writes what `update` left pending; resolves once every write so far is on disk. */
  async flush(): Promise<void> {
    const plan = this.pending;
    this.cancelPending();
    this.throwFailure();
    if (plan === undefined) await this.serial(() => Promise.resolve());
    else await this.serial(() => this.writeNow(plan));
  }

  /**
   * Reads the user's edit, if any. A rejected edit is kept beside the plan so no text is lost.
   * Reading is enough: the file holds either the last render written (a newer one waits for its
   * timer: nothing to follow), an edit already handled, or a new edit, which is followed now.
   */
  async sync(current: Plan): Promise<PlanSync> {
    this.throwFailure();
    return this.serial(() => this.readEdit(current));
  }

  private async writeNow(plan: Plan): Promise<string> {
    const markdown = renderPlanMarkdown(plan);
    // A saved edit no sync has read yet stays until the next scheduling point reads it (the write
    // after that renders the plan again); overwriting it now would drop it without a word. Once
    // the plan has ended no edit can be followed, so the final state is always written.
    if (markdown !== this.lastWritten && (finishedPlanStatuses.has(plan.status) || !(await this.hasUnreadEdit()))) {
      await writePlanFile(this.root, this.runId, markdown);
      this.lastWritten = markdown;
    }
    return markdown;
  }

  private cancelPending(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.pending = undefined;
  }

  private throwFailure(): void {
    const failed = this.failed;
    this.failed = undefined;
    if (failed !== undefined) throw failed.error;
  }

  private serial<T>(work: () => Promise<T>): Promise<T> {
    const next = this.queue.then(work, work);
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async hasUnreadEdit(): Promise<boolean> {
    if (this.lastWritten === '') return false;
    const text = await readPlanFile(this.root, this.runId);
    if (text === undefined) return false;
    const onDisk = normalize(text);
    return onDisk !== normalize(this.lastWritten) && onDisk !== this.lastRead;
  }

  private async readEdit(current: Plan): Promise<PlanSync> {
    const text = this.unsavedBuffer() ?? (await readPlanFile(this.root, this.runId));
    if (text === undefined) return { kind: 'unchanged' };
    const read = normalize(text);
    // Our own last render, or an edit handled at an earlier sync and not yet written over.
    if (read === normalize(this.lastWritten) || read === this.lastRead) return { kind: 'unchanged' };
    this.lastRead = read;
    const result = parsePlanEdit(text, current, this.validation);
    if (result.ok) {
      if (result.changes.length === 0) return { kind: 'unchanged' };
      return { kind: 'edited', plan: result.plan, changes: result.changes };
    }
    const keptAt = `${this.path.replace(/\.md$/, '')}.rejected-edit.md`;
    await writeFileAtomic(keptAt, text);
    return { kind: 'rejected', errors: result.errors, keptAt };
  }
}

function normalize(text: string): string {
  return text.replace(/\r\n?/g, '\n').replace(/[ \t]+$/gm, '').trimEnd();
}
