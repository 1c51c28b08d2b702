import { unsuccessfulStatuses, type Plan, type PlanStep } from '../../protocol/plan';

/**
 * The dependency graph of a plan. Two steps are ordered when one is a (transitive) dependency of
 * the other; every other pair may run at the same time, which is what file ownership is checked
 * against. Everything here tolerates unknown ids and cycles, because validation uses it to report
 * exactly those.
 */

export interface GraphStep {
  readonly id: string;
  readonly dependsOn: readonly string[];
}

/** id → every step it waits for, directly or through other steps. Unknown ids are left out. */
export type DependencyClosure = ReadonlyMap<string, ReadonlySet<string>>;

export function dependencyClosure(steps: readonly GraphStep[]): DependencyClosure {
  const byId = new Map(steps.map((step) => [step.id, step]));
  const closure = new Map<string, Set<string>>();
  for (const step of steps) {
    // A plain walk per step: plans have at most 50 steps, and a cycle cannot loop it.
    const seen = new Set<string>();
    const pending = [...step.dependsOn];
    for (let id = pending.pop(); id !== undefined; id = pending.pop()) {
      const dependency = byId.get(id);
      if (dependency === undefined || seen.has(id)) continue;
      seen.add(id);
      pending.push(...dependency.dependsOn);
    }
    closure.set(step.id, seen);
  }
  return closure;
}

export function isOrdered(closure: DependencyClosure, a: string, b: string): boolean {
  return closure.get(a)?.has(b) === true || closure.get(b)?.has(a) === true;
}

/** Pairs of distinct steps that may run at the same time, in plan order. */
export function concurrentPairs(steps: readonly GraphStep[]): (readonly [string, string])[] {
  const closure = dependencyClosure(steps);
  const pairs: (readonly [string, string])[] = [];
  steps.forEach((a, index) => {
    for (const b of steps.slice(index + 1)) {
      if (a.id !== b.id && !isOrdered(closure, a.id, b.id)) pairs.push([a.id, b.id]);
    }
  });
  return pairs;
}

/**
 * Dependency cycles, each as the ids along it with the first repeated at the end
 * (`['s1', 's2', 's1']`: s1 depends on s2, which depends on s1). Each cycle starts at its step
 * that comes first in the plan, so the report is stable. Self-dependencies are not included.
 */
export function findCycles(steps: readonly GraphStep[]): string[][] {
  const byId = new Map(steps.map((step) => [step.id, step]));
  const position = new Map(steps.map((step, index) => [step.id, index]));
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const cycles = new Map<string, string[]>();

  const visit = (id: string): void => {
    state.set(id, 'visiting');
    stack.push(id);
    for (const next of byId.get(id)?.dependsOn ?? []) {
      if (next === id || !byId.has(next)) continue;
      if (state.get(next) === 'visiting') {
        const loop = stack.slice(stack.indexOf(next));
        const first = loop.reduce((best, candidate) => ((position.get(candidate) ?? 0) < (position.get(best) ?? 0) ? candidate : best));
        const start = loop.indexOf(first);
        const rotated = [...loop.slice(start), ...loop.slice(0, start)];
        cycles.set(rotated.join(' '), [...rotated, first]);
      } else if (state.get(next) === undefined) {
        visit(next);
      }
    }
    stack.pop();
    state.set(id, 'done');
  };

  for (const step of steps) {
    if (state.get(step.id) === undefined) visit(step.id);
  }
  return [...cycles.values()];
}

/** Pending steps whose dependencies are all done, in plan order: what may start now. */
export function readySteps(plan: Plan): PlanStep[] {
  const status = new Map(plan.steps.map((step) => [step.id, step.status]));
  return plan.steps.filter((step) => step.status === 'pending' && step.dependsOn.every((id) => status.get(id) === 'done'));
}

export interface BlockedStep {
  readonly step: PlanStep;
  /** The failed, skipped or cancelled steps it waits for, directly or through other steps. */
  readonly blockedBy: readonly string[];
}

/** Pending steps that can never run because something they wait for failed, was skipped or cancelled. */
export function blockedSteps(plan: Plan): BlockedStep[] {
  const closure = dependencyClosure(plan.steps);
  const unsuccessful = plan.steps.filter((step) => unsuccessfulStatuses.has(step.status)).map((step) => step.id);
  return plan.steps
    .filter((step) => step.status === 'pending')
    .map((step) => ({ step, blockedBy: unsuccessful.filter((id) => closure.get(step.id)?.has(id) === true) }))
    .filter((entry) => entry.blockedBy.length > 0);
}
