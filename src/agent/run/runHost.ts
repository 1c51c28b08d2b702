import type { ApproveMode, ReviewDecisions, TaskScope } from '../../protocol/run';
import type { SymbolPort } from '../../tools/toolContexts';
import type { CommandApprovalQuestion } from '../commands/commandRunner';
import type { McpToolbox } from '../mcp/mcpHub';
import type { ModelClient, ModelRole } from '../model/modelTypes';
import type { Price } from '../model/pricing';
import type { Plan, ValidationContext } from '../../protocol/plan';
import type { UnsandboxedChoice, UnsandboxedQuestion } from '../sandbox/executionGate';
import type { SandboxSettings } from '../sandbox/sandboxPolicy';
import type { SandboxAvailability } from '../sandbox/sandboxTypes';
import type { StepVerifier, VerifierOptions } from '../verify/stepVerifier';
import type { StagedChange } from '../workspace/stagedWorkspace';
import type { WorkspaceReader } from '../../tools/workspacePort';
import type { ReplanLimits } from './replanGuard';
import type { ReviewMode } from '../../protocol/settings';
import type { BudgetLimits } from './runBudget';
import type { FileChange, RunEvent, RunStatus } from '../../protocol/run';
import type { ModelProblem } from '../../protocol/run';
import type { UserQuestionParams } from '../../protocol/userQuestion';

export type { ApproveMode, ReviewDecisions } from '../../protocol/run';

/** How one run is to go: what the user started it with and the settings it runs under. */
export interface RunOptions {
  readonly runId: string;
  readonly task: string;
  /** What the run was started with, journaled so `resume` can start it the same way. */
  readonly startParams?: Readonly<Record<string, unknown>>;
  /** The file and lines the task is about (Refactor Selection). */
  readonly scope?: TaskScope;
  readonly approve: ApproveMode;
  readonly maxParallel: number;
  readonly budget: BudgetLimits;
  readonly maxOutputTokens: number;
  readonly prices: Readonly<Record<string, Price>>;
  readonly verification: {
    /** The user's test command; detected from the project when absent. */
    readonly command?: string;
    readonly timeoutMs: number;
    /** Attempts per step, the first included, before the step fails. */
    readonly maxAttempts: number;
    /** Test runs at once, each in its own copy (`plumbline.verification.parallel`); absent: this machine's cores. */
    readonly parallel?: number;
    /** Where baselines are kept between runs (outside the workspace, hidden from tests); absent: not kept. */
    readonly baselineCacheDir?: string;
  };
  /** What workers may run with run_command (plumbline.commands.*); absent: the policy's defaults (ask for everything). */
  readonly commands?: { readonly allow: readonly string[]; readonly deny: readonly string[]; readonly workspaceTrusted: boolean };
  /** `plumbline.sandbox.*`: hosts, environment names and folders the sandbox opens up; the memory cap. */
  readonly sandbox?: SandboxSettings;
  /** Where there is no sandbox, the answer given up front (CLI `--unsandboxed`) instead of asking. */
  readonly unsandboxed?: 'run' | 'review-first';
  /** `plumbline.review.mode`: when the reviewer grades work; absent: off. */
  readonly review?: ReviewMode;
  /** `plumbline.escalation`: a failed attempt's retry runs on the strong model; absent: on. */
  readonly escalation?: boolean;
  /** Re-plans after failed steps, per run and per step (`plumbline.limits.*`); absent: the defaults. */
  readonly replans?: ReplanLimits;
  /** `plumbline.<role>.contextWindow` (CLI `--context-window`): a role's model's window in tokens; absent: the table's (contextWindows.ts). */
  readonly contextWindows?: Partial<Record<ModelRole, number>>;
  /** `plumbline.askUser.timeoutSeconds`: how long a question waits for the user; 0 or absent: until the run stops. */
  readonly askUserTimeoutSeconds?: number;
  /**
   * Commit each verified step to this new branch, from `base`, instead of landing anything
   * (`plumbline run --ci`, with approve `never`): branchLanding.ts. Absent: nothing is committed.
   */
  readonly commitToBranch?: { readonly branch: string; readonly base: string };
  /** `plumbline.mcp.allow`: MCP tools that are not read-only but may run without asking. */
  readonly mcp?: { readonly allow: readonly string[] };
  /** The journal's size cap; past it the run stops at its next model request. Absent: none. */
  readonly maxJournalBytes?: number;
}

export type PlanDecision = { readonly kind: 'approve' } | { readonly kind: 'cancel' };

/**
 * What the run asks of its verifier: the part of `StepVerifier` the engine uses. A test may stand
 * in for it (`RunHost.createVerifier`) to script verdicts without running anything.
 */
export type RunVerifier = Pick<StepVerifier, 'command' | 'describeCommand' | 'prepare' | 'runBaseline' | 'verify' | 'verifyLanded' | 'recordLanded' | 'dispose'> & Partial<Pick<StepVerifier, 'expect'>>;

/** What a run needs from its host (the server for VS Code and the CLI, or a test). */
export interface RunHost {
  readonly workspace: WorkspaceReader;
  readonly validation: ValidationContext;
  /** A client per role; without a reviewer's, the orchestrator's grades (when a review mode is on). */
  readonly clients: Readonly<Record<Exclude<ModelRole, 'reviewer'>, ModelClient>> & { readonly reviewer?: ModelClient };
  emit(event: RunEvent): void;
  /** The plan is ready: the user approves it (possibly after editing plan.md) or cancels. */
  approvePlan(plan: Plan, markdown: string, signal: AbortSignal): Promise<PlanDecision>;
  /** The user's per-hunk decisions; a file not listed is rejected. */
  review(files: readonly FileChange[], signal: AbortSignal): Promise<ReviewDecisions>;
  /** Lands approved changes in the user's files. */
  apply(changes: readonly StagedChange[]): Promise<void>;
  /** The editor's unsaved text of the plan document, if it is open and modified. */
  planBuffer?(): string | undefined;
  /** The editor's code intelligence (VS Code only). */
  readonly symbols?: SymbolPort;
  /** Unsaved editor buffers under the workspace (relative path → text): what verification tests. */
  unsavedBuffers?(): ReadonlyMap<string, string>;
  /** Asks the user whether a command the policy will not run alone may run once; absent: denied. */
  approveCommand?(question: CommandApprovalQuestion, signal: AbortSignal): Promise<'run' | 'deny'>;
  /**
   * Puts a question to the user (ask_user, or whether a failing step gets more attempts) and resolves
   * with the answer, or null when nobody can answer (no terminal, `--json`). The signal closes it (the
   * user's timeout, the run's end). Absent: every question goes unanswered.
   */
  askUser?(question: Omit<UserQuestionParams, 'runId'>, signal: AbortSignal): Promise<string | null>;
  /** The machine's sandbox (the server probes it once); absent: probed here. */
  readonly sandbox?: Promise<SandboxAvailability>;
  /** No sandbox: asks once per run whether to run unreviewed changes' tests unconfined; absent: refused. */
  confirmUnsandboxed?(question: UnsandboxedQuestion, signal: AbortSignal): Promise<UnsandboxedChoice>;
  /** The MCP servers' tools and resources, started by the host before the run; absent: none. */
  readonly mcp?: McpToolbox;
  /** Makes the run's verifier; absent: the project's tests in an isolated copy (`StepVerifier.create`). */
  createVerifier?(options: VerifierOptions): Promise<RunVerifier>;
}

export interface RunResult {
  readonly status: RunStatus;
  readonly reason?: string;
  readonly plan: Plan | undefined;
  readonly applied: readonly string[];
  /** Set when a model error ended the run. */
  readonly modelError?: ModelProblem;
}
