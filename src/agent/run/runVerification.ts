import { defaultSandboxSettings } from '../sandbox/sandboxPolicy';
import { isSandbox } from '../sandbox/sandboxTypes';
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

/**
 * Sets up the run's verification once the plan is approved, before any step runs: makes the
 * verifier (with the copy prepared while the orchestrator planned), says in the plan how and where
 * tests run, asks the run's one sandbox question up front where there is no sandbox, and takes
 * the baseline. Its own room because it is the run's one meeting point with the verifier and the
 * sandbox before steps start; the steps themselves only ask the verifier for verdicts.
 */
export async function startVerification(ctx: RunContext, staleCleanup: Promise<unknown> | undefined, baseline: BaselinePlan): Promise<RunVerifier> {
  const { host, options, gate } = ctx;
  const verifierOptions: VerifierOptions = {
    root: host.workspace.root,
    timeoutMs: options.verification.timeoutMs,
    signal: ctx.workSignal,
    ...(staleCleanup !== undefined ? { staleCleanup } : {}),
    ...ctx.verifier.takePrepared(),
    ...(options.verification.command !== undefined ? { command: options.verification.command } : {}),
    ...(host.unsavedBuffers !== undefined ? { buffers: host.unsavedBuffers() } : {}),
    gate,
    sandbox: options.sandbox ?? defaultSandboxSettings,
  };
  const verifier = await (host.createVerifier?.(verifierOptions) ?? StepVerifier.create(verifierOptions));
  ctx.verifier.set(verifier);
  // The copy of the workspace (taken now, after the approval) is made while the note is written.
  verifier.prepare();
  await ctx.plan.note(`${verifier.describeCommand()} ${await describeSandbox(ctx)}`);
  // Without a sandbox the one question of the run comes now, before anything runs, not mid-step.
  if (verifier.command !== undefined && !isSandbox(await gate.availability())) {
    const answer = await gate.forUnreviewed(ctx.workSignal);
    if (answer.kind !== 'sandbox') await ctx.plan.note(answer.kind === 'withheld' ? answer.reason : answer.why);
  }
  if (verifier.command !== undefined && baseline.needed) {
    const evidence = await verifier.runBaseline(baseline.restores);
    host.emit({ type: 'verification', runId: options.runId, evidence });
    if (evidence.preexistingFailures.length > 0 || evidence.verdict === 'failed') {
      await ctx.plan.note(`Before the run: ${evidence.reason}${evidence.preexistingFailures.length > 0 ? ` (${evidence.preexistingFailures.join(', ')})` : ''}`);
    }
  }
  return verifier;
}

/** For the plan's notes: where the tests and commands of this run execute. */
async function describeSandbox(ctx: RunContext): Promise<string> {
  const found = await ctx.gate.availability();
  return isSandbox(found) ? `Tests and commands run sandboxed (${found.description}): no network, no home folder, writes only in the copy.` : `No sandbox: ${found.reason}`;
}
