import type { TestEvidence } from '../../protocol/testEvidence';
import { defaultSandboxSettings } from '../sandbox/sandboxPolicy';
import { isSandbox } from '../sandbox/sandboxTypes';
import { BaselineCache } from '../verify/baselineCache';
import type { PreparedIsolation } from '../verify/isolatedWorkspace';
import { StepVerifier, type VerifierOptions } from '../verify/stepVerifier';
import type { StagedChange } from '../workspace/stagedWorkspace';
import type { RunContext } from './runContext';
import type { RunVerifier } from './runHost';

/** What the baseline (the suite before any step) needs: whether to take it, and what to put back for it. */
export interface BaselinePlan {
  /** Whether a baseline test run is still worth taking (a resumed run may have no step left). */
  readonly needed: boolean;
  /** Pre-run bytes of files a resumed run had already landed, put back for the baseline only. */
  readonly restores: readonly StagedChange[];
}

export const freshBaseline: BaselinePlan = { needed: true, restores: [] };

/** The run's verifier and its baseline, started early (while the orchestrator plans) or at approval. */
export interface StartedVerifier {
  readonly verifier: RunVerifier;
  /** The baseline under way; undefined when there is no command or none is needed. */
  readonly baseline: Promise<TestEvidence> | undefined;
}

/**
 * Makes the run's verifier and starts its baseline at once: called while the orchestrator plans,
 * so the suite runs before the plan is approved and only the first verdict waits for it.
 */
export async function createVerification(ctx: RunContext, staleCleanup: Promise<unknown> | undefined, baseline: BaselinePlan, prepared: { prepared?: Promise<PreparedIsolation | undefined> } = {}): Promise<StartedVerifier> {
  const { host, options, gate } = ctx;
  const cacheDir = options.verification.baselineCacheDir;
  const verifierOptions: VerifierOptions = {
    root: host.workspace.root,
    timeoutMs: options.verification.timeoutMs,
    signal: ctx.workSignal,
    ...(staleCleanup !== undefined ? { staleCleanup } : {}),
    ...prepared,
    ...(options.verification.command !== undefined ? { command: options.verification.command } : {}),
    ...(options.verification.parallel !== undefined ? { parallel: options.verification.parallel } : {}),
    ...(cacheDir !== undefined ? { baselineCache: new BaselineCache(cacheDir) } : {}),
    ...(host.unsavedBuffers !== undefined ? { buffers: host.unsavedBuffers() } : {}),
    gate,
    sandbox: options.sandbox ?? defaultSandboxSettings,
  };
  const verifier = await (host.createVerifier?.(verifierOptions) ?? StepVerifier.create(verifierOptions));
  // The first copy (the workspace as it is now) is made while the rest is set up.
  verifier.prepare();
  const started = verifier.command !== undefined && baseline.needed ? verifier.runBaseline(baseline.restores) : undefined;
  // Heard by startVerification's report, or by nobody when the run ends before the approval.
  started?.catch(() => undefined);
  return { verifier, baseline: started };
}

/**
 * Sets up the run's verification once the plan is approved, before any step runs: takes the
 * verifier started while the orchestrator planned (or makes it now: a resumed run), says in the
 * plan how and where tests run, and asks the run's one sandbox question up front where there is
 * no sandbox. The baseline is not waited for: `reported` settles once its result is in the plan
 * (verdicts wait for it inside the verifier). Its own room because it is the run's one meeting
 * point with the verifier and the sandbox before steps start.
 */
export async function startVerification(ctx: RunContext, staleCleanup: Promise<unknown> | undefined, baseline: BaselinePlan): Promise<{ readonly verifier: RunVerifier; readonly reported: Promise<void> }> {
  const { host, options, gate } = ctx;
  const started = await (ctx.verifier.takeEarly() ?? createVerification(ctx, staleCleanup, baseline, ctx.verifier.takePrepared()));
  const { verifier } = started;
  ctx.verifier.set(verifier);
  await ctx.plan.note(`${verifier.describeCommand()} ${await describeSandbox(ctx)}`);
  // Without a sandbox the one question of the run comes now, before anything runs, not mid-step.
  if (verifier.command !== undefined && !isSandbox(await gate.availability())) {
    const answer = await gate.forUnreviewed(ctx.workSignal);
    if (answer.kind !== 'sandbox') await ctx.plan.note(answer.kind === 'withheld' ? answer.reason : answer.why);
  }
  const reported = (started.baseline ?? Promise.resolve(undefined)).then(async (evidence) => {
    // A run that ended early (a budget, an error, a cancel) has settled its plan and journal: nothing more goes in.
    if (evidence === undefined || ctx.workSignal.aborted) return;
    host.emit({ type: 'verification', runId: options.runId, evidence });
    if (evidence.cachedFrom !== undefined) {
      await ctx.plan.note(`Before the run: the suite's result on this same tree, command and lock files was reused from ${evidence.cachedFrom} instead of running it again.`);
    }
    if (evidence.preexistingFailures.length > 0 || evidence.verdict === 'failed') {
      await ctx.plan.note(`Before the run: ${evidence.reason}${evidence.preexistingFailures.length > 0 ? ` (${evidence.preexistingFailures.join(', ')})` : ''}`);
    }
  });
  return { verifier, reported };
}

/** For the plan's notes: where the tests and commands of this run execute. */
async function describeSandbox(ctx: RunContext): Promise<string> {
  const found = await ctx.gate.availability();
  return isSandbox(found) ? `Tests and commands run sandboxed (${found.description}): no network, no home folder, writes only in the copy.` : `No sandbox: ${found.reason}`;
}
