import type { StagedChange } from '../workspace/stagedWorkspace';
import { detectTestCommand, narrowCommand, type DetectedCommand } from './detectTestCommand';
import type { RepoInfo } from './isolationGit';
import { cleanupStaleIsolations, createIsolatedWorkspace, prepareIsolation, type IsolatedWorkspace, type PreparedIsolation } from './isolatedWorkspace';
import { excerptFailure, parseTestOutput, type TestSummary } from './parseTestOutput';
import { runProcess, type ProcessResult } from './processRunner';
import type { TestEvidence } from './testEvidence';

export interface VerifierOptions {
  readonly root: string;
  /** The user's setting or --test-cmd; detected from the project when absent. */
  readonly command?: string;
  readonly timeoutMs: number;
  readonly buffers?: ReadonlyMap<string, string>;
  readonly signal: AbortSignal;
  /** The removal of stale copies (cleanupStaleIsolations), when the host started it earlier; else it runs now. */
  readonly staleCleanup?: Promise<unknown>;
  /** A worktree made ahead by `StepVerifier.prepareAhead`; the verifier uses it or discards it. */
  readonly prepared?: Promise<PreparedIsolation | undefined>;
}

interface Baseline {
  readonly exitCode: number | null;
  readonly failing: ReadonlySet<string>;
  readonly total: number | undefined;
}

/**
 * Runs the project's tests on a step's increment in an isolated copy of the workspace and decides
 * the verdict from the exit status. A baseline run before the first step records tests that already
 * fail; they are reported but do not block. Zero tests run is never a pass when the suite has tests.
 * Verifications are serialised: parallel steps share one copy.
 */
export class StepVerifier {
  private isolated: IsolatedWorkspace | undefined;
  private isolating: Promise<IsolatedWorkspace> | undefined;
  private prepared: Promise<PreparedIsolation | undefined> | undefined;
  private baseline: Baseline | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private readonly landed = new Map<string, StagedChange>();

  private constructor(
    private readonly options: VerifierOptions,
    readonly detected: DetectedCommand | undefined,
    readonly command: string | undefined,
  ) {
    this.prepared = options.prepared;
  }

  /**
   * Makes the commit-only part of the first copy (a worktree of HEAD, no files) ahead of time, say
   * while the orchestrator plans, when the project has a test command: after the stale copies are
   * gone. Never fails (undefined: nothing prepared). Hand the promise to `create` as `prepared`, or
   * discard what it gives.
   */
  static prepareAhead(root: string, command: string | undefined, staleCleanup: Promise<unknown>, repo?: Promise<RepoInfo | undefined>): Promise<PreparedIsolation | undefined> {
    const prepared = (async () => {
      await staleCleanup.catch(() => undefined);
      if ((command ?? (await detectTestCommand(root))?.command) === undefined) return undefined;
      return prepareIsolation({ root, ...(repo !== undefined ? { repo } : {}) });
    })().catch(() => undefined);
    return prepared;
  }

  static async create(options: VerifierOptions): Promise<StepVerifier> {
    // Copies left by a process that died (a killed server) are removed before new ones are made.
    const [, detected] = await Promise.all([(options.staleCleanup ?? cleanupStaleIsolations(options.root)).catch(() => undefined), detectTestCommand(options.root)]);
    return new StepVerifier(options, detected, options.command ?? detected?.command);
  }

  /**
   * Starts making the isolated copy now, so the first verification need not wait for it; the copy
   * holds the workspace as it is at this call. Does nothing without a command.
   */
  prepare(): void {
    if (this.command === undefined) return;
    // Heard by run() (the first verification) or dispose().
    this.isolation().catch(() => undefined);
  }

  private isolation(): Promise<IsolatedWorkspace> {
    if (this.isolating === undefined) {
      const prepared = this.prepared;
      this.prepared = undefined;
      const options = { root: this.options.root, ...(this.options.buffers !== undefined ? { buffers: this.options.buffers } : {}) };
      this.isolating = (prepared ?? Promise.resolve(undefined)).then((ahead) => createIsolatedWorkspace(options, ahead));
    }
    return this.isolating;
  }

  /** Where the command came from, for the plan's notes. */
  describeCommand(): string {
    if (this.command === undefined) return 'No test command was found, so steps cannot be verified: set plumbline.testCommand (or pass --test-cmd).';
    const source = this.options.command !== undefined ? 'your setting' : (this.detected?.source ?? 'detected');
    return `Verifying with \`${this.command}\` (from ${source}).`;
  }

  /** Runs the suite once on the workspace as it is, before any step. */
  /**
   * Runs the suite on the workspace as it was before the run. `restore` puts back pre-run bytes of
   * files the run already landed (a resumed run whose apply was interrupted), for this run only.
   */
  async runBaseline(restore: readonly StagedChange[] = []): Promise<TestEvidence> {
    return this.serial(async () => {
      const run = await this.run(restore, this.command);
      if (run === undefined) return this.unverified();
      const summary = parseTestOutput(run.output, this.detected?.runner);
      this.baseline = { exitCode: run.exitCode, failing: new Set(summary.failures.map((failure) => failure.name)), total: summary.total };
      const evidence = this.evidence(run, summary, [], [...this.baseline.failing]);
      return { ...evidence, verdict: run.exitCode === 0 ? 'passed' : 'failed', reason: run.exitCode === 0 ? 'The suite passes before the run.' : 'Some tests fail before the run; they will not block steps.' };
    });
  }

  /** Verifies base + landed + `changes` (the run's staged state with this step's edits). */
  async verify(changes: readonly StagedChange[], testFiles: readonly string[] = []): Promise<TestEvidence> {
    return this.serial(async () => {
      if (this.command === undefined) return this.unverified();
      const narrow = testFiles.length > 0 && this.detected !== undefined && this.options.command === undefined ? narrowCommand(this.detected, testFiles) : undefined;
      const run = await this.run(changes, narrow ?? this.command);
      if (run === undefined) return this.unverified();
      return this.judge(run, parseTestOutput(run.output, this.detected?.runner));
    });
  }

  /** Changes now in the user's files: later verifications build on them. */
  recordLanded(changes: readonly StagedChange[]): void {
    for (const change of changes) this.landed.set(change.path, change);
  }

  async dispose(): Promise<void> {
    await this.queue.catch(() => undefined);
    // A copy prepared but never used is removed too.
    const isolated = this.isolated ?? (await this.isolating?.catch(() => undefined));
    this.isolating = undefined;
    this.isolated = undefined;
    await isolated?.dispose();
    // Prepared ahead but never used (no command after all, or no verification ran).
    const prepared = this.prepared;
    this.prepared = undefined;
    await (await prepared)?.discard().catch(() => undefined);
  }

  private judge(run: ProcessResult & { command: string }, summary: TestSummary): TestEvidence {
    const baseline = this.baseline;
    const failing = summary.failures.map((failure) => failure.name);
    const preexisting = failing.filter((name) => baseline?.failing.has(name) === true);
    const fresh = failing.filter((name) => baseline?.failing.has(name) !== true);
    const evidence = this.evidence(run, summary, fresh, preexisting);
    if (run.cancelled) return { ...evidence, verdict: 'failed', reason: 'The verification was cancelled.' };
    if (run.timedOut) return { ...evidence, verdict: 'failed', reason: `The tests did not finish within ${Math.round(this.options.timeoutMs / 1000)} s and were stopped.` };
    if (run.exitCode === 0) {
      if (summary.total === 0 && (baseline?.total ?? 0) > 0) return { ...evidence, verdict: 'failed', reason: 'No tests ran, though the suite has tests: that is not a pass.' };
      if (summary.total === 0) return { ...evidence, verdict: 'unverified', reason: 'The command ran no tests: the project has none to prove this step.' };
      return { ...evidence, verdict: 'passed', reason: `The tests pass (exit code 0${summary.passed !== undefined ? `, ${summary.passed} passed` : ''}).` };
    }
    if (failing.length > 0 && fresh.length === 0) {
      return { ...evidence, verdict: 'passed', reason: `Only tests that failed before the run fail: ${preexisting.join(', ')}.` };
    }
    if (failing.length === 0 && baseline !== undefined && baseline.exitCode === run.exitCode && baseline.failing.size === 0 && baseline.exitCode !== 0) {
      return { ...evidence, verdict: 'passed', reason: `The suite fails the same way it did before the run (exit code ${String(run.exitCode)}).` };
    }
    return { ...evidence, verdict: 'failed', reason: fresh.length > 0 ? `New failures: ${fresh.join(', ')}.` : `The tests failed (exit code ${String(run.exitCode)}).` };
  }

  private evidence(run: ProcessResult & { command: string }, summary: TestSummary, fresh: readonly string[], preexisting: readonly string[]): TestEvidence {
    return {
      verdict: 'failed',
      reason: '',
      command: run.command,
      exitCode: run.exitCode,
      ...(summary.passed !== undefined ? { passed: summary.passed } : {}),
      ...(summary.failed !== undefined ? { failed: summary.failed } : {}),
      ...(summary.skipped !== undefined ? { skipped: summary.skipped } : {}),
      ...(summary.total !== undefined ? { total: summary.total } : {}),
      durationMs: run.durationMs,
      excerpt: run.exitCode === 0 ? run.output.slice(-1500) : excerptFailure(run.output, summary),
      newFailures: [...fresh],
      preexistingFailures: [...preexisting],
      locations: summary.failures.flatMap((failure) =>
        failure.file === undefined ? [] : [{ name: failure.name, file: failure.file, ...(failure.line !== undefined ? { line: failure.line } : {}), ...(failure.message !== undefined ? { message: failure.message } : {}) }],
      ),
    };
  }

  private unverified(): TestEvidence {
    return { verdict: 'unverified', reason: this.describeCommand(), command: null, exitCode: null, durationMs: 0, excerpt: '', newFailures: [], preexistingFailures: [], locations: [] };
  }

  private async run(changes: readonly StagedChange[], command: string | undefined): Promise<(ProcessResult & { command: string }) | undefined> {
    if (command === undefined) return undefined;
    try {
      this.isolated ??= await this.isolation();
    } catch (error) {
      // The next verification tries again.
      this.isolating = undefined;
      throw error;
    }
    const merged = new Map(this.landed);
    for (const change of changes) merged.set(change.path, change);
    await this.isolated.reset();
    await this.isolated.apply([...merged.values()]);
    const result = await runProcess({ command, cwd: this.isolated.path, timeoutMs: this.options.timeoutMs, signal: this.options.signal });
    return { ...result, command };
  }

  private serial<T>(work: () => Promise<T>): Promise<T> {
    const next = this.queue.then(work, work);
    this.queue = next.catch(() => undefined);
    return next;
  }
}
