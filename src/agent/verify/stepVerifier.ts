import { availableParallelism } from 'node:os';
import type { StagedChange } from '../workspace/stagedWorkspace';
import { detectTestCommand, type DetectedCommand } from './detectTestCommand';
import type { RepoInfo } from './isolationGit';
import { cleanupStaleIsolations, prepareIsolation, type PreparedIsolation } from './isolatedWorkspace';
import { baselineKey, type BaselineCache } from './baselineCache';
import { showsTests } from './baselineComparison';
import { CopyPool, type CopyLease, type PooledRun } from './copyPool';
import { withNamingReporter } from './namingReporter';
import { parseTestOutput, type TestSummary } from './parseTestOutput';
import { relatedTestsCommand } from './relatedTests';
import { evidenceOf, judge, withTampering, type Baseline } from './verdict';
import { VerificationWaves, type JudgedRun } from './verificationWaves';
import { detectSandbox } from '../sandbox/detectSandbox';
import { ExecutionGate } from '../sandbox/executionGate';
import type { Confinement } from '../sandbox/runConfined';
import { defaultSandboxSettings, type SandboxSettings } from '../sandbox/sandboxPolicy';
import type { TestEvidence, TestRun } from '../../protocol/testEvidence';

export { withTampering } from './verdict';

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
   * A run of the step's related tests comes first (to fail fast) when the whole suite is known to
   * take at least this long (the baseline took it, or has been running that long) and the related
   * tests are not most of the suite; otherwise the suite runs whole at once (a pass needs it
   * anyway). Default 2000 ms; 0 always narrows first.
   */
  readonly narrowWhenSuiteTakesMs?: number;
  /** Copies, and so test runs, at once (`plumbline.verification.parallel`); default: this machine's cores. */
  readonly parallel?: number;
  /** Where baselines are kept between runs (the user's cache folder); absent: every baseline runs. */
  readonly baselineCache?: BaselineCache;
}

/** What the fix loop says about the step being verified. */
export interface StepDeclarations {
  /** The plan step's id: named in the evidence's runs and in a wave's verdicts. */
  readonly stepId?: string;
  /** The paths the step itself changed; the rest of the changes is the staged work it builds on. Absent: all of them. */
  readonly ownPaths?: readonly string[];
  /** The plan step's `verify` line: tests it names run first. */
  readonly verifyLine?: string;
  /** Tests the step removes or renames (the plan step's `removesTests`): their absence does not fail it. */
  readonly removesTests?: readonly string[];
}

/**
 * Runs the project's tests on steps' increments in isolated copies of the workspace and decides
 * the verdicts from exit statuses, compared with a baseline (`verdict.ts`): tests that already
 * failed are reported but do not block, a test that passed then and does not run now fails the
 * step unless it declares it removes it, and a pass must show tests.
 *
 * Scheduled like the plan: the baseline starts as soon as it is asked for (while the orchestrator
 * plans) and only verdicts wait for it; a baseline kept for the same tree, command and lock files
 * is reused (`baselineCache.ts`). Each step first runs its related tests (when the suite is slow
 * enough for that to pay), which can only fail it; then it joins a wave (`verificationWaves.ts`):
 * one full-suite run for the steps that got there together, which is what verifies them. Test runs
 * go to a pool of copies (`copyPool.ts`), as many at once as `parallel`.
 */
export class StepVerifier {
  readonly #pool: CopyPool;
  readonly #waves: VerificationWaves;
  readonly #controller = new AbortController();
  #baseline: Promise<Baseline | undefined> | undefined;
  /** How long the whole suite took (the baseline): decides whether a related run pays. */
  #suiteMs: number | undefined;
  /** When the baseline started (performance.now()), while its duration is not known yet. */
  #baselineStartedAt: number | undefined;
  readonly #landed = new Map<string, StagedChange>();
  #unnamed = 0;

  private constructor(
    private readonly options: VerifierOptions,
    readonly detected: DetectedCommand | undefined,
    readonly command: string | undefined,
  ) {
    const signal = AbortSignal.any([options.signal, this.#controller.signal]);
    this.#pool = new CopyPool({
      isolation: { root: options.root, ...(options.buffers !== undefined ? { buffers: options.buffers } : {}) },
      size: options.parallel ?? availableParallelism(),
      ...(options.prepared !== undefined ? { prepared: options.prepared } : {}),
      sandbox: options.sandbox ?? defaultSandboxSettings,
      timeoutMs: options.timeoutMs,
      signal,
    });
    this.#waves = new VerificationWaves({
      acquire: () => this.#pool.acquire(),
      full: (lease, changes, removes, steps) => this.#full(lease, changes, removes, steps),
      coalesceMs: () => coalescingWindowMs(this.#suiteMs),
    });
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
   * A step's worker has started: a wave about to start waits a short while for it (see
   * `VerificationWaves.expect`), so steps that finish together share one full run. Call the
   * returned function if the step ends without asking for a verdict.
   */
  expect(stepId: string): () => void {
    return this.#waves.expect(stepId);
  }

  /** Full-suite runs so far (waves and the runs that attribute a failed wave), not the baseline. */
  get fullRuns(): number {
    return this.#waves.fullRuns;
  }

  /**
   * Starts making the first copy now, so the first test run need not wait for it; the copy holds
   * the workspace as it is at this call. Does nothing without a command.
   */
  prepare(): void {
    if (this.command === undefined) return;
    this.#pool.warmUp();
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

  /**
   * Runs the suite on the workspace as it was before the run (or takes the one kept for the same
   * tree, command and lock files, then `cachedFrom` says when it ran). Verdicts asked for meanwhile
   * wait for it; nothing else does. `restore` puts back pre-run bytes of files the run already
   * landed (a resumed run whose apply was interrupted), for this run only (never cached).
   */
  runBaseline(restore: readonly StagedChange[] = []): Promise<TestEvidence> {
    const taking = this.#takeBaseline(restore);
    // A baseline that could not be taken fails the verdicts waiting for it, as it fails the run.
    this.#baseline = taking.then((taken) => taken.baseline);
    this.#baseline.catch(() => undefined);
    return taking.then((taken) => taken.evidence);
  }

  async #takeBaseline(restore: readonly StagedChange[]): Promise<{ baseline: Baseline | undefined; evidence: TestEvidence }> {
    const command = this.fullCommand;
    if (command === undefined) return { baseline: undefined, evidence: this.unverified() };
    const confinement = await this.gate.forBaseline();
    const cache = restore.length === 0 ? this.options.baselineCache : undefined;
    this.#baselineStartedAt = performance.now();
    const lease = await this.#pool.acquire();
    let run: PooledRun;
    let key: string | undefined;
    try {
      const path = await lease.stage(this.#withLanded(restore));
      key = cache !== undefined ? await baselineKey(path, this.options.root, command).catch(() => undefined) : undefined;
      const cached = key !== undefined ? await cache?.read(key, command) : undefined;
      if (cached !== undefined) {
        // The caches that baseline's run left (kept only when it was allowed to seed) seed this run's.
        const keptFor = key;
        if (cache !== undefined && keptFor !== undefined && this.#landed.size === 0 && confinement.kind === 'sandbox') await this.#pool.seedWith((folder) => cache.readCaches(keptFor, folder));
        this.#suiteMs = cached.durationMs;
        const baseline = { exitCode: cached.exitCode, failing: new Set(cached.summary.failures.map((failure) => failure.name)), summary: cached.summary };
        return { baseline, evidence: { ...cached.evidence, cachedFrom: cached.createdAt } };
      }
      // Only this run may seed the caches later runs start from: the user's own code, on the tree
      // as it was, sandboxed (unconfined, a step's run going at the same time could write it).
      const seeds = restore.length === 0 && this.#landed.size === 0 && confinement.kind === 'sandbox';
      run = await lease.run(command, confinement, { capture: seeds });
    } finally {
      lease.release();
    }
    if (run.capturedCaches !== undefined) await this.#pool.adoptSeed(run.capturedCaches);
    const summary = this.read(run);
    const baseline = { exitCode: run.exitCode, failing: new Set(summary.failures.map((failure) => failure.name)), summary };
    this.#suiteMs = run.durationMs;
    const evidence = this.#baselineEvidence(run, summary, baseline);
    if (key !== undefined && !run.cancelled && !run.timedOut && run.tampered.length === 0 && run.rewritten.length === 0) {
      await cache?.write(key, command, { exitCode: run.exitCode, durationMs: run.durationMs, summary, evidence });
      if (run.capturedCaches !== undefined) await cache?.writeCaches(key, run.capturedCaches.folder);
    }
    return { baseline, evidence };
  }

  #baselineEvidence(run: PooledRun, summary: TestSummary, baseline: Baseline): TestEvidence {
    const evidence = evidenceOf(run, summary, [], [...baseline.failing], undefined);
    if (run.exitCode === 0 && !showsTests(summary)) {
      return { ...evidence, verdict: 'unverified', reason: 'The suite exits with code 0 before the run, but its output shows no test that ran (a runner Plumbline cannot read, or nothing to run): it cannot prove any step.' };
    }
    return { ...evidence, verdict: run.exitCode === 0 ? 'passed' : 'failed', reason: run.exitCode === 0 ? 'The suite passes before the run.' : 'Some tests fail before the run; they will not block steps.' };
  }

  /**
   * Verifies base + landed + `changes` (the run's staged state with this step's edits): its
   * related tests first (a failure there is the verdict, in seconds), then the full suite in a wave
   * with the steps that got there together. A pass always comes from a full-suite run that held
   * this step, compared with the baseline, less the tests the step declares it removes.
   */
  async verify(changes: readonly StagedChange[], step: StepDeclarations = {}): Promise<TestEvidence> {
    if (this.command === undefined) return this.unverified();
    const confinement = await this.gate.forUnreviewed(this.options.signal);
    if (confinement.kind === 'withheld') return { ...this.unverified(), reason: confinement.reason };
    const stepId = step.stepId ?? `verification ${String(++this.#unnamed)}`;
    const ownPaths = new Set(step.ownPaths ?? changes.map((change) => change.path));
    const own = changes.filter((change) => ownPaths.has(change.path));
    const base = this.#withLanded(changes.filter((change) => !ownPaths.has(change.path)));
    const ticket = this.#waves.enter(stepId);
    let related: { evidence: TestEvidence; run: TestRun } | undefined;
    try {
      related = await this.#related([...base, ...own], own, step, stepId, confinement);
    } catch (error) {
      ticket.leave();
      throw error;
    }
    if (related !== undefined && related.evidence.verdict === 'failed') {
      ticket.leave();
      return { ...related.evidence, runs: [related.run] };
    }
    return ticket.submit({ stepId, base, own, removesTests: step.removesTests ?? [], runs: related !== undefined ? [related.run] : [] });
  }

  /**
   * The step's related tests, when the suite is slow enough for a first run to pay and the runner
   * can be narrowed: failed when they show new failures (or the run timed out or was cancelled),
   * passed otherwise. Undefined: no related run.
   */
  async #related(changes: readonly StagedChange[], own: readonly StagedChange[], step: StepDeclarations, stepId: string, confinement: Confinement): Promise<{ evidence: TestEvidence; run: TestRun } | undefined> {
    // Narrowing pays only when the whole suite is slow: a pass needs the full suite anyway.
    const threshold = this.options.narrowWhenSuiteTakesMs ?? 2000;
    const detected = this.detected;
    // The user's own command runs exactly as configured: it is never narrowed.
    if (!this.#suiteIsSlow(threshold) || detected === undefined || this.options.command !== undefined) return undefined;
    const lease = await this.#pool.acquire();
    let ran: PooledRun;
    let how: string;
    try {
      const copyPath = await lease.stage(changes);
      const chosen = await relatedTestsCommand({ root: copyPath, detected, changedFiles: own.map((change) => change.path), ...(step.verifyLine !== undefined ? { verifyLine: step.verifyLine } : {}), signal: this.options.signal });
      if (chosen === undefined) return undefined;
      // Most of the suite's test files is not a narrower run: it would cost about what the full run
      // costs, before it (a library whose every test imports the changed module).
      if (threshold > 0 && chosen.suiteTests !== undefined && chosen.suiteTests > 0 && chosen.tests.length >= MOST_OF_THE_SUITE * chosen.suiteTests) return undefined;
      how = chosen.how;
      ran = await lease.run(chosen.command, confinement);
    } finally {
      lease.release();
    }
    // Compared with the baseline it would miss every test outside its files: only its failures count.
    const summary = this.read(ran);
    const baseline = summary.failures.length > 0 || ran.exitCode !== 0 ? await this.#baselineReady() : undefined;
    const judged = judge(ran, summary, undefined, baseline, this.options.timeoutMs);
    const evidence = withTampering(judged, ran.tampered, ran.rewritten);
    const tampered = evidence.verdict === 'failed' && judged.verdict !== 'failed';
    const failed = ran.cancelled || ran.timedOut || tampered || (evidence.verdict === 'failed' && evidence.newFailures.length > 0);
    return { evidence: { ...evidence, verdict: failed ? 'failed' : 'passed' }, run: testRun('related', [stepId], ran, failed ? 'failed' : 'passed', how) };
  }

  /**
   * Whether the whole suite takes at least `threshold`: the baseline's duration, or while it still
   * runs, the time it has run so far. A step that asks earlier goes straight to its wave: its
   * failure comes back at most `threshold` later than a related run's would, since either verdict
   * waits for the baseline. Without a baseline (none was taken) the suite counts as slow.
   */
  #suiteIsSlow(threshold: number): boolean {
    if (this.#suiteMs !== undefined) return this.#suiteMs >= threshold;
    if (this.#baselineStartedAt === undefined) return true;
    return performance.now() - this.#baselineStartedAt >= threshold;
  }

  /** A full run for the waves: staged work + `changes`, judged against the baseline. */
  async #full(lease: CopyLease | undefined, changes: readonly StagedChange[], removesTests: readonly string[], steps: readonly string[]): Promise<JudgedRun> {
    const command = this.fullCommand;
    const held = lease ?? (await this.#pool.acquire());
    let ran: PooledRun;
    try {
      if (command === undefined) throw new Error('No test command: nothing to verify with.');
      const confinement = await this.gate.forUnreviewed(this.options.signal);
      if (confinement.kind === 'withheld') return { evidence: { ...this.unverified(), reason: confinement.reason }, run: { kind: 'full', steps: [...steps], command, verdict: 'unverified', durationMs: 0 } };
      await held.stage(changes);
      ran = await held.run(command, confinement);
    } finally {
      held.release();
    }
    const baseline = await this.#baselineReady();
    const evidence = withTampering(judge(ran, this.read(ran), removesTests, baseline, this.options.timeoutMs), ran.tampered, ran.rewritten);
    return { evidence, run: testRun('full', steps, ran, evidence.verdict) };
  }

  /**
   * Verifies what the user accepted and landed (base + landed): for a run that could not verify
   * before the review (no sandbox, and the user chose to review first), or after the user accepted
   * only part of a verified change. The user's yes came first, so it runs as the baseline does,
   * sandboxed where there is a sandbox. `landed` declares the tests the landed steps removed or
   * renamed (the union of their `removesTests`); `rebase` makes a failing result the new baseline.
   */
  async verifyLanded(landed: StepDeclarations = {}, options: { readonly rebase?: boolean } = {}): Promise<TestEvidence> {
    const command = this.fullCommand;
    if (command === undefined) return this.unverified();
    const confinement = await this.gate.forBaseline();
    const run = await this.#pool.run(this.#withLanded([]), command, confinement);
    const summary = this.read(run);
    const before = await this.#baselineReady();
    const evidence = withTampering(judge(run, summary, landed.removesTests ?? [], before, this.options.timeoutMs), run.tampered, run.rewritten);
    // The user chose to land a state that fails: later steps are compared with it, so the
    // failures it brought are reported to them as already there, not blamed on them.
    if (options.rebase === true && evidence.verdict === 'failed' && before !== undefined) {
      const rebased: Baseline = { exitCode: run.exitCode, failing: new Set([...before.failing, ...summary.failures.map((failure) => failure.name)]), summary };
      this.#baseline = Promise.resolve(rebased);
    }
    return evidence;
  }

  /** Changes now in the user's files: later verifications build on them. */
  recordLanded(changes: readonly StagedChange[]): void {
    for (const change of changes) this.#landed.set(change.path, change);
  }

  /** Stops test runs still going and removes the copies (and a prepared worktree nothing used). */
  async dispose(): Promise<void> {
    this.#controller.abort();
    await this.#pool.dispose();
  }

  /** Landed changes with `changes` on top. */
  #withLanded(changes: readonly StagedChange[]): StagedChange[] {
    const merged = new Map(this.#landed);
    for (const change of changes) merged.set(change.path, change);
    return [...merged.values()];
  }

  /** The baseline, once it is known; undefined when none was taken (every failure then counts as new). */
  #baselineReady(): Promise<Baseline | undefined> {
    return this.#baseline ?? Promise.resolve(undefined);
  }

  /** The run's summary, file names relative to the copy (node names a file it ran as one test by its absolute path). */
  private read(run: PooledRun): TestSummary {
    const summary = parseTestOutput(run.output, this.detected?.runner);
    const roots = [...this.#pool.paths, this.options.root];
    const relative = (path: string): string => {
      const root = roots.find((candidate) => path.startsWith(`${candidate}/`) || path.startsWith(`${candidate}\\`));
      return root === undefined ? path : path.slice(root.length + 1).replace(/\\/g, '/');
    };
    const tests = summary.tests?.map((test) => ({ ...test, name: relative(test.name), ...(test.file !== undefined ? { file: relative(test.file) } : {}) }));
    return { ...summary, failures: summary.failures.map((failure) => ({ ...failure, name: relative(failure.name) })), ...(tests !== undefined ? { tests } : {}) };
  }

  private unverified(): TestEvidence {
    return { verdict: 'unverified', reason: this.describeCommand(), command: null, exitCode: null, durationMs: 0, excerpt: '', newFailures: [], preexistingFailures: [], locations: [] };
  }

  private get gate(): ExecutionGate {
    this.fallbackGate ??= this.options.gate ?? new ExecutionGate({ availability: detectSandbox() });
    return this.fallbackGate;
  }

  private fallbackGate: ExecutionGate | undefined;
}

/** A related selection holding at least this share of the suite's test files is run as the full suite instead. */
const MOST_OF_THE_SUITE = 0.75;

/**
 * How long a wave ready to start waits for steps whose workers are still working: a quarter of a
 * suite run (what the wait can cost is small beside the full run it can save), between 250 ms and
 * 3 s; 1 s while the suite's duration is not known.
 */
export function coalescingWindowMs(suiteMs: number | undefined): number {
  if (suiteMs === undefined) return 1000;
  return Math.min(3000, Math.max(250, suiteMs / 4));
}

/** A run for the evidence. */
function testRun(kind: TestRun['kind'], steps: readonly string[], ran: PooledRun, verdict: TestRun['verdict'], how?: string): TestRun {
  return { kind, steps: [...steps], command: ran.command, verdict, startedAt: ran.startedAt, durationMs: ran.durationMs, ...(how !== undefined ? { how } : {}) };
}
