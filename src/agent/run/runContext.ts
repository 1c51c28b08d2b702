import { UsageLedger } from '../model/usageLedger';
import { detectSandbox } from '../sandbox/detectSandbox';
import { ExecutionGate } from '../sandbox/executionGate';
import type { PreparedIsolation } from '../verify/isolatedWorkspace';
import { StagedWorkspace } from '../workspace/stagedWorkspace';
import { journalLimitReason, RunJournal, type RecoveredRun, type StagedStep } from './journal';
import type { TestEvidence } from '../../protocol/testEvidence';
import { LivePlan } from './livePlan';
import { PlanDocument } from './planDocument';
import { RunBudget } from './runBudget';
import type { RunPhase } from '../../protocol/run';
import type { RunHost, RunOptions, RunVerifier } from './runHost';
import type { StartedVerifier } from './runVerification';
import { UserQuestions } from './userQuestions';

/** Thrown where a step notices the user's cancellation; the lifecycle ends the run as cancelled. */
export class RunCancelled extends Error {}

/**
 * The run's verifier, once execution has started, and the copy prepared for it ahead of time
 * (while the orchestrator plans), which goes to the verifier or is discarded.
 */
export class VerifierSlot {
  #verifier: RunVerifier | undefined;
  #prepared: Promise<PreparedIsolation | undefined> | undefined;
  #early: Promise<StartedVerifier> | undefined;
  #disposal: Promise<void> | undefined;

  get current(): RunVerifier | undefined {
    return this.#verifier;
  }

  set(verifier: RunVerifier): void {
    this.#verifier = verifier;
  }

  /** A copy being prepared ahead; `takePrepared` hands it over once. */
  prepareAhead(prepared: Promise<PreparedIsolation | undefined>): void {
    this.#prepared = prepared;
  }

  takePrepared(): { prepared?: Promise<PreparedIsolation | undefined> } {
    const prepared = this.#prepared;
    this.#prepared = undefined;
    return prepared !== undefined ? { prepared } : {};
  }

  /** The verifier made while the orchestrator plans, its baseline under way; `takeEarly` hands it over once. */
  startEarly(started: Promise<StartedVerifier>): void {
    started.catch(() => undefined);
    this.#early = started;
  }

  takeEarly(): Promise<StartedVerifier> | undefined {
    const early = this.#early;
    this.#early = undefined;
    return early;
  }

  /** Disposes of the verifier and of a copy prepared for a run that never reached it (cancelled, failed while planning). */
  dispose(): Promise<void> {
    const unused = this.takePrepared().prepared?.then((prepared) => prepared?.discard()).catch(() => undefined);
    // A verifier started early for a run that never reached its steps (the plan was cancelled).
    const early = this.takeEarly()?.then(({ verifier }) => verifier.dispose()).catch(() => undefined);
    this.#disposal ??= Promise.all([this.#verifier?.dispose(), unused, early]).then(() => undefined);
    return this.#disposal;
  }
}

/**
 * What the parts of one run share, made once by the lifecycle and passed to each part (the
 * scheduler, the fix loop, landing, resume). Everything else a part needs, it is given explicitly.
 */
export interface RunContext {
  readonly options: RunOptions;
  readonly host: RunHost;
  /** The user's cancellation. */
  readonly signal: AbortSignal;
  /** The user's cancellation or an early end of the run: what work in flight stops on. */
  readonly workSignal: AbortSignal;
  /** Stops everything still in flight when the run ends early (a budget, an error), not only on cancel. */
  readonly stopWork: () => void;
  readonly budget: RunBudget;
  readonly ledger: UsageLedger;
  readonly journal: RunJournal;
  readonly plan: LivePlan;
  /** Verified work of finished steps, not yet landed or rejected. */
  readonly staged: StagedWorkspace;
  /** Decides, once per run, how unreviewed content may execute. */
  readonly gate: ExecutionGate;
  readonly verifier: VerifierSlot;
  /** The steps that staged each file, in order. */
  readonly stepsByFile: Map<string, string[]>;
  /** Each finished step's own increment and the verification that passed it, in the order they were staged. */
  readonly stagedSteps: StagedStep[];
  /** The verification that passed each step's last attempt (the fix loop's), until the step is staged. */
  readonly passedBy: Map<string, TestEvidence>;
  /** Files landed in the user's workspace so far, in the order they landed. */
  readonly applied: Set<string>;
  /** Tells the client which phase the run is in. */
  readonly phase: (phase: RunPhase) => void;
  /** The run's questions to the user (ask_user, the last-attempt question). */
  readonly questions: UserQuestions;
}

/** Wires one run's shared state; a resumed run's usage so far counts toward its totals and budget. */
export function createRunContext(options: RunOptions, host: RunHost, signal: AbortSignal, recovered?: RecoveredRun): RunContext {
  const { runId } = options;
  const root = host.workspace.root;
  const budget = new RunBudget(options.budget);
  const journal = new RunJournal(
    root,
    runId,
    options.maxJournalBytes !== undefined ? { maxBytes: options.maxJournalBytes, onLimit: (max) => budget.halt(journalLimitReason(max)) } : undefined,
  );
  const stopWork = new AbortController();
  const document = new PlanDocument(root, runId, host.validation, () => host.planBuffer?.());
  const ledger: UsageLedger = new UsageLedger((event) => {
    // Journaled (not fsynced) so a resumed run continues its totals; a failed write shows up at the next entry that matters.
    journal.append({ kind: 'usage', role: event.call.role, provider: event.call.provider, model: event.call.model, usage: event.call.usage, costUsd: event.call.costUsd }).catch(() => undefined);
    host.emit({ type: 'usage', runId, role: event.call.role, model: event.call.model, costUsd: event.call.costUsd, run: event.run });
    plan.recost(event.run);
  });
  const plan = new LivePlan(runId, journal, document, () => ledger.totals, (event) => host.emit(event));
  if (recovered !== undefined) {
    // The resumed run's cost, tokens and budget go on from where the stopped one was.
    ledger.restore(recovered.calls);
    for (const call of recovered.calls) budget.record(call.usage, call.costUsd);
  }
  const gate = new ExecutionGate({
    availability: host.sandbox ?? detectSandbox(),
    ...(options.unsandboxed !== undefined ? { preset: options.unsandboxed } : {}),
    ...(host.confirmUnsandboxed !== undefined ? { ask: (question, signal) => host.confirmUnsandboxed?.(question, signal) ?? Promise.resolve('refuse' as const) } : {}),
  });
  return {
    options,
    host,
    signal,
    workSignal: AbortSignal.any([signal, stopWork.signal]),
    stopWork: () => stopWork.abort(),
    budget,
    ledger,
    journal,
    plan,
    staged: new StagedWorkspace(host.workspace),
    gate,
    verifier: new VerifierSlot(),
    stepsByFile: new Map(),
    stagedSteps: [],
    passedBy: new Map(),
    applied: new Set(),
    phase: (phase) => host.emit({ type: 'run/phase', runId, phase }),
    questions: new UserQuestions(runId, host, plan, signal, options.askUserTimeoutSeconds),
  };
}
