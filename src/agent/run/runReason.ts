import type { PlanStep } from '../../protocol/plan';
import type { TestEvidence } from '../../protocol/testEvidence';

/** How many failing tests a step's error describes, and how much of each message. */
const TESTS_DESCRIBED = 3;
const MESSAGE_CHARS = 160;
/** How much of one step's error the run's reason carries (plan.md has all of it). */
const STEP_ERROR_CHARS = 600;

function clip(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/**
 * The failing tests of a verification, where and why: `adds two numbers (test/calc.test.js:5):
 * Expected values to be strictly equal: -5 !== 5`. Paths are shown relative to `root`. Empty when
 * the output named no location (the reason already names the tests).
 */
export function describeFailingTests(evidence: TestEvidence, root: string): string {
  const fresh = new Set(evidence.newFailures);
  const located = evidence.locations.filter((location) => fresh.size === 0 || fresh.has(location.name));
  const described = located.slice(0, TESTS_DESCRIBED).map((location) => {
    const file = location.file.startsWith(`${root}/`) || location.file.startsWith(`${root}\\`) ? location.file.slice(root.length + 1).replace(/\\/g, '/') : location.file;
    const where = `${file}${location.line !== undefined ? `:${location.line}` : ''}`;
    return `${location.name} (${where})${location.message !== undefined && location.message.trim() !== '' ? `: ${clip(location.message, MESSAGE_CHARS)}` : ''}`;
  });
  const more = located.length > TESTS_DESCRIBED ? `; and ${located.length - TESTS_DESCRIBED} more` : '';
  return described.length === 0 ? '' : `${described.join('; ')}${more}`;
}

/** A sentence ends with one full stop. */
function sentence(text: string): string {
  const trimmed = text.trim();
  return /[.!?…]$/.test(trimmed) ? trimmed : `${trimmed}.`;
}

function describeStep(step: PlanStep): string {
  const why = step.error !== undefined && step.error.trim() !== '' ? clip(step.error, STEP_ERROR_CHARS) : 'no reason was recorded';
  return `${step.id} (${step.title}) ${step.status === 'skipped' ? 'was skipped' : 'failed'}: ${sentence(why)}`;
}

/**
 * Why a run whose steps did not all complete failed, naming each such step, its title and its
 * error (for a verification failure: the failing tests and why), so what the user reads at the end
 * is the step's failure, not a count. A step the orchestrator re-planned away is still named.
 */
export function unfinishedStepsReason(steps: readonly PlanStep[]): string {
  const [only, ...others] = steps;
  if (only === undefined) return 'No step failed.';
  if (others.length === 0) return `Step ${describeStep(only)}`;
  return `${steps.length} steps did not complete. ${steps.map(describeStep).join(' ')}`;
}
