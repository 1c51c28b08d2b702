/**
 * In-process runs of the engine: a RunEngine built with a fake host (an in-memory workspace, a
 * scripted model client, answers to the plan and the review given by the test) and, where a test
 * wants verdicts, a fake verifier. No server, no CLI, no test processes; the run keeps its records
 * in a temporary folder that is the workspace's root.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RecoveredRun } from '../../../src/agent/run/journal';
import { RunEngine } from '../../../src/agent/run/runEngine';
import type { RunHost, RunOptions, RunResult, RunVerifier } from '../../../src/agent/run/runHost';
import { planPath, runDir } from '../../../src/agent/run/runStore';
import type { SandboxAvailability } from '../../../src/agent/sandbox/sandboxTypes';
import type { VerifierOptions } from '../../../src/agent/verify/stepVerifier';
import type { StagedChange } from '../../../src/agent/workspace/stagedWorkspace';
import { checkPathSyntax } from '../../../src/agent/workspace/workspacePaths';
import type { ApproveMode, RunEvent } from '../../../src/protocol/run';
import type { TestEvidence } from '../../../src/protocol/testEvidence';
import { MemoryWorkspace } from './memoryWorkspace';
import { ScriptedModel, type ModelScript } from './scriptedModel';

export type EventOf<K extends RunEvent['type']> = Extract<RunEvent, { type: K }>;

/** A sandbox that is never launched: the fake verifier runs nothing, and no test step runs a command. */
export const fakeSandbox: SandboxAvailability = {
  kind: 'bubblewrap',
  description: 'a test double',
  launch: () => Promise.reject(new Error('in-process engine tests launch nothing')),
};

export interface EngineSetup {
  readonly files?: Readonly<Record<string, string>>;
  readonly script: ModelScript;
  readonly task?: string;
  readonly approve?: ApproveMode;
  readonly maxParallel?: number;
  /** Overrides of the run's options (verification, budget, replans…). */
  readonly options?: Partial<RunOptions>;
  /** Overrides of the fake host (approvePlan, review, createVerifier…). */
  readonly host?: Partial<RunHost>;
}

export interface EngineRun {
  readonly root: string;
  readonly runId: string;
  readonly workspace: MemoryWorkspace;
  readonly model: ScriptedModel;
  /** Every event the engine emitted, in order. */
  readonly events: RunEvent[];
  /** What the host was asked to apply, call by call. */
  readonly applied: (readonly StagedChange[])[];
  /** Aborting it is the user's Cancel. */
  readonly controller: AbortController;
  readonly engine: RunEngine;
  run(): Promise<RunResult>;
  of<K extends RunEvent['type']>(type: K): EventOf<K>[];
  /** Resolves with the first event of `type` that matches, already emitted or still to come. */
  waitFor<K extends RunEvent['type']>(type: K, matches?: (event: EventOf<K>) => boolean): Promise<EventOf<K>>;
  planMarkdown(): string;
  journal(): { kind: string }[];
  remove(): void;
}

let runs = 0;

/**
 * A run ready to start. With `resume`, it continues an earlier run from its journal, in the same
 * workspace (the earlier run's files and records), as the server's `resume` does.
 */
export function engineRun(setup: EngineSetup, resume?: { readonly from: EngineRun; readonly recovered: RecoveredRun }): EngineRun {
  const parent = resume?.from.root ?? mkdtempSync(join(tmpdir(), 'plumbline-engine-'));
  const workspace = resume?.from.workspace ?? new MemoryWorkspace(parent, setup.files ?? {});
  const model = new ScriptedModel(setup.script);
  const events: RunEvent[] = [];
  const waiters: { type: RunEvent['type']; matches: (event: RunEvent) => boolean; resolve: (event: RunEvent) => void }[] = [];
  const applied: (readonly StagedChange[])[] = [];
  const controller = new AbortController();
  const runId = resume?.from.runId ?? `engine-test-${String(++runs)}`;
  const host: RunHost = {
    workspace,
    validation: {
      normalizePath: (path) => {
        try {
          return checkPathSyntax(path).join('/');
        } catch (error) {
          return error instanceof Error ? error : new Error(String(error));
        }
      },
    },
    clients: { orchestrator: model.client('orchestrator'), worker: model.client('worker') },
    emit: (event) => {
      events.push(event);
      for (const waiter of [...waiters]) {
        if (waiter.type !== event.type || !waiter.matches(event)) continue;
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(event);
      }
    },
    approvePlan: () => Promise.resolve({ kind: 'approve' }),
    review: (files) => Promise.resolve({ decisions: files.map((file) => ({ path: file.path, hunks: 'all' as const })) }),
    apply: (changes) => {
      applied.push(changes);
      workspace.apply(changes);
      return Promise.resolve();
    },
    sandbox: Promise.resolve(fakeSandbox),
    ...setup.host,
  };
  const options: RunOptions = {
    runId,
    task: setup.task ?? 'The task',
    approve: setup.approve ?? 'auto',
    maxParallel: setup.maxParallel ?? 4,
    budget: { maxCalls: 100 },
    maxOutputTokens: 4096,
    prices: {},
    verification: { timeoutMs: 30_000, maxAttempts: 3 },
    ...setup.options,
  };
  const engine = new RunEngine(options, host, controller.signal, resume?.recovered);
  const of = <K extends RunEvent['type']>(type: K): EventOf<K>[] => events.filter((event): event is EventOf<K> => event.type === type);
  return {
    root: parent,
    runId,
    workspace,
    model,
    events,
    applied,
    controller,
    engine,
    run: () => engine.run(),
    of,
    waitFor: (type, matches = () => true) => {
      const found = of(type).find(matches);
      if (found !== undefined) return Promise.resolve(found);
      return new Promise((resolve) => {
        waiters.push({ type, matches: (event) => matches(event as EventOf<typeof type>), resolve: (event) => resolve(event as EventOf<typeof type>) });
      });
    },
    planMarkdown: () => readFileSync(planPath(parent, runId), 'utf8'),
    journal: () =>
      readFileSync(join(runDir(parent, runId), 'journal.jsonl'), 'utf8')
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => JSON.parse(line) as { kind: string }),
    remove: () => rmSync(parent, { recursive: true, force: true }),
  };
}

/** Evidence as the verifier would give it; only the verdict and the reason vary in these tests. */
export function evidence(verdict: TestEvidence['verdict'], reason: string, extra: Partial<TestEvidence> = {}): TestEvidence {
  return { verdict, reason, command: 'fake test', exitCode: verdict === 'failed' ? 1 : 0, durationMs: 1, excerpt: '', newFailures: [], preexistingFailures: [], locations: [], ...extra };
}

export interface FakeVerifier extends RunVerifier {
  /** The staged changes each verification saw, in order. */
  readonly verified: (readonly StagedChange[])[];
  readonly landed: StagedChange[];
  readonly landedVerifications: number;
  readonly options: VerifierOptions[];
  disposed: boolean;
}

/**
 * A verifier whose verdicts come from `judge` (given the changes it would test, as text by path).
 * Its baseline passes; what landed is judged like a step.
 */
export function fakeVerifier(judge: (files: ReadonlyMap<string, string | undefined>) => TestEvidence): FakeVerifier & { create: NonNullable<RunHost['createVerifier']> } {
  const landed = new Map<string, StagedChange>();
  const asText = (changes: readonly StagedChange[]): Map<string, string | undefined> =>
    new Map(changes.map((change) => [change.path, change.after === undefined ? undefined : new TextDecoder().decode(change.after)]));
  const verifier = {
    command: 'fake test' as string | undefined,
    verified: [] as (readonly StagedChange[])[],
    landed: [] as StagedChange[],
    landedVerifications: 0,
    options: [] as VerifierOptions[],
    disposed: false,
    describeCommand: () => 'Verifying with `fake test` (from the test).',
    prepare: () => undefined,
    runBaseline: () => Promise.resolve(evidence('passed', 'The suite passes before the run.')),
    verify: async (changes: readonly StagedChange[]) => {
      verifier.verified.push(changes);
      // As the real verifier: nothing unreviewed runs where the gate withholds it (no sandbox, "review first").
      const gate = verifier.options.at(-1)?.gate;
      const answer = gate !== undefined ? await gate.forUnreviewed(verifier.options.at(-1)?.signal ?? new AbortController().signal) : undefined;
      if (answer?.kind === 'withheld') return evidence('unverified', answer.reason, { command: null, exitCode: null });
      return judge(asText([...landed.values(), ...changes]));
    },
    verifyLanded: () => {
      verifier.landedVerifications += 1;
      return Promise.resolve(judge(asText([...landed.values()])));
    },
    recordLanded: (changes: readonly StagedChange[]) => {
      for (const change of changes) landed.set(change.path, change);
      verifier.landed.push(...changes);
    },
    dispose: () => {
      verifier.disposed = true;
      return Promise.resolve();
    },
    create: (options: VerifierOptions) => {
      verifier.options.push(options);
      return Promise.resolve(verifier);
    },
  };
  return verifier;
}
