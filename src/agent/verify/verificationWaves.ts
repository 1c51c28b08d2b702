import type { TestEvidence, TestRun } from '../../protocol/testEvidence';
import type { StagedChange } from '../workspace/stagedWorkspace';
import type { CopyLease } from './copyPool';

/**
 * Waves: the full suite runs once for the steps whose related runs finished together, not once per
 * step. A step enters when it starts verification and, after its related tests passed (or when it
 * has none worth running), waits for a wave. A wave starts when no step is still in its related run
 * (the steps finishing together all join) and a copy is free; the steps that wait by the time the
 * copy is theirs make up the wave. Steps whose workers are still working (`expect`) hold a wave
 * back for a short window (`coalesceMs`, from the first waiting step's arrival): parallel steps that
 * finish moments apart then share a run instead of each taking one. The window is short beside a
 * suite run, so a sibling that works on for minutes delays the wave by the window at most.
 *
 * The wave's full run holds the staged work plus every member's changes (members never own the same
 * file). It passes: each member is verified by it. It fails with one member: that is its verdict.
 * It fails with several: the suite runs again per member (in parallel copies), each with the staged
 * work plus only its own changes, and each gets its own verdict. When members pass alone (and the
 * rest fail alone), the ones that pass are run together once more; if that fails too, or no member
 * fails alone at all, the failure is an interaction: the first member (by step id, numerically: plan order) is
 * verified by its own passing run, and every other is failed with the combined run's output and the
 * names of the steps it breaks with, so it is fixed on top of what was verified (its next
 * verification builds on the first one's staged changes).
 */

/** A full-suite run and its verdict. */
export interface JudgedRun {
  readonly evidence: TestEvidence;
  readonly run: TestRun;
}

/** What the waves need from the verifier. */
export interface WaveRunner {
  /** A free copy, waiting for one. */
  acquire(): Promise<CopyLease>;
  /** The full suite on `changes` (in `lease` when given, released after), judged with `removesTests`, for `steps`. */
  full(lease: CopyLease | undefined, changes: readonly StagedChange[], removesTests: readonly string[], steps: readonly string[]): Promise<JudgedRun>;
  /** How long a wave may wait for expected steps, in ms; absent: it never waits. */
  coalesceMs?(): number;
}

export interface WaveRequest {
  readonly stepId: string;
  /** The staged work of finished (and landed) steps this step builds on. */
  readonly base: readonly StagedChange[];
  /** The step's own changes. */
  readonly own: readonly StagedChange[];
  readonly removesTests: readonly string[];
  /** The runs behind it so far (its related run). */
  readonly runs: readonly TestRun[];
}

/** A step in verification; `submit` when it is ready for the full suite, or `leave` (its related run failed it). */
export interface WaveTicket {
  submit(request: WaveRequest): Promise<TestEvidence>;
  leave(): void;
}

interface Waiting {
  readonly request: WaveRequest;
  readonly resolve: (evidence: TestEvidence) => void;
  readonly reject: (error: unknown) => void;
}

export class VerificationWaves {
  #open = 0;
  #waiting: Waiting[] = [];
  #forming = false;
  /** Steps whose workers work: a wave waits a moment for them. */
  readonly #expected = new Set<string>();
  /** When the oldest waiting step arrived (performance.now()), for the coalescing window. */
  #firstWaitingAt: number | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;
  /** Full runs so far (waves and attribution runs), for tests and the bench. */
  fullRuns = 0;

  constructor(private readonly runner: WaveRunner) {}

  /**
   * A step's worker started: a wave ready to start waits up to the coalescing window for it to
   * enter. The returned function withdraws it (the step ended without a verdict to ask for).
   */
  expect(stepId: string): () => void {
    this.#expected.add(stepId);
    return () => {
      if (this.#expected.delete(stepId)) this.#pump();
    };
  }

  /** A step starts its verification: no wave starts while it may still join. */
  enter(stepId?: string): WaveTicket {
    if (stepId !== undefined) this.#expected.delete(stepId);
    this.#open++;
    let closed = false;
    const close = (): void => {
      if (closed) return;
      closed = true;
      this.#open--;
    };
    return {
      submit: (request) => {
        this.#firstWaitingAt ??= performance.now();
        const result = new Promise<TestEvidence>((resolve, reject) => this.#waiting.push({ request, resolve, reject }));
        close();
        this.#pump();
        return result;
      },
      leave: () => {
        close();
        this.#pump();
      },
    };
  }

  #pump(): void {
    if (this.#forming || this.#open > 0 || this.#waiting.length === 0) return;
    const holdFor = this.#holdFor();
    if (holdFor > 0) {
      if (this.#timer === undefined) {
        this.#timer = setTimeout(() => {
          this.#timer = undefined;
          this.#pump();
        }, holdFor);
      }
      return;
    }
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#forming = true;
    void this.runner.acquire().then(
      (lease) => {
        this.#forming = false;
        // In plan order as step ids go (s1, s2, … s10): the order an interaction is resolved in.
        this.#firstWaitingAt = undefined;
        const wave = this.#waiting.splice(0).sort((one, other) => one.request.stepId.localeCompare(other.request.stepId, 'en', { numeric: true }));
        if (wave.length === 0) lease.release();
        else void this.#run(wave, lease);
        this.#pump();
      },
      (error: unknown) => {
        this.#forming = false;
        for (const waiting of this.#waiting.splice(0)) waiting.reject(error);
      },
    );
  }

  /** How much longer a wave waits for expected steps: 0 when none is expected or the window has passed. */
  #holdFor(): number {
    if (this.#expected.size === 0 || this.#firstWaitingAt === undefined) return 0;
    const window = this.runner.coalesceMs?.() ?? 0;
    return Math.max(0, Math.ceil(this.#firstWaitingAt + window - performance.now()));
  }

  async #run(wave: readonly Waiting[], lease: CopyLease): Promise<void> {
    try {
      const verdicts = await this.#verdicts(wave.map((waiting) => waiting.request), lease);
      wave.forEach((waiting, index) => {
        const verdict = verdicts[index];
        if (verdict !== undefined) waiting.resolve(verdict);
        else waiting.reject(new Error('A wave ended without a verdict for one of its steps.'));
      });
    } catch (error) {
      lease.release();
      for (const waiting of wave) waiting.reject(error);
    }
  }

  async #verdicts(requests: readonly WaveRequest[], lease: CopyLease): Promise<TestEvidence[]> {
    const steps = requests.map((request) => request.stepId);
    const together = await this.#full(lease, requests);
    if (together.evidence.verdict !== 'failed' || requests.length === 1) return requests.map((request) => withRuns(together.evidence, [...request.runs, together.run]));
    // Which step broke it: each alone, in parallel copies.
    const alone = await Promise.all(requests.map((request) => this.#full(undefined, [request])));
    const passing = requests.filter((_, index) => alone[index]?.evidence.verdict !== 'failed');
    const failingAlone = passing.length < requests.length;
    // Members that pass alone are checked together once more (when the whole wave was not just that).
    const passingTogether = failingAlone && passing.length > 1 ? await this.#full(undefined, passing) : undefined;
    const first = passing[0];
    return requests.map((request, index) => {
      const own = alone[index] as JudgedRun;
      const runs = [...request.runs, together.run, own.run];
      const others = steps.filter((id) => id !== request.stepId);
      if (own.evidence.verdict === 'failed') {
        return withRuns({ ...own.evidence, reason: `The full suite failed with ${steps.join(', ')} together, and with ${request.stepId} alone on the staged work: ${own.evidence.reason}` }, runs);
      }
      if (passingTogether === undefined && failingAlone) return withRuns(own.evidence, runs);
      if (passingTogether !== undefined && passingTogether.evidence.verdict !== 'failed') return withRuns(passingTogether.evidence, [...runs, passingTogether.run]);
      if (request === first) return withRuns(own.evidence, runs);
      // An interaction: it passes alone, and fails only beside the others.
      const combined = passingTogether ?? together;
      const partners = passingTogether !== undefined ? passing.map((other) => other.stepId).filter((id) => id !== request.stepId) : others;
      return withRuns(
        {
          ...combined.evidence,
          reason:
            `The full suite passes with ${request.stepId} alone but fails with ${partners.join(', ')} beside it: the steps' changes interact. ` +
            `${first?.stepId ?? 'The first step'} was verified on its own run; fix ${request.stepId} so it works with those changes (its next verification includes them). ${combined.evidence.reason}`,
        },
        [...runs, ...(passingTogether !== undefined ? [passingTogether.run] : [])],
      );
    });
  }

  /** One full run of the staged work (the latest any member saw) plus the members' own changes. */
  #full(lease: CopyLease | undefined, members: readonly WaveRequest[]): Promise<JudgedRun> {
    this.fullRuns++;
    const merged = new Map<string, StagedChange>();
    for (const change of members[members.length - 1]?.base ?? []) merged.set(change.path, change);
    for (const member of members) for (const change of member.own) merged.set(change.path, change);
    const removes = [...new Set(members.flatMap((member) => member.removesTests))];
    return this.runner.full(lease, [...merged.values()], removes, members.map((member) => member.stepId));
  }
}

/** The evidence with the runs behind it. */
function withRuns(evidence: TestEvidence, runs: readonly TestRun[]): TestEvidence {
  return { ...evidence, runs: [...runs] };
}
