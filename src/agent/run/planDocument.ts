import { parsePlanEdit } from '../plan/parsePlanEdit';
import { renderPlanMarkdown } from '../plan/renderPlan';
import { finishedPlanStatuses, type Plan, type ValidationContext } from '../plan/planTypes';
import { readPlanFile, writeFileAtomic, planPath, writePlanFile } from './runStore';

export type PlanSync =
  | { readonly kind: 'unchanged' }
  | { readonly kind: 'edited'; readonly plan: Plan; readonly changes: readonly string[] }
  | { readonly kind: 'rejected'; readonly errors: readonly string[]; readonly keptAt: string };

/**
 * The live plan document: written after every change, and read back at every scheduling point so
 * an edit the user made (in an editor or by hand) is what the engine follows. `readEdit` may be
 * given the editor's unsaved buffer, which wins over the file on disk.
 */
export class PlanDocument {
  private lastWritten = '';
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

  write(plan: Plan): Promise<string> {
    return this.serial(async () => {
      const markdown = renderPlanMarkdown(plan);
      // A saved edit no sync has read yet stays until the next scheduling point reads it (the write
      // after that renders the plan again); overwriting it now would drop it without a word. Once
      // the plan has ended no edit can be followed, so the final state is always written.
      if (markdown !== this.lastWritten && (finishedPlanStatuses.has(plan.status) || !(await this.hasUnreadEdit()))) {
        await writePlanFile(this.root, this.runId, markdown);
        this.lastWritten = markdown;
      }
      return markdown;
    });
  }

  /** Reads the user's edit, if any. A rejected edit is kept beside the plan so no text is lost. */
  sync(current: Plan): Promise<PlanSync> {
    return this.serial(() => this.readEdit(current));
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
    if (text !== undefined) this.lastRead = normalize(text);
    if (text === undefined || normalize(text) === normalize(this.lastWritten)) return { kind: 'unchanged' };
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
