/**
 * Step mode's reviews in plan order. Parallel steps finish in any order, yet the user reads the plan
 * top to bottom: a step that finished first waits for its review until every step above it in the
 * plan that may still ask for one (working, verifying, or waiting for its own turn) has been
 * reviewed or has failed. Steps not started yet are not waited for: one below could be waiting on
 * this very review (its dependency), and waiting for it would never end.
 */
export class ReviewTurns {
  /** Steps started that may still ask for a review. */
  readonly #open = new Set<string>();
  #waiters: (() => void)[] = [];

  /** `order`: the plan's step ids, top to bottom, as the plan is now (a re-plan can change it). */
  constructor(private readonly order: () => readonly string[]) {}

  /** A step starts: reviews below it wait for it. */
  open(stepId: string): void {
    this.#open.add(stepId);
  }

  /** A step was reviewed, failed or ended otherwise: reviews below it may go. Idempotent. */
  close(stepId: string): void {
    if (!this.#open.delete(stepId)) return;
    for (const wake of this.#waiters.splice(0)) wake();
  }

  /** Resolves when no open step comes before `stepId` in the plan. */
  async turn(stepId: string): Promise<void> {
    while (this.#earlierOpen(stepId)) await new Promise<void>((resolve) => this.#waiters.push(resolve));
  }

  #earlierOpen(stepId: string): boolean {
    const order = this.order();
    const index = order.indexOf(stepId);
    if (index < 0) return false;
    return order.slice(0, index).some((id) => this.#open.has(id));
  }
}
