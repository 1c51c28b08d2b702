import type { Plan, PlanStep } from '../../protocol/plan';

/**
 * The markdown VS Code's Chat view shows for a run. Pure (no vscode), so the unit tier proves the
 * escaping. Everything that came from a model, a file or a test run is data: it is escaped (or fenced
 * as a code block) so it can never become a link, an image, a command, HTML or a heading in the chat.
 * Buttons and anchors are added by the participant as their own response parts, never as markdown.
 */

/** Every ASCII punctuation character, which CommonMark lets a backslash make literal. */
const punctuation = /[!-/:-@[-`{-~]/g;
/** Terminal colours and other control characters in test output. */
// eslint-disable-next-line no-control-regex
const ansi = /\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b\][^\x07]*\x07/g;
// eslint-disable-next-line no-control-regex
const controls = /[\x00-\x08\x0b-\x1f\x7f]/g;

/** Model or tool text as literal markdown on one line: whitespace collapsed, capped, every punctuation mark escaped. */
export function inlineText(text: string, maxChars = 300): string {
  const flat = text.replace(ansi, '').replace(controls, ' ').replace(/\s+/g, ' ').trim();
  const capped = flat.length > maxChars ? `${flat.slice(0, maxChars - 1)}…` : flat;
  return capped.replace(punctuation, '\\$&');
}

/** Several lines of model text as literal paragraphs (each line escaped; hard line breaks between). */
export function escapedLines(text: string, maxLines = 20): string {
  const lines = text
    .replace(/\r\n?/g, '\n')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '');
  const shown = lines.slice(0, maxLines).map((line) => inlineText(line, 500));
  if (lines.length > maxLines) shown.push(`\\(${String(lines.length - maxLines)} more lines\\)`);
  return shown.join('  \n');
}

/** A file path or a command in a code span, which shows it literally (no escaping inside a code span). */
export function codeSpan(text: string): string {
  const flat = text.replace(ansi, '').replace(controls, ' ').replace(/\s+/g, ' ').trim();
  const longest = Math.max(0, ...[...flat.matchAll(/`+/g)].map((match) => match[0].length));
  const fence = '`'.repeat(longest + 1);
  // A span that starts or ends with a backtick needs a space between it and the fence.
  const pad = flat.startsWith('`') || flat.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${flat}${pad}${fence}`;
}

/** Test output or a failure's detail as a fenced block: a fence longer than any backtick run inside, so it cannot be closed early. */
export function codeBlock(text: string, maxChars = 4000): string {
  const clean = text.replace(/\r\n?/g, '\n').replace(ansi, '').replace(controls, '');
  const capped = clean.length > maxChars ? `${clean.slice(0, maxChars)}\n… (${String(clean.length - maxChars)} more characters)` : clean;
  const longest = Math.max(0, ...[...capped.matchAll(/`{3,}|~{3,}/g)].map((match) => match[0].length));
  const fence = '`'.repeat(Math.max(3, longest + 1));
  return `${fence}text\n${capped.replace(/\n+$/, '')}\n${fence}`;
}

const statusMarks: Readonly<Record<PlanStep['status'], string>> = {
  pending: '○',
  running: '◐',
  verifying: '◑',
  done: '✓',
  failed: '✗',
  skipped: '–',
  cancelled: '–',
};

/** The plan as the chat shows it: the summary, then each step with its files. */
export function renderPlan(plan: Plan): string {
  const steps = plan.steps.map((step, index) => {
    const files = step.files.length === 0 ? '' : ` · ${step.files.slice(0, 6).map(codeSpan).join(', ')}${step.files.length > 6 ? ` and ${String(step.files.length - 6)} more` : ''}`;
    const needs = step.dependsOn.length === 0 ? '' : ` · after ${step.dependsOn.map(codeSpan).join(', ')}`;
    return `${String(index + 1)}. ${codeSpan(step.id)} ${inlineText(step.title, 200)}${files}${needs}`;
  });
  return [`**Plan** (${String(plan.steps.length)} step${plan.steps.length === 1 ? '' : 's'}): ${inlineText(plan.summary, 500)}`, '', ...steps].join('\n');
}

/** One line for a step whose status changed to a finished one. */
export function renderStepLine(step: PlanStep, index: number): string {
  const head = `${statusMarks[step.status]} Step ${String(index + 1)} ${codeSpan(step.id)} ${inlineText(step.title, 200)}`;
  switch (step.status) {
    case 'done':
      return `${head}: verified by the tests${step.changedFiles.length > 0 ? ` (${step.changedFiles.map(codeSpan).join(', ')})` : ''}`;
    case 'failed': {
      const why = step.error ?? step.attempts.at(-1)?.detail;
      return `${head}: failed${why !== undefined ? `: ${inlineText(why, 200)}` : ''}`;
    }
    case 'skipped':
      return `${head}: skipped`;
    case 'cancelled':
      return `${head}: cancelled`;
    default:
      return `${head}: ${step.status}`;
  }
}

/** How the run ended, with its summary (engine and model words, escaped) and what landed. */
export function renderFinished(finished: { readonly status: string; readonly reason?: string | undefined; readonly summary: string; readonly applied: readonly string[] }): string {
  const words = finished.status === 'completed' ? 'The run completed' : finished.status === 'cancelled' ? 'The run was cancelled' : 'The run failed';
  const reason = finished.reason !== undefined && finished.reason !== '' ? `: ${inlineText(finished.reason, 300)}` : '.';
  const landed =
    finished.applied.length === 0
      ? 'Nothing landed in your files.'
      : `Landed in your files: ${finished.applied.slice(0, 20).map(codeSpan).join(', ')}${finished.applied.length > 20 ? ` and ${String(finished.applied.length - 20)} more` : ''}.`;
  const summary = finished.summary.trim() === '' ? '' : `\n\n${escapedLines(finished.summary)}`;
  return `**${words}**${reason}${summary}\n\n${landed}`;
}

/** Why a step failed: its error, each attempt's outcome with the test output, and the reviewer's findings. */
export function renderStepExplanation(step: PlanStep, index: number): string {
  const parts = [`**Step ${String(index + 1)}** ${codeSpan(step.id)} ${inlineText(step.title, 200)}: ${step.status}`];
  if (step.status !== 'failed') parts.push(step.status === 'done' ? 'It did not fail: its tests passed.' : 'It has not failed (so far).');
  if (step.error !== undefined) parts.push(`Error: ${inlineText(step.error, 500)}`);
  for (const attempt of step.attempts) {
    const model = attempt.model !== undefined ? ` on ${codeSpan(attempt.model)}` : '';
    parts.push(`Attempt ${String(attempt.number)}${model}: ${attempt.outcome ?? 'running'}`);
    if (attempt.detail !== undefined && attempt.detail.trim() !== '') parts.push(codeBlock(attempt.detail));
  }
  const findings = step.reviews?.at(-1)?.findings ?? [];
  if (findings.length > 0) {
    parts.push('The reviewer found:');
    parts.push(findings.map((finding) => `- ${codeSpan(`${finding.path}${finding.line !== undefined ? `:${String(finding.line)}` : ''}`)} ${inlineText(finding.problem, 300)}`).join('\n'));
  }
  return parts.join('\n\n');
}

/**
 * The step a question names: its id (`s2`), or its place in the plan (`2`, `step 2`). Undefined when
 * the plan has no such step; without a reference, the last failed step.
 */
export function findStep(plan: Plan, reference: string | undefined): { step: PlanStep; index: number } | undefined {
  const at = (index: number): { step: PlanStep; index: number } | undefined => {
    const step = plan.steps[index];
    return step === undefined ? undefined : { step, index };
  };
  if (reference === undefined) {
    for (let index = plan.steps.length - 1; index >= 0; index -= 1) if (plan.steps[index]?.status === 'failed') return at(index);
    return undefined;
  }
  const byId = plan.steps.findIndex((step) => step.id === reference.toLowerCase());
  if (byId >= 0) return at(byId);
  return /^\d+$/.test(reference) ? at(Number(reference) - 1) : undefined;
}
