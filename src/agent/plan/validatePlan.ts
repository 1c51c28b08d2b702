import { dependencyClosure, findCycles, isOrdered, type GraphStep } from './planGraph';
import { finishedStatuses, unsuccessfulStatuses, type Plan, type SubmittedPlan, type ValidationContext, type ValidationResult } from '../../protocol/plan';

/**
 * Checks a plan's structure beyond its schema. The messages go verbatim to the model that wrote
 * the plan (and to the user who edited plan.md), so each names the steps and files involved and
 * says how to fix it.
 */

export { blockedSteps, concurrentPairs, dependencyClosure, findCycles, isOrdered, readySteps } from './planGraph';
export type { BlockedStep, DependencyClosure, GraphStep } from './planGraph';

export interface CheckedStep extends GraphStep {
  /** Already normalized. */
  readonly files: readonly string[];
  /** A finished step never runs again, so it cannot conflict with another over a file. */
  readonly finished?: boolean;
  /** How a duplicate id names this step; `step N` (its 1-based position) when absent. */
  readonly label?: string;
}

const quote = (text: string): string => `"${text}"`;

/** `"a"`, `"a" and "b"`, `"a", "b" and "c"`. */
export function listWords(words: readonly string[]): string {
  if (words.length <= 1) return words.join('');
  return `${words.slice(0, -1).join(', ')} and ${words.at(-1) ?? ''}`;
}

/** Normalizes one step's files; reports paths the context refuses and files listed twice. */
export function normalizeStepFiles(stepId: string, files: readonly string[], context: ValidationContext): { files: string[]; errors: string[] } {
  const errors: string[] = [];
  const seen = new Map<string, string[]>();
  for (const raw of files) {
    const normalized = context.normalizePath(raw);
    if (normalized instanceof Error) {
      errors.push(`Step "${stepId}" lists the file "${raw}", which cannot be used: ${normalized.message.replace(/\.$/, '')}. Use a path relative to the workspace root, such as "src/index.ts".`);
      continue;
    }
    seen.set(normalized, [...(seen.get(normalized) ?? []), raw]);
  }
  for (const [path, spellings] of seen) {
    if (spellings.length < 2) continue;
    const variants = new Set(spellings).size > 1 ? ` (as ${listWords(spellings.map(quote))})` : '';
    errors.push(`Step "${stepId}" lists "${path}" more than once${variants}; list each file once.`);
  }
  return { files: [...seen.keys()], errors };
}

/** Duplicate ids, unknown and self dependencies, cycles, and files owned by two steps that may run at once. */
export function checkSteps(steps: readonly CheckedStep[]): string[] {
  const errors: string[] = [];
  const labels = new Map<string, string[]>();
  steps.forEach((step, index) => labels.set(step.id, [...(labels.get(step.id) ?? []), step.label ?? `step ${index + 1}`]));
  for (const [id, where] of labels) {
    if (where.length > 1) errors.push(`Step id "${id}" is used by more than one step (${listWords(where)}); give every step its own id.`);
  }

  const known = [...labels.keys()];
  for (const step of steps) {
    for (const dependency of new Set(step.dependsOn)) {
      if (dependency === step.id) {
        errors.push(`Step "${step.id}" depends on itself; remove "${step.id}" from its dependencies.`);
      } else if (!labels.has(dependency)) {
        errors.push(`Step "${step.id}" depends on "${dependency}", which is not a step in this plan; remove it or use one of: ${known.join(', ')}.`);
      }
    }
  }

  const cycles = findCycles(steps);
  for (const cycle of cycles) {
    errors.push(`Steps depend on each other in a cycle: ${cycle.join(' → ')} (each waits for the next, so none can start); remove one of these dependencies.`);
  }

  // Ownership conflicts are only meaningful once the order is well defined.
  if (errors.length === 0) errors.push(...fileConflicts(steps));
  return errors;
}

function fileConflicts(steps: readonly CheckedStep[]): string[] {
  const closure = dependencyClosure(steps);
  const active = steps.filter((step) => step.finished !== true);
  const errors: string[] = [];
  active.forEach((a, index) => {
    for (const b of active.slice(index + 1)) {
      if (isOrdered(closure, a.id, b.id)) continue;
      const shared = a.files.filter((file) => b.files.includes(file));
      if (shared.length === 0) continue;
      const files = `${shared.length > 1 ? 'the files' : 'the file'} ${listWords(shared.map(quote))}`;
      errors.push(
        `Steps "${a.id}" and "${b.id}" both own ${files} but may run at the same time (neither depends on the other, directly or through other steps); ` +
          `make one depend on the other (e.g. add "${a.id}" to the dependencies of "${b.id}") or merge them into one step.`,
      );
    }
  });
  return errors;
}

/** A step's `tools` that are not MCP tools of this run, each an error that lists what there is. */
function unknownTools(stepId: string, tools: readonly string[], context: ValidationContext): string[] {
  const known = context.mcpTools ?? [];
  const unknown = [...new Set(tools)].filter((tool) => !known.includes(tool));
  if (unknown.length === 0) return [];
  const offer = known.length > 0 ? `the MCP tools of this run are ${known.map(quote).join(', ')}` : 'this run has no MCP tools, so leave "tools" out';
  return [`Step "${stepId}" names ${unknown.map(quote).join(', ')} in "tools", which ${unknown.length > 1 ? 'are not MCP tools' : 'is not an MCP tool'} of this run; ${offer}.`];
}

/** Checks what the model submitted; on success the plan comes back with normalized paths and deduplicated dependencies. */
export function validatePlan(plan: SubmittedPlan, context: ValidationContext): ValidationResult<SubmittedPlan> {
  const { normalized, errors } = normalizeSubmitted(plan, context);
  errors.push(...checkSteps(normalized.steps.map((step) => ({ id: step.id, dependsOn: step.depends_on, files: step.files }))));
  return errors.length > 0 ? { ok: false, errors } : { ok: true, plan: normalized };
}

/**
 * Checks a re-plan against the current plan: steps that have left `pending` stay (see
 * `replacePendingSteps`), so new steps may depend on them but not reuse their ids, and may not
 * depend on one that failed.
 */
export function validateReplan(current: Plan, plan: SubmittedPlan, context: ValidationContext): ValidationResult<SubmittedPlan> {
  const { normalized, errors } = normalizeSubmitted(plan, context);
  const kept = current.steps.filter((step) => step.status !== 'pending');
  const keptStatus = new Map(kept.map((step) => [step.id, step.status]));
  const steps: CheckedStep[] = [
    ...kept.map((step) => ({ id: step.id, dependsOn: step.dependsOn, files: step.files, finished: finishedStatuses.has(step.status), label: `the ${step.status} step already in the plan` })),
    ...normalized.steps.map((step, index) => ({ id: step.id, dependsOn: step.depends_on, files: step.files, label: `step ${index + 1}` })),
  ];
  errors.push(...checkSteps(steps));
  for (const step of normalized.steps) {
    for (const dependency of step.depends_on) {
      const status = keptStatus.get(dependency);
      if (status !== undefined && unsuccessfulStatuses.has(status)) {
        errors.push(`Step "${step.id}" depends on "${dependency}", which is ${status}, so it could never run; remove the dependency or redo that work in a new step.`);
      }
    }
  }
  return errors.length > 0 ? { ok: false, errors } : { ok: true, plan: normalized };
}

function normalizeSubmitted(plan: SubmittedPlan, context: ValidationContext): { normalized: SubmittedPlan; errors: string[] } {
  const errors: string[] = [];
  const steps = plan.steps.map((step) => {
    const files = normalizeStepFiles(step.id, step.files, context);
    errors.push(...files.errors);
    errors.push(...unknownTools(step.id, step.tools ?? [], context));
    return { ...step, files: files.files, depends_on: [...new Set(step.depends_on)], ...(step.tools !== undefined ? { tools: [...new Set(step.tools)] } : {}) };
  });
  return { normalized: { ...plan, steps }, errors };
}

/**
 * A workspace-agnostic normalizer for callers without a workspace (tests, the edit parser's
 * default): forward slashes, no `.` segments; absolute paths and `..` are refused. The engine
 * passes one that also resolves against the real workspace root.
 */
export function defaultNormalizePath(path: string): string | Error {
  const trimmed = path.trim().replace(/\\/g, '/');
  if (trimmed === '') return new Error('the path is empty');
  if (trimmed.startsWith('/') || trimmed.startsWith('~') || /^[A-Za-z]:/.test(trimmed)) {
    return new Error('absolute paths are not allowed');
  }
  const segments = trimmed.split('/').filter((segment) => segment !== '' && segment !== '.');
  if (segments.includes('..')) return new Error('".." segments are not allowed (the path must stay inside the workspace)');
  if (segments.length === 0) return new Error('the path names the workspace root, not a file');
  return segments.join('/');
}
