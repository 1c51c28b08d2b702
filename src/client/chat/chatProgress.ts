import type { Plan, StepStatus } from '../../protocol/plan';
import { renderFinished, renderPlan, renderStepLine } from './chatMarkdown';

/** Where a run stops needing nothing from the user and the chat's answer (or a tool call) ends. */
export type RunStop = 'approval' | 'review' | 'finished';

/** What the chat reads of a run at one moment: the RunController's view, reduced to what the chat shows. */
export interface RunSnapshot {
  readonly runId: string;
  readonly phase: string;
  readonly plan: Plan | undefined;
  readonly finished: { readonly status: string; readonly reason?: string | undefined; readonly summary: string; readonly applied: readonly string[] } | undefined;
  /** The plan waits for the user's Run Plan. */
  readonly awaitingApproval: boolean;
  /** The files of the inline review open for this run, when one is. */
  readonly reviewFiles: readonly string[] | undefined;
}

/** Where a snapshot leaves the run: waiting for the user, finished, or still going (undefined). */
export function stopOf(snapshot: RunSnapshot): RunStop | undefined {
  if (snapshot.finished !== undefined) return 'finished';
  if (snapshot.awaitingApproval) return 'approval';
  if (snapshot.reviewFiles !== undefined && snapshot.phase === 'reviewing') return 'review';
  return undefined;
}

const shownStatuses: ReadonlySet<StepStatus> = new Set(['done', 'failed', 'skipped', 'cancelled']);

/**
 * Turns a run's successive snapshots into the markdown to append: the plan once (when it is
 * approved or waits for approval, so a draft the orchestrator is still revising is not shown), a
 * line per step as it ends, and how the run ended. Each piece is returned once.
 */
export class ChatProgress {
  private planShown = false;
  private finishedShown = false;
  private readonly stepsShown = new Map<string, StepStatus>();

  /**
   * `seen`: for a follow-up in the same chat, the run as the earlier answers left it; the plan and
   * the steps that had ended then are not repeated.
   */
  constructor(seen?: RunSnapshot) {
    const plan = seen?.plan;
    if (plan === undefined || plan.steps.length === 0) return;
    this.planShown = true;
    for (const step of plan.steps) if (shownStatuses.has(step.status)) this.stepsShown.set(step.id, step.status);
  }

  /** The markdown pieces this snapshot adds, in order. */
  next(snapshot: RunSnapshot): string[] {
    const out: string[] = [];
    const plan = snapshot.plan;
    if (plan !== undefined && plan.steps.length > 0 && !this.planShown && (snapshot.awaitingApproval || plan.status !== 'draft' || snapshot.finished !== undefined)) {
      this.planShown = true;
      out.push(renderPlan(plan));
    }
    if (plan !== undefined && this.planShown) {
      plan.steps.forEach((step, index) => {
        if (!shownStatuses.has(step.status) || this.stepsShown.get(step.id) === step.status) return;
        this.stepsShown.set(step.id, step.status);
        out.push(renderStepLine(step, index));
      });
    }
    if (snapshot.finished !== undefined && !this.finishedShown) {
      this.finishedShown = true;
      out.push(renderFinished(snapshot.finished));
    }
    return out;
  }
}
