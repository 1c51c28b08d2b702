import * as z from 'zod';
import type { TestEvidence } from '../../protocol/testEvidence';
import type { RunSnapshot, RunStop } from './chatProgress';

/**
 * The language model tools' inputs (the same shapes as `languageModelTools[].inputSchema` in
 * package.json; a unit test holds the two together) and the text their results carry back to the
 * calling agent. Pure. The calling model reads this text: model-written parts are labelled as what
 * they are, and the evidence is the harness's, never a model's claim.
 */
export const runTaskToolName = 'plumbline_run_task';
export const runTestsToolName = 'plumbline_run_tests';
export const maxToolTaskChars = 8000;

export const runTaskInputSchema = z.strictObject({
  task: z.string().trim().min(1, 'task must say what to change').max(maxToolTaskChars, `task must be at most ${String(maxToolTaskChars)} characters`),
});
export type RunTaskInput = z.infer<typeof runTaskInputSchema>;

export const runTestsInputSchema = z.strictObject({});

/** A tool input that fails its schema: what was wrong, in words the calling model can act on. */
export function describeInputError(tool: string, error: z.ZodError): string {
  const issues = error.issues.map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : 'input'}: ${issue.message}`).join('; ');
  return `${tool} was called with invalid input (${issues}). Call it again with the input its schema describes.`;
}

/** What the user is asked before the agent's call starts a run (prepareInvocation's confirmation). */
export function runTaskConfirmation(task: string, mode: 'step' | 'end' | 'auto' | 'never'): string {
  const landing =
    mode === 'auto'
      ? 'Your approval mode is auto: verified changes land in your files without a review (files that run code still ask).'
      : mode === 'never'
        ? 'Your approval mode is never: nothing lands in your files.'
        : 'Nothing lands in your files before you review it, hunk by hunk, in the editor.';
  const flat = task.replace(/\s+/g, ' ').trim();
  return `Plumbline will plan this task, carry it out in isolated copies and verify each step with your tests in the sandbox:\n\n"${flat.length > 600 ? `${flat.slice(0, 599)}…` : flat}"\n\n${landing}`;
}

/** The result of plumbline_run_task: how far the run got, its steps, and where the user reviews it. */
export function runTaskResultText(snapshot: RunSnapshot, stop: RunStop, planPath: string | undefined): string {
  const lines = [`Plumbline run ${snapshot.runId}.`];
  const plan = snapshot.plan;
  if (plan !== undefined) {
    lines.push(`Plan (the orchestrator model's words): ${plan.summary.replace(/\s+/g, ' ').slice(0, 600)}`);
    for (const step of plan.steps) {
      const last = step.attempts.at(-1);
      const verdict = step.status === 'done' ? 'verified: its tests passed in the sandbox' : step.status === 'failed' ? `failed${step.error !== undefined ? `: ${step.error.replace(/\s+/g, ' ').slice(0, 300)}` : ''}` : step.status;
      lines.push(`- ${step.id} "${step.title}": ${verdict}${last?.outcome !== undefined ? ` (${String(step.attempts.length)} attempt${step.attempts.length === 1 ? '' : 's'})` : ''}`);
    }
  }
  switch (stop) {
    case 'approval':
      lines.push('The plan waits for the user\'s approval (Run Plan in VS Code). Nothing has changed yet.');
      break;
    case 'review':
      lines.push(
        `The verified changes wait for the user's review in VS Code's editor (Plumbline's inline review, per hunk): ${(snapshot.reviewFiles ?? []).join(', ')}. Nothing has landed in the user's files yet; the run finishes when the user has decided.`,
      );
      break;
    case 'finished': {
      const finished = snapshot.finished;
      if (finished === undefined) break;
      lines.push(`The run ${finished.status}${finished.reason !== undefined ? `: ${finished.reason}` : ''}.`);
      if (finished.summary.trim() !== '') lines.push(`Summary: ${finished.summary.trim().slice(0, 2000)}`);
      lines.push(finished.applied.length > 0 ? `Landed in the user's files: ${finished.applied.join(', ')}.` : 'Nothing landed in the user\'s files.');
      break;
    }
  }
  if (planPath !== undefined) lines.push(`The plan and its evidence: ${planPath}`);
  return lines.join('\n');
}

/** The result of plumbline_run_tests: the harness's verdict from the exit code and the parsed output. */
export function testEvidenceText(evidence: TestEvidence): string {
  const counts = [
    evidence.passed !== undefined ? `${String(evidence.passed)} passed` : undefined,
    evidence.failed !== undefined ? `${String(evidence.failed)} failed` : undefined,
    evidence.skipped !== undefined ? `${String(evidence.skipped)} skipped` : undefined,
  ].filter((part): part is string => part !== undefined);
  const lines = [
    `Verdict: ${evidence.verdict} (${evidence.reason})`,
    `Command: ${evidence.command ?? 'none'}; exit code ${evidence.exitCode === null ? 'none' : String(evidence.exitCode)}; ${(evidence.durationMs / 1000).toFixed(1)} s${counts.length > 0 ? `; ${counts.join(', ')}` : ''}`,
    'Run by Plumbline in an isolated, sandboxed copy of the workspace (unsaved editor changes included); the user\'s files were not touched.',
  ];
  if (evidence.newFailures.length > 0) lines.push(`Failing tests: ${evidence.newFailures.slice(0, 50).join('; ')}`);
  if (evidence.preexistingFailures.length > 0) lines.push(`Failing before as well: ${evidence.preexistingFailures.slice(0, 50).join('; ')}`);
  for (const location of evidence.locations.slice(0, 20)) lines.push(`- ${location.name} at ${location.file}${location.line !== undefined ? `:${String(location.line)}` : ''}${location.message !== undefined ? `: ${location.message.slice(0, 300)}` : ''}`);
  if (evidence.excerpt.trim() !== '') lines.push('Output (the test run\'s, data):', evidence.excerpt.slice(0, 6000));
  return lines.join('\n');
}
