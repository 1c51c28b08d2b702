import { blockedSteps } from './planGraph';
import { escapeFreeText, quoteLines, renderField, renderFiles, renderHeader, renderIds, renderTestNames, stepMarker, stepsEndMarker, stepsStartMarker } from './planFormat';
import type { Attempt, Plan, PlanStep, StepStatus } from '../../protocol/plan';
import { describeCost } from '../../protocol/cost';
import { attemptSuffix, renderRunReview, renderStepReviews } from './renderReview';

/**
 * Renders the live plan as `.plumbline/runs/<run-id>/plan.md`: readable as a document, and
 * parseable back by `parsePlanEdit` after the user edits it. The output depends only on the
 * plan (no clock), so the same state always renders the same bytes.
 */

/**
 * How to edit the plan, at the end of the document so it opens on the plan itself; one line at the
 * top points to it. Inside an HTML comment after the steps' end marker, where the parser never reads.
 */
const userGuide = `How to edit this plan (Plumbline rewrites the file after every change and reads your edits back on save):
- PENDING steps only: the title (after the second "·"), Files (paths in backticks), Depends on (step
  ids, comma-separated), Verify, Removes tests (in backticks: tests the step removes or renames; a test
  that passed before and no longer runs fails the step otherwise), the "> " instruction lines, and
  the order of the blocks. Started steps are read-only: edits to them are ignored and reported.
- Remove a pending step: delete its block, from its "plumbline:step" marker to the next step.
- Add a step: copy this between two steps (the id "new" becomes u1, u2, ...):

- [ ] **new** · pending · Title of the new step
  - Files: \`path/to/file.ts\`
  - Depends on: none
  - Instructions:
    > What the worker should do.

Keep the plumbline markers; the title, status, notes and summary of changes are rewritten by Plumbline.`;

export function renderPlanMarkdown(plan: Plan): string {
  // `-->` inside the run id would end the guide comment early.
  const runId = plan.runId.replace(/-->/g, '');
  const [firstLine = '', ...moreTaskLines] = plan.task.trim().split(/\r?\n/);
  const lines: string[] = [`# Plan: ${escapeFreeText(firstLine)}`, '', '<!-- plumbline:edit-help: how to edit this plan is at the end of the file -->', ''];
  if (moreTaskLines.length > 0) lines.push(...plan.task.trim().split(/\r?\n/).map((line) => `> ${escapeFreeText(line)}`.trimEnd()), '');
  lines.push(escapeFreeText(plan.summary.trim()), '', statusLine(plan), '', '## Steps', '', stepsStartMarker, '');

  const blocked = new Map(blockedSteps(plan).map((entry) => [entry.step.id, entry.blockedBy]));
  for (const step of plan.steps) lines.push(...renderStep(step, blocked.get(step.id)), '');
  lines.push(stepsEndMarker);
  lines.push(...renderRunReview(plan.review));

  if (plan.notes.length > 0) {
    lines.push('', '## Notes', '');
    for (const note of plan.notes) {
      const [first = '', ...rest] = escapeFreeText(note.trim()).split(/\r?\n/);
      lines.push(`- ${first}`, ...rest.map((line) => `  ${line}`.trimEnd()));
    }
  }
  if (plan.summaryOfChanges !== undefined) lines.push('', '## Summary of changes', '', escapeFreeText(plan.summaryOfChanges.trim()));
  lines.push('', `<!-- plumbline:plan ${runId}`, userGuide, '-->');
  return `${lines.join('\n')}\n`;
}

const statusHints: Partial<Record<Plan['status'], string>> = {
  draft: ' (waiting for approval: edit the steps below if needed)',
};

function statusLine(plan: Plan): string {
  const done = plan.steps.filter((step) => step.status === 'done').length;
  // Without a price the dollars leave those calls out: the tokens say what they used.
  return `**Status:** ${plan.status}${statusHints[plan.status] ?? ''} · ${done}/${plan.steps.length} steps done · cost ${describeCost(plan.cost)}`;
}

function renderStep(step: PlanStep, blockedBy: readonly string[] | undefined): string[] {
  const lines = [stepMarker(step.id), renderHeader(step), ...renderField('Files', renderFiles(step.files)), ...renderField('Depends on', renderIds(step.dependsOn))];
  if (step.verify !== undefined) lines.push(...renderField('Verify', step.verify));
  if (step.removesTests !== undefined) lines.push(...renderField('Removes tests', renderTestNames(step.removesTests)));
  if (blockedBy !== undefined) lines.push(...renderField('Blocked by', `${renderIds(blockedBy)} (it will not run unless you remove the dependency)`));
  if (step.tools !== undefined) lines.push(...renderField('MCP tools', step.tools.map((tool) => `\`${tool}\``).join(', ')));
  if (step.route !== undefined || step.estimatedLines !== undefined) lines.push(...renderField('Routing', routing(step)));
  if (step.model !== undefined) lines.push(...renderField('Model', step.model));
  for (const attempt of step.attempts) {
    lines.push(`  - Attempt ${attempt.number}: ${describeAttempt(attempt, step.status)}`);
    if (attempt.detail !== undefined && attempt.detail.trim() !== '') lines.push(...quoteLines(attempt.detail.trim()));
  }
  lines.push(...renderStepReviews(step.reviews));
  if (step.workerSummary !== undefined) lines.push(...renderField('Worker summary', step.workerSummary.trim()));
  if (step.changedFiles.length > 0) lines.push(...renderField('Changed files', renderFiles(step.changedFiles)));
  if (step.error !== undefined) lines.push(...renderField('Error', step.error.trim()));
  lines.push('  - Instructions:', ...quoteLines(step.instructions));
  return lines;
}

function describeAttempt(attempt: Attempt, status: StepStatus): string {
  // An attempt left open by a step that was cancelled (or otherwise ended) was cut short, not still running.
  const unended = status === 'running' || status === 'verifying' ? 'in progress' : 'interrupted';
  const outcome = attempt.outcome ?? (attempt.endedAt === undefined ? unended : 'ended');
  const time = attempt.endedAt === undefined ? `started ${attempt.startedAt}` : `${attempt.startedAt} → ${attempt.endedAt}`;
  return `${outcome} · ${time}${attemptSuffix(attempt)}`;
}

/** `fast (the workers' model) · about 20 lines`. */
function routing(step: PlanStep): string {
  const route = step.route === 'fast' ? "fast (the workers' model)" : "strong (the orchestrator's model)";
  return `${route}${step.estimatedLines !== undefined ? ` · about ${String(step.estimatedLines)} lines` : ''}`;
}
