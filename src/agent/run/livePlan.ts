import type { UsageTotals } from '../model/usageLedger';
import { planCost } from '../model/usageLedger';
import { finishedPlanStatuses, type Plan } from '../../protocol/plan';
import { addNote, setCost } from '../plan/planState';
import type { RunJournal } from './journal';
import type { PlanDocument } from './planDocument';
import type { RunEvent } from '../../protocol/run';

/**
 * The run's one copy of its plan. Every change goes through `update`, which journals it, writes
 * plan.md and tells the client, in that order; `followUserEdits` reads plan.md back and takes the
 * user's edits in. Its own room because every other part of a run reads and changes the plan, and
 * each change must reach the journal, the document and the client the same way.
 */
export class LivePlan {
  #plan: Plan | undefined;

  constructor(
    private readonly runId: string,
    private readonly journal: RunJournal,
    readonly document: PlanDocument,
    private readonly totals: () => UsageTotals,
    private readonly emit: (event: RunEvent) => void,
  ) {}

  /** The plan, or undefined before the orchestrator has submitted one. */
  get value(): Plan | undefined {
    return this.#plan;
  }

  current(): Plan {
    if (this.#plan === undefined) throw new Error('No plan yet.');
    return this.#plan;
  }

  /** The run's spending went up: the plan shows it at its next write. */
  recost(totals: UsageTotals): void {
    if (this.#plan !== undefined) this.#plan = setCost(this.#plan, planCost(totals));
  }

  async update(plan: Plan): Promise<void> {
    this.#plan = setCost(plan, planCost(this.totals()));
    await this.journal.append({ kind: 'plan', plan: this.#plan });
    // Written to plan.md within 100 ms (and before it is read back, and at the end): a step's
    // several quick changes are one write.
    const markdown = finishedPlanStatuses.has(this.#plan.status) ? await this.document.write(this.#plan) : this.document.update(this.#plan);
    this.emit({ type: 'plan/updated', runId: this.runId, plan: this.#plan, markdown });
  }

  /** Adds a note to the current plan. */
  note(text: string): Promise<void> {
    return this.update(addNote(this.current(), text));
  }

  /** Takes in what the user changed in plan.md, or says why it could not (and where the edit is kept). */
  async followUserEdits(): Promise<void> {
    if (this.#plan === undefined) return;
    const sync = await this.document.sync(this.#plan);
    if (sync.kind === 'unchanged') return;
    if (sync.kind === 'edited') {
      this.emit({ type: 'plan/edited', runId: this.runId, changes: [...sync.changes], errors: [] });
      await this.update(addNote(sync.plan, `Followed your edit: ${sync.changes.join('; ')}.`));
    } else {
      this.emit({ type: 'plan/edited', runId: this.runId, changes: [], errors: [...sync.errors] });
      await this.note(`Your edit could not be applied (${sync.errors.join(' ')}); it is kept in ${sync.keptAt}.`);
    }
  }
}
