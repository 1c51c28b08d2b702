import type { Confinement } from './runConfined';
import { isSandbox, type SandboxAvailability, type SandboxMissing } from './sandboxTypes';

/**
 * Fails closed where there is no sandbox. Before the first command on changes nobody has reviewed
 * (a verification, a worker's `run_command`), the user is asked once per run, in plain words,
 * whether to run them unconfined: `run` (this run only), `review-first` (steps are not verified
 * before review and worker commands do not run), or `cancel`. A preset answer (the CLI's
 * `--unsandboxed`) stands in for the question; with neither, the answer is `refuse`, and the run
 * stops saying how to install a sandbox. The baseline runs the user's own workspace, which the
 * user runs anyway: it needs no question.
 */

export type UnsandboxedChoice = 'run' | 'review-first' | 'cancel' | 'refuse';

export interface UnsandboxedQuestion {
  readonly reason: string;
  readonly remedy: string;
}

/** The run must stop: the user declined, or nobody could be asked. */
export class SandboxRefusedError extends Error {
  override readonly name = 'SandboxRefusedError';
  constructor(message: string, readonly cancelled: boolean) {
    super(message);
  }
}

export type GateAnswer = Confinement | { readonly kind: 'withheld'; readonly reason: string };

export interface ExecutionGateOptions {
  readonly availability: Promise<SandboxAvailability>;
  /** The answer given up front (`--unsandboxed run|review-first`), asked of nobody. */
  readonly preset?: 'run' | 'review-first';
  /** Asks the user; absent or failing: `refuse`. */
  ask?(question: UnsandboxedQuestion, signal: AbortSignal): Promise<UnsandboxedChoice>;
}

export class ExecutionGate {
  #choice: Promise<UnsandboxedChoice> | undefined;

  constructor(private readonly options: ExecutionGateOptions) {}

  /** The sandbox, or why there is none (for the plan's notes and `plumbline doctor`). */
  availability(): Promise<SandboxAvailability> {
    return this.options.availability;
  }

  /** For the baseline: the sandbox when there is one, else unconfined (it is the user's own code). */
  async forBaseline(): Promise<Confinement> {
    const found = await this.options.availability;
    return isSandbox(found) ? { kind: 'sandbox', sandbox: found } : { kind: 'unconfined', why: found.reason };
  }

  /** For content nobody has reviewed. Throws SandboxRefusedError when the run must stop. */
  async forUnreviewed(signal: AbortSignal): Promise<GateAnswer> {
    const found = await this.options.availability;
    if (isSandbox(found)) return { kind: 'sandbox', sandbox: found };
    this.#choice ??= this.#decide(found, signal);
    const choice = await this.#choice;
    if (choice === 'run') return { kind: 'unconfined', why: `${found.reason} You chose to run the tests unsandboxed for this run.` };
    if (choice === 'review-first') return { kind: 'withheld', reason: `Not run before your review: ${found.reason} You chose to review first.` };
    if (choice === 'cancel') throw new SandboxRefusedError(`Stopped: ${found.reason} You chose not to run the tests on changes you have not reviewed.`, true);
    throw new SandboxRefusedError(
      `Stopped before running any model-written code: ${found.reason} ${found.remedy} ` +
        'Or choose for this run: --unsandboxed review-first (verify after your review) or --unsandboxed run (run the tests unconfined).',
      false,
    );
  }

  /** What the user chose for this run where there is no sandbox; undefined when nothing was asked. */
  async choice(): Promise<UnsandboxedChoice | undefined> {
    return this.#choice === undefined ? undefined : this.#choice.catch(() => undefined);
  }

  async #decide(missing: SandboxMissing, signal: AbortSignal): Promise<UnsandboxedChoice> {
    if (this.options.preset !== undefined) return this.options.preset;
    if (this.options.ask === undefined) return 'refuse';
    try {
      return await this.options.ask({ reason: missing.reason, remedy: missing.remedy }, signal);
    } catch {
      return signal.aborted ? 'cancel' : 'refuse';
    }
  }
}
