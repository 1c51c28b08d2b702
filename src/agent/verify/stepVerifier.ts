import type { StagedChange } from '../workspace/stagedWorkspace';
import { detectTestCommand, narrowCommand, type DetectedCommand } from './detectTestCommand';
import type { RepoInfo } from './isolationGit';
import { cleanupStaleIsolations, createIsolatedWorkspace, prepareIsolation, type IsolatedWorkspace, type PreparedIsolation } from './isolatedWorkspace';
import { compareWithBaseline, showsTests, type Comparison } from './baselineComparison';
import { withNamingReporter } from './namingReporter';
import { excerptFailure, parseTestOutput, plainText, type TestSummary } from './parseTestOutput';
import type { ProcessResult } from './processRunner';
import { detectSandbox } from '../sandbox/detectSandbox';
import { ExecutionGate } from '../sandbox/executionGate';
import { runConfined } from '../sandbox/runConfined';
import { defaultSandboxSettings, type SandboxSettings } from '../sandbox/sandboxPolicy';
import { describeCounts, type TestCounts, type TestEvidence } from '../../protocol/testEvidence';

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
  /** Decides how test runs are confined (the run's, which asks once where there is no sandbox); default: this machine's sandbox, refusing without one. */
  readonly gate?: ExecutionGate;
  /** `plumbline.sandbox.*`. */
  readonly sandbox?: SandboxSettings;
  /**
   * A run of only the step's test files comes first (to fail fast) when the whole suite took at
   * least this long before the run; a faster suite is run whole at once (a pass needs it anyway).
   * Default 2000 ms; 0 always narrows first.
   */
  readonly narrowWhenSuiteTakesMs?: number;
}

/** What a plan step declares about the tests it changes. */
export interface StepDeclarations {
  /** Tests the step removes or renames (the plan step's `removesTests`): their absence does not fail it. */
  readonly removesTests?: readonly string[];
}

interface Baseline {
  readonly exitCode: number | null;
  readonly failing: ReadonlySet<string>;
  /** Its counts and the tests it names: what every verification is compared with. */
  readonly summary: TestSummary;
}

/** A finished test run as the verifier reads it. */
type Ran = ProcessResult & { readonly command: string };

/** How many names a reason lists before "and N more". */
const NAMED_IN_REASON = 8;

function listed(names: readonly string[]): string {
  const shown = names.slice(0, NAMED_IN_REASON).join(', ');
  return names.length > NAMED_IN_REASON ? `${shown} and ${names.length - NAMED_IN_REASON} more` : shown;
}

/** What a run showed, for a reason: `4 passed of 4`, or `tests`. */
function describeShown(summary: TestSummary): string {
  return describeCounts(countsOf(summary)) || 'tests';
}

function countsOf(summary: TestSummary): TestCounts {
  const { passed, failed, skipped, total } = summary;
  return { ...(passed !== undefined ? { passed } : {}), ...(failed !== undefined ? { failed } : {}), ...(skipped !== undefined ? { skipped } : {}), ...(total !== undefined ? { total } : {}) };
}

/**
 * Runs the project's tests on a step's increment in an isolated copy of the workspace and decides
 * the verdict from the exit status, compared with a baseline run before the first step: tests that
 * already failed are reported but do not block, and a test that passed then and does not run now
 * (removed, skipped, its file exited early, the runner stopped) fails the step unless the step
 * declares it removes it. A pass must show tests: output that shows none is `unverified`. Only a
 * full-suite run can pass a step; a run narrowed to the step's test files can only fail it sooner.
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

  /** The full suite's command as run: when the harness chose it, with the runner's flags that name every test. */
  private get fullCommand(): string | undefined {
    if (this.command === undefined || this.options.command !== undefined || this.detected === undefined) return this.command;
    return withNamingReporter(this.detected.runner, this.command);
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
      const run = await this.run(restore, this.fullCommand, 'baseline');
      if (run === undefined) return this.unverified();
      const summary = this.read(run);
      this.baseline = { exitCode: run.exitCode, failing: new Set(summary.failures.map((failure) => failure.name)), summary };
      this.suiteMs = run.durationMs;
      const evidence = this.evidence(run, summary, [], [...this.baseline.failing]);
      if (run.exitCode === 0 && !showsTests(summary)) {
        return { ...evidence, verdict: 'unverified', reason: 'The suite exits with code 0 before the run, but its output shows no test that ran (a runner Plumbline cannot read, or nothing to run): it cannot prove any step.' };
      }
      return { ...evidence, verdict: run.exitCode === 0 ? 'passed' : 'failed', reason: run.exitCode === 0 ? 'The suite passes before the run.' : 'Some tests fail before the run; they will not block steps.' };
    });
  }

  /**
   * Verifies base + landed + `changes` (the run's staged state with this step's edits). With
   * `testFiles`, a run of only those files first fails the step fast; a pass always comes from the
   * full suite compared with the baseline, less the tests `step` declares it removes.
   */
  async verify(changes: readonly StagedChange[], testFiles: readonly string[] = [], step: StepDeclarations = {}): Promise<TestEvidence> {
    return this.serial(async () => {
      if (this.command === undefined) return this.unverified();
      const confinement = await this.gate.forUnreviewed(this.options.signal);
      if (confinement.kind === 'withheld') return { ...this.unverified(), reason: confinement.reason };
      // Narrowing pays only when the whole suite is slow: a pass needs the full suite anyway.
      const worthNarrowing = (this.suiteMs ?? Number.POSITIVE_INFINITY) >= (this.options.narrowWhenSuiteTakesMs ?? 2000);
      const narrow = worthNarrowing && testFiles.length > 0 && this.detected !== undefined && this.options.command === undefined ? narrowCommand(this.detected, testFiles) : undefined;
      if (narrow !== undefined) {
        const failedFast = await this.runNarrowed(changes, narrow);
        if (failedFast !== undefined) return failedFast;
      }
      const run = await this.run(changes, this.fullCommand);
      if (run === undefined) return this.unverified();
      return withTampering(this.judge(run, this.read(run), { removesTests: step.removesTests ?? [] }), run.tampered);
    });
  }

  /**
   * Verifies what the user accepted and landed (base + landed): for a run that could not verify
   * before the review (no sandbox, and the user chose to review first), or after the user accepted
   * only part of a verified change. The user's yes came first, so it runs as the baseline does,
   * sandboxed where there is a sandbox. `landed` declares the tests the landed steps removed or
   * renamed (the union of their `removesTests`); `rebase` makes a failing result the new baseline.
   */
  async verifyLanded(landed: StepDeclarations = {}, options: { readonly rebase?: boolean } = {}): Promise<TestEvidence> {
    return this.serial(async () => {
      const run = await this.run([], this.fullCommand, 'baseline');
      if (run === undefined) return this.unverified();
      const summary = this.read(run);
      const evidence = withTampering(this.judge(run, summary, { removesTests: landed.removesTests ?? [] }), run.tampered);
      // The user chose to land a state that fails: later steps are compared with it, so the
      // failures it brought are reported to them as already there, not blamed on them.
      if (options.rebase === true && evidence.verdict === 'failed' && this.baseline !== undefined) {
        this.baseline = { exitCode: run.exitCode, failing: new Set([...this.baseline.failing, ...summary.failures.map((failure) => failure.name)]), summary };
      }
      return evidence;
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

  /** A run of only the step's test files: its evidence when it fails the step (new failures, a timeout); undefined to go on to the full suite. */
  private async runNarrowed(changes: readonly StagedChange[], command: string): Promise<TestEvidence | undefined> {
    const run = await this.run(changes, command);
    if (run === undefined) return undefined;
    // Compared with the baseline it would miss every test outside its files: only its failures count.
    const evidence = this.judge(run, this.read(run), undefined);
    return run.cancelled || run.timedOut || (evidence.verdict === 'failed' && evidence.newFailures.length > 0) ? evidence : undefined;
  }

  /** The run's summary, file names relative to the copy (node names a file it ran as one test by its absolute path). */
  private read(run: Ran): TestSummary {
    const summary = parseTestOutput(run.output, this.detected?.runner);
    if (this.isolated !== undefined) this.roots.add(this.isolated.path);
    const roots = [...this.roots, this.options.root];
    const relative = (path: string): string => {
      const root = roots.find((candidate) => path.startsWith(`${candidate}/`) || path.startsWith(`${candidate}\\`));
      return root === undefined ? path : path.slice(root.length + 1).replace(/\\/g, '/');
    };
    const tests = summary.tests?.map((test) => ({ ...test, name: relative(test.name), ...(test.file !== undefined ? { file: relative(test.file) } : {}) }));
    return { ...summary, failures: summary.failures.map((failure) => ({ ...failure, name: relative(failure.name) })), ...(tests !== undefined ? { tests } : {}) };
  }

  private readonly roots = new Set<string>();

  /** `step` undefined: a narrowed run, not compared with the baseline. */
  private judge(run: Ran, summary: TestSummary, step: StepDeclarations | undefined): TestEvidence {
    const baseline = this.baseline;
    const failing = summary.failures.map((failure) => failure.name);
    const preexisting = failing.filter((name) => baseline?.failing.has(name) === true);
    const fresh = failing.filter((name) => baseline?.failing.has(name) !== true);
    const comparison = step !== undefined && baseline !== undefined && showsTests(baseline.summary) ? compareWithBaseline(baseline.summary, summary, step.removesTests) : undefined;
    const evidence = this.evidence(run, summary, fresh, preexisting, comparison);
    if (run.cancelled) return { ...evidence, verdict: 'failed', reason: 'The verification was cancelled.' };
    if (run.timedOut) return { ...evidence, verdict: 'failed', reason: `The tests did not finish within ${Math.round(this.options.timeoutMs / 1000)} s and were stopped.` };
    if (run.exitCode === 0) return this.earned(evidence, summary, comparison, `The tests pass (exit code 0${summary.passed !== undefined ? `, ${summary.passed} passed` : ''}).`);
    if (failing.length > 0 && fresh.length === 0) return this.earned(evidence, summary, comparison, `Only tests that failed before the run fail: ${listed(preexisting)}.`);
    if (failing.length === 0 && baseline !== undefined && baseline.exitCode === run.exitCode && baseline.failing.size === 0 && baseline.exitCode !== 0) {
      return this.earned(evidence, summary, comparison, `The suite fails the same way it did before the run (exit code ${String(run.exitCode)}).`);
    }
    return { ...evidence, verdict: 'failed', reason: fresh.length > 0 ? `New failures: ${listed(fresh)}.` : `The tests failed (exit code ${String(run.exitCode)}).` };
  }

  /**
   * A run whose exit status would pass the step passes only if its output shows tests and every test
   * that passed in the baseline still ran (or the step declared it removes it).
   */
  private earned(evidence: TestEvidence, summary: TestSummary, comparison: Comparison | undefined, passing: string): TestEvidence {
    const before = this.baseline?.summary;
    const ranBefore = before !== undefined && showsTests(before) && before.total !== 0;
    const failed = (reason: string): TestEvidence => ({ ...evidence, verdict: 'failed', reason });
    if (comparison !== undefined && comparison.missing.length > 0) {
      const count = comparison.missing.length;
      return failed(
        `${count} ${count === 1 ? 'test that passed before the run no longer runs' : 'tests that passed before the run no longer run'}: ${listed(comparison.missing)}. ` +
          'Removed, skipped, or their file or the runner stopped early: that is not a pass. A step that removes or renames tests must say so in its plan (removes_tests).',
      );
    }
    if (summary.total === 0) {
      if (ranBefore) return failed('No tests ran, though the suite has tests: that is not a pass.');
      return { ...evidence, verdict: 'unverified', reason: 'The command ran no tests: the project has none to prove this step.' };
    }
    if (!showsTests(summary)) {
      if (ranBefore) return failed(`The output shows no test that ran, though it showed ${describeShown(before)} before the run: the runner may have stopped early. That is not a pass.`);
      return {
        ...evidence,
        verdict: 'unverified',
        reason: `The command ended with exit code ${String(evidence.exitCode)}, but its output shows no test that ran (a runner Plumbline cannot read, or one that ran nothing, like a make target that was up to date): nothing proves this step.`,
      };
    }
    const drop = comparison?.countDrop;
    if (drop !== undefined) {
      const now = drop.what === 'passed' ? (drop.after === 1 ? 'test passes' : 'tests pass') : drop.after === 1 ? 'test ran' : 'tests ran';
      return failed(`Only ${drop.after} ${now} where ${drop.before} ${drop.what === 'passed' ? 'passed' : 'ran'} before the run, and the output does not name the missing ones: that is not a pass.`);
    }
    const removed = comparison !== undefined && comparison.removed.length > 0 ? ` Gone as the step declares (removed or renamed): ${listed(comparison.removed)}.` : '';
    return { ...evidence, verdict: 'passed', reason: `${passing}${removed}` };
  }

  private evidence(run: Ran, summary: TestSummary, fresh: readonly string[], preexisting: readonly string[], comparison?: Comparison): TestEvidence {
    const baseline = this.baseline;
    return {
      verdict: 'failed',
      reason: '',
      command: run.command,
      exitCode: run.exitCode,
      ...countsOf(summary),
      durationMs: run.durationMs,
      excerpt: run.exitCode === 0 ? plainText(run.output).slice(-1500) : excerptFailure(run.output, summary),
      newFailures: [...fresh],
      preexistingFailures: [...preexisting],
      locations: summary.failures.flatMap((failure) =>
        failure.file === undefined ? [] : [{ name: failure.name, file: failure.file, ...(failure.line !== undefined ? { line: failure.line } : {}), ...(failure.message !== undefined ? { message: failure.message } : {}) }],
      ),
      ...(comparison !== undefined && baseline !== undefined ? { baseline: countsOf(baseline.summary), missingTests: comparison.missing, removedTests: comparison.removed } : {}),
    };
  }

  private unverified(): TestEvidence {
    return { verdict: 'unverified', reason: this.describeCommand(), command: null, exitCode: null, durationMs: 0, excerpt: '', newFailures: [], preexistingFailures: [], locations: [] };
  }

  private get gate(): ExecutionGate {
    this.fallbackGate ??= this.options.gate ?? new ExecutionGate({ availability: detectSandbox() });
    return this.fallbackGate;
  }

  private fallbackGate: ExecutionGate | undefined;

  /** How long the whole suite took before the run (the baseline): decides whether narrowing pays. */
  private suiteMs: number | undefined;

  /**
   * Runs `command` on base + landed + `changes` in the copy, confined as the gate says (the
   * baseline is the user's own code; anything else is content nobody has reviewed). Afterwards
   * what the run added to the copy is removed, and a copy whose earlier files the run changed is
   * replaced before the next run, so no test run can leave something behind for a later verdict.
   */
  private async run(changes: readonly StagedChange[], command: string | undefined, purpose: 'baseline' | 'unreviewed' = 'unreviewed'): Promise<(ProcessResult & { command: string; tampered: readonly string[] }) | undefined> {
    if (command === undefined) return undefined;
    const confinement = purpose === 'baseline' ? await this.gate.forBaseline() : await this.gate.forUnreviewed(this.options.signal);
    if (confinement.kind === 'withheld') return undefined;
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
    await this.isolated.watch();
    const result = await runConfined({ command, layout: await this.isolated.layout(), confinement, settings: this.options.sandbox ?? defaultSandboxSettings, timeoutMs: this.options.timeoutMs, signal: this.options.signal });
    const swept = await this.isolated.sweep();
    if (swept.tampered.length > 0 || swept.snapshot === undefined) {
      const spoiled = this.isolated;
      this.isolated = undefined;
      this.isolating = undefined;
      await spoiled.dispose();
    }
    return { ...result, command, tampered: swept.tampered };
  }

  private serial<T>(work: () => Promise<T>): Promise<T> {
    const next = this.queue.then(work, work);
    this.queue = next.catch(() => undefined);
    return next;
  }
}

/** Test files, their fixtures and their runners' set-up, by the names the common runners use. */
const TEST_PATH = /(^|\/)(tests?|__tests__|spec|__snapshots__|__fixtures__)\/|\.(test|spec)\.[cm]?[jt]sx?$|_test\.(go|py)$|(^|\/)test_[^/]*\.py$|(^|\/)conftest\.py$|(^|\/)(jest|vitest|mocha|karma|ava|playwright|cypress)\.config\.|(^|\/)\.mocharc|(^|\/)(pytest\.ini|tox\.ini|setup\.cfg|package\.json|Makefile)$/;

/**
 * A test run that rewrote test files already in the copy (not the step's own, which the harness
 * writes) could make other tests pass whatever they check: such a verdict is not earned.
 */
export function withTampering(evidence: TestEvidence, tampered: readonly string[]): TestEvidence {
  if (tampered.length === 0) return evidence;
  const tests = tampered.filter((path) => TEST_PATH.test(path));
  const listed = (paths: readonly string[]): string => `${paths.slice(0, 5).join(', ')}${paths.length > 5 ? ` and ${paths.length - 5} more` : ''}`;
  if (tests.length > 0) {
    return { ...evidence, verdict: 'failed', reason: `The test run rewrote test files the step does not own (${listed(tests)}): a verdict that depends on that is not a pass.` };
  }
  return { ...evidence, reason: `${evidence.reason} The run changed files already in the copy (${listed(tampered)}); the next verification starts from a fresh copy.` };
}
