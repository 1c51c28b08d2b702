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
import { escalatedClient } from './modelRouting';
import { describeReview, reviewStepAttempt, revisionFeedback } from './stepReview';
import { steeringInChanges, steeringVerdictReason } from '../verify/verdictSteering';

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
    const noted = note === undefined ? verified : { ...verified, reason: `${verified.reason} ${note}` };
    // A green run of code that can steer its own test results is no proof (verdictSteering.ts).
    const steering = noted.verdict === 'passed' ? steeringInChanges(session.fork.changes()) : [];
    const evidence = steering.length === 0 ? noted : { ...noted, verdict: 'unverified' as const, reason: `${noted.reason} ${steeringVerdictReason(steering)}` };
    if (ctx.signal.aborted) throw new RunCancelled();
    ctx.host.emit({ type: 'verification', runId: options.runId, stepId: step.id, attempt, evidence });
    const usage = session.usage.take();
    const tested = `${evidence.reason}${describeGrounds(evidence)}`;
    // Tests passed: the reviewer grades the attempt (plumbline.review.mode steps); a revision is a failed attempt of this loop.
    const review = evidence.verdict !== 'failed' ? await reviewStepAttempt(ctx, step, session.fork, evidence, attempt) : undefined;
    if (evidence.verdict !== 'failed' && (review === undefined || review.outcome === 'approved')) {
      ctx.passedBy.set(step.id, evidence);
      await plan.update(recordAttempt(plan.current(), step.id, { endedAt: new Date().toISOString(), outcome: 'passed', detail: review !== undefined ? `${tested}\n${describeReview(review)}` : tested, usage }));
      return outcome;
    }
    if (review?.outcome === 'failed') {
      await plan.update(recordAttempt(plan.current(), step.id, { endedAt: new Date().toISOString(), outcome: 'error', detail: describeReview(review), usage }));
      return { status: 'failed', error: `${review.summary} The step is not accepted unreviewed: check the reviewer's model (plumbline.reviewer.model) or set plumbline.review.mode to off.`, changedFiles: outcome.changedFiles };
    }
    const detail = review !== undefined ? `${tested}\n${describeReview(review)}` : `${tested}\n${evidence.excerpt.slice(0, 1500)}`;
    await plan.update(recordAttempt(plan.current(), step.id, { endedAt: new Date().toISOString(), outcome: 'failed', detail, usage }));
    if (attempt >= maxAttempts) {
      const why = review !== undefined ? `the reviewer still asked for a revision after ${attempt} attempt${attempt === 1 ? '' : 's'}: ${review.summary}` : `failed verification after ${attempt} attempt${attempt === 1 ? '' : 's'}: ${evidence.reason}`;
      // Before it fails for good, the user may give it more attempts, re-plan it or drop it (lastAttempt.ts).
      const failing = review === undefined ? describeFailingTests(evidence, ctx.host.workspace.root) : '';
      const error = `The step still ${why}${failing === '' ? '' : ` ${failing}`}`;
      const decided = await beforeStepFails(ctx, step, attempt, { status: 'failed', error, changedFiles: outcome.changedFiles });
      if (decided.status !== 'retry') return decided;
      maxAttempts += decided.attempts;
    }
    // The next attempt runs on the strong model (plumbline.escalation), keeping the worker's transcript.
    const next = escalatedClient(ctx);
    await plan.update(startAttempt(plan.current(), step.id, new Date().toISOString(), next?.model ?? session.model));
    outcome = await session.retry(
      review !== undefined
        ? revisionFeedback(review, attempt, maxAttempts)
        : `Verification failed (attempt ${attempt} of ${maxAttempts}): ${evidence.reason}\n` +
            `Command: ${evidence.command ?? ''} (exit code ${String(evidence.exitCode)})\n${wrapData('test-output', evidence.excerpt)}\n` +
            'Fix your files so the tests pass, then call finish. Failures that existed before the run are not yours to fix.',
      next,
    );
    if (ctx.signal.aborted) throw new RunCancelled();
  }
  return outcome;
}
