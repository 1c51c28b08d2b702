import { describeGrounds } from '../../protocol/testEvidence';
import { wrapData } from '../../tools/dataText';
import type { PlanStep } from '../../protocol/plan';
import { markVerifying, recordAttempt, startAttempt } from '../plan/planState';
import { beforeStepFails } from './lastAttempt';
import { heldBackNote, holdBackProtected } from './protectedExecution';
import { RunCancelled, type RunContext } from './runContext';
import { describeFailingTests } from './runReason';
import type { RunVerifier } from './runHost';
import type { WorkerOutcome, WorkerSession } from './worker';

/**
 * The fix loop: the step's increment is verified in isolation; a failure goes back to the same
 * worker with the part of the log that matters, up to the attempt limit. The verdict comes from
 * the test command's exit status, never from the worker. Its own room because it is where a
 * step's "done" is earned: the scheduler only learns the outcome.
 */
export async function verifyWithFixes(ctx: RunContext, verifier: RunVerifier, step: PlanStep, session: WorkerSession, first: WorkerOutcome): Promise<WorkerOutcome> {
  const { plan, options } = ctx;
  let outcome = first;
  let maxAttempts = options.verification.maxAttempts;
  for (let attempt = 1; outcome.status === 'done'; attempt++) {
    await plan.update(markVerifying(plan.current(), step.id));
    const combined = [...ctx.staged.changes().filter((change) => !session.fork.changes().some((own) => own.path === change.path)), ...session.fork.changes()];
    // Files that run code are tested in their pre-run version until the user approves them.
    const { runnable, held } = holdBackProtected(combined);
    const verified = await verifier.verify(runnable, { stepId: step.id, ownPaths: session.fork.changes().map((change) => change.path), ...(step.verify !== undefined ? { verifyLine: step.verify } : {}), removesTests: step.removesTests ?? [] });
    const note = heldBackNote(held);
    const evidence = note === undefined ? verified : { ...verified, reason: `${verified.reason} ${note}` };
    if (ctx.signal.aborted) throw new RunCancelled();
    ctx.host.emit({ type: 'verification', runId: options.runId, stepId: step.id, attempt, evidence });
    if (evidence.verdict !== 'failed') {
      await plan.update(recordAttempt(plan.current(), step.id, { endedAt: new Date().toISOString(), outcome: 'passed', detail: `${evidence.reason}${describeGrounds(evidence)}` }));
      return outcome;
    }
    await plan.update(recordAttempt(plan.current(), step.id, { endedAt: new Date().toISOString(), outcome: 'failed', detail: `${evidence.reason}${describeGrounds(evidence)}\n${evidence.excerpt.slice(0, 1500)}` }));
    if (attempt >= maxAttempts) {
      // Before it fails for good, the user may give it more attempts, re-plan it or drop it (lastAttempt.ts).
      const failing = describeFailingTests(evidence, ctx.host.workspace.root);
      const error = `The step still failed verification after ${attempt} attempt${attempt === 1 ? '' : 's'}: ${evidence.reason}${failing === '' ? '' : ` ${failing}`}`;
      const decided = await beforeStepFails(ctx, step, attempt, { status: 'failed', error, changedFiles: outcome.changedFiles });
      if (decided.status !== 'retry') return decided;
      maxAttempts += decided.attempts;
    }
    await plan.update(startAttempt(plan.current(), step.id, new Date().toISOString()));
    outcome = await session.retry(
      `Verification failed (attempt ${attempt} of ${maxAttempts}): ${evidence.reason}\n` +
        `Command: ${evidence.command ?? ''} (exit code ${String(evidence.exitCode)})\n${wrapData('test-output', evidence.excerpt)}\n` +
        'Fix your files so the tests pass, then call finish. Failures that existed before the run are not yours to fix.',
    );
    if (ctx.signal.aborted) throw new RunCancelled();
  }
  return outcome;
}
