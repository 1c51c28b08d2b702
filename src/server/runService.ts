import { isAbsolute } from 'node:path';
import { restrictedModeMessage } from '../protocol/restrictedMode';
import type { InitializationOptions } from '../protocol/initialization';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ErrorCodes, ResponseError, type Connection, type TextDocuments } from 'vscode-languageserver/node';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type * as z from 'zod';
import { createModelClient, type VsCodeModelFactory } from '../agent/model/createModelClient';
import { apiKeysFrom } from '../agent/model/modelConfig';
import { RunJournal, type RecoveredRun } from '../agent/run/journal';
import { resumableAfterCancel } from '../agent/run/resume';
import { RunEngine } from '../agent/run/runEngine';
import { BranchRefusedError, headCommit, settleBranch } from '../agent/run/branchGit';
import type { RunHost, RunResult } from '../agent/run/runHost';
import { runLimits, unpricedBudgetRefusal } from '../agent/run/runLimits';
import { listRuns, newRunId, planPath } from '../agent/run/runStore';
import { listRunsWithUndo, undoRun, type RunUndoOutcome } from '../agent/run/runUndo';
import { defaultBaselineCacheDir } from '../agent/verify/baselineCache';
import { StepVerifier } from '../agent/verify/stepVerifier';
import type { TestEvidence } from '../protocol/testEvidence';
import { createDiskWorkspace } from '../agent/workspace/diskWorkspace';
import { checkPathSyntax } from '../agent/workspace/workspacePaths';
import { askUserRequest, commandApprovalRequest, planApprovalRequest, reviewRequest, runEventNotification, sandboxConsentRequest, symbolsRequest } from '../protocol/methods';
import { detectSandbox } from '../agent/sandbox/detectSandbox';
import type { SandboxSettings } from '../agent/sandbox/sandboxPolicy';
import type { SymbolQuery } from '../protocol/symbols';
import { runStartParamsSchema } from '../protocol/run';
import type { BranchListResult, branchReviewParamsSchema } from '../protocol/branchReview';
import { BranchReviewError, listBranchRuns } from '../agent/branches/branchRuns';
import { BranchReview, openBranch, type BranchReviewHost, type OpenedBranch } from '../agent/run/branchReview';
import { applyThroughEditor, applyToDisk } from './applyChanges';
import { RunTranscriptFile } from './runTranscriptFile';
import type { ModelRegistry } from './modelRegistry';
import type { ServerWire } from './typedConnection';
import type { SettingsSource } from './settingsSource';
import type { McpService } from './mcpService';

export interface RunServiceDeps {
  readonly connection: Connection;
  /** The typed wire over `connection`: every plumbline/* message goes through it. */
  readonly wire: ServerWire;
  readonly documents: TextDocuments<TextDocument>;
  readonly settings: SettingsSource;
  readonly models: ModelRegistry;
  readonly workspaceRoot: () => string | undefined;
  readonly host: () => InitializationOptions['host'];
  /** The client's workspace trust (initializationOptions); untrusted: no run starts, no command runs. */
  readonly workspaceTrusted: () => boolean;
  readonly vscodeModels: VsCodeModelFactory;
  /** The workspace's MCP servers, brought up to date before each run. */
  readonly mcp: McpService;
}

/** Starts, tracks and cancels the workspace's run. One at a time, as the run lock also enforces across processes. */
export class RunService {
  /** `ended`: the run has sent run/finished and is only letting go of the workspace (lock, verification copies). */
  private active: { runId: string; controller: AbortController; done: Promise<RunResult>; ended: boolean } | undefined;

  constructor(private readonly deps: RunServiceDeps) {}

  /** `params` as the wire validated them (`runStartRequest`). */
  async start(params: z.output<typeof runStartParamsSchema>): Promise<{ runId: string; planPath: string }> {
    this.requireTrust();
    return this.launch(params, newRunId(), undefined);
  }

  /** Continues a run that stopped (a crash, a killed server) from its journal. */
  async resume(runId: string, overrides: { reviewPlan?: boolean }): Promise<{ runId: string; planPath: string }> {
    this.requireTrust();
    const root = this.deps.workspaceRoot();
    if (root === undefined) throw new ResponseError(ErrorCodes.InvalidRequest, 'Open a folder first.');
    let recovered: RecoveredRun;
    try {
      recovered = await RunJournal.recover(root, runId);
    } catch (error) {
      const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
      throw new ResponseError(ErrorCodes.InvalidParams, missing ? `There is no run ${runId} to resume here; "plumbline runs" lists them.` : error instanceof Error ? error.message : String(error));
    }
    if (recovered.finished) {
      // A cancelled run keeps its verified work: resuming offers it for review and runs what the cancel stopped.
      const resumable = recovered.finishedStatus === 'cancelled' && resumableAfterCancel(recovered.plan, recovered.staged.size);
      if (!resumable) {
        const why = recovered.finishedStatus === 'cancelled' ? 'was cancelled before any step had started' : `has already finished (${recovered.finishedStatus ?? 'ended'})`;
        throw new ResponseError(ErrorCodes.InvalidRequest, `Run ${runId} ${why}; there is nothing to resume. Start the task again instead.`);
      }
    }
    const branch = recovered.options.branch;
    if (typeof branch === 'string') {
      throw new ResponseError(ErrorCodes.InvalidRequest, `Run ${runId} was a review of ${branch}, which stopped before it finished; undo what it applied (plumbline undo ${runId}) if you want, and review the branch again (plumbline review-branch ${branch}).`);
    }
    const parsed = runStartParamsSchema.safeParse({ ...recovered.options, ...overrides });
    if (!parsed.success) throw new ResponseError(ErrorCodes.InvalidParams, `Run ${runId}'s saved options are not valid any more: ${parsed.error.message}`);
    return this.launch(parsed.data, runId, recovered);
  }

  private requireTrust(): void {
    if (!this.deps.workspaceTrusted()) throw new ResponseError(ErrorCodes.InvalidRequest, restrictedModeMessage);
  }

  private async launch(params: z.output<typeof runStartParamsSchema>, runId: string, recovered: RecoveredRun | undefined): Promise<{ runId: string; planPath: string }> {
    // A client may start the next run as soon as it reads run/finished: wait for the old one to let go.
    if (this.active?.ended === true) await this.active.done;
    const busy = this.active;
    if (busy !== undefined && !busy.ended) throw new ResponseError(ErrorCodes.InvalidRequest, `Run ${busy.runId} is in progress; cancel it or wait for it to finish.`);
    const root = this.deps.workspaceRoot();
    if (root === undefined) throw new ResponseError(ErrorCodes.InvalidRequest, 'Open a folder first: a run works on the first workspace folder.');
    await this.deps.settings.settled();
    const settings = this.deps.settings.current;
    const keys = apiKeysFrom(process.env);
    const vscodeModels = this.deps.host() === 'vscode' ? this.deps.vscodeModels : undefined;
    let clients;
    try {
      clients = {
        orchestrator: createModelClient(this.deps.models.endpoint('orchestrator'), settings, keys, vscodeModels),
        worker: createModelClient(this.deps.models.endpoint('worker'), settings, keys, vscodeModels),
        ...(settings.review.mode !== 'off' ? { reviewer: createModelClient(this.deps.models.endpoint('reviewer'), settings, keys, vscodeModels) } : {}),
      };
    } catch (error) {
      throw new ResponseError(ErrorCodes.InvalidRequest, error instanceof Error ? error.message : String(error));
    }
    const commitTarget = await this.settleCommitBranch(params, runId, root, recovered !== undefined);
    if (commitTarget !== undefined) params = { ...params, commitToBranch: commitTarget };
    const testCommand = params.testCommand ?? settings.testCommand;
    const limits = runLimits(params, settings);
    // A cost limit that cannot count this model's calls would bound nothing: refused before anything starts.
    const unpriced = unpricedBudgetRefusal(limits.budget, [clients.orchestrator.model, clients.worker.model, ...(clients.reviewer !== undefined ? [clients.reviewer.model] : [])], settings.prices);
    if (unpriced !== undefined) throw new ResponseError(ErrorCodes.InvalidRequest, unpriced);
    const controller = new AbortController();
    const { wire, connection } = this.deps;
    // Before the run: a workspace's new server may ask for approval; one that fails is reported, the run goes on without it.
    const mcp = await this.deps.mcp.toolboxForRun(controller.signal).catch((error: unknown) => {
      connection.console.warn(`MCP servers could not be prepared: ${error instanceof Error ? error.message : String(error)}`);
      return undefined;
    });
    const shared = this.sharedHost(root, runId);
    const host: RunHost = {
      ...shared,
      clients,
      approvePlan: async (plan, markdown, signal) =>
        params.reviewPlan ? { kind: (await wire.request(planApprovalRequest, { runId, plan, markdown, planPath: planPath(root, runId) }, signal)).decision } : { kind: 'approve' },
      // A client without a handler answers with an error, which the engine counts as a denial; a malformed answer is a denial.
      approveCommand: async (question, signal) => (await wire.request(commandApprovalRequest, { runId, ...question, reasons: [...question.reasons] }, signal)).decision,
      // Several may be open at once (one per asking step); the engine's signal closes one on a timeout or the run's end.
      askUser: async (question, signal) => (await wire.request(askUserRequest, { runId, ...question }, signal)).answer,
      // A client without a handler answers with an error, which the gate counts as a refusal; a malformed answer cancels.
      confirmUnsandboxed: async (question, signal) => (await wire.request(sandboxConsentRequest, { runId, ...question }, signal)).decision,
      ...(mcp !== undefined ? { mcp } : {}),
      ...(this.deps.host() === 'vscode'
        ? { symbols: { query: (query: SymbolQuery) => wire.request(symbolsRequest, query, controller.signal) } }
        : {}),
    };
    const engine = new RunEngine(
      {
        runId,
        task: params.task,
        startParams: params,
        ...(params.scope !== undefined ? { scope: params.scope } : {}),
        approve: params.approve,
        maxParallel: params.maxParallel,
        budget: limits.budget,
        replans: limits.replans,
        maxJournalBytes: limits.maxJournalBytes,
        maxOutputTokens: settings.maxOutputTokens,
        prices: settings.prices,
        verification: {
          timeoutMs: settings.verification.timeoutSeconds * 1000,
          maxAttempts: settings.verification.maxAttempts,
          ...(testCommand !== undefined ? { command: testCommand } : {}),
          ...verificationParallel(params.verifyParallel ?? settings.verification.parallel),
          // Outside the workspace, in the user's cache folder (hidden from sandboxed tests): SECURITY.md.
          ...baselineCacheOf(process.env),
        },
        commands: { allow: settings.commands.allow, deny: settings.commands.deny, workspaceTrusted: this.deps.workspaceTrusted() },
        sandbox: sandboxSettingsOf(settings.sandbox),
        mcp: { allow: settings.mcp.allow },
        review: settings.review.mode,
        escalation: settings.escalation,
        ...(params.unsandboxed !== undefined ? { unsandboxed: params.unsandboxed } : {}),
        askUserTimeoutSeconds: settings.askUser.timeoutSeconds,
        ...(commitTarget !== undefined ? { commitToBranch: commitTarget } : {}),
        contextWindows: {
          ...(settings.orchestrator.contextWindow !== undefined ? { orchestrator: settings.orchestrator.contextWindow } : {}),
          ...(settings.worker.contextWindow !== undefined ? { worker: settings.worker.contextWindow } : {}),
        },
      },
      host,
      controller.signal,
      recovered,
    );
    try {
      await engine.lock();
    } catch (error) {
      throw new ResponseError(ErrorCodes.InvalidRequest, error instanceof Error ? error.message : String(error));
    }
    this.track(runId, controller, engine.run());
    return { runId, planPath: planPath(root, runId) };
  }

  /** The workspace's `plumbline/*` branches (local and fetched), each with its run as its commits tell it. */
  async listBranches(): Promise<BranchListResult> {
    const root = this.deps.workspaceRoot();
    if (root === undefined) return { branches: [], unsafeNames: 0 };
    return listBranchRuns(root).catch((error: unknown) => {
      throw new ResponseError(ErrorCodes.InvalidRequest, `Could not list the plumbline/* branches: ${error instanceof Error ? error.message : String(error)}`);
    });
  }

  /**
   * Starts reviewing a branch: `merge-base(HEAD, branch)..branch` offered over the user's current
   * files, landed as a run's accepted hunks are. A bad name or a missing branch is refused before
   * anything is written; the review then goes on in the background, as a run does.
   */
  async reviewBranch(params: z.output<typeof branchReviewParamsSchema>): Promise<{ runId: string; planPath: string }> {
    this.requireTrust();
    if (this.active?.ended === true) await this.active.done;
    const busy = this.active;
    if (busy !== undefined && !busy.ended) throw new ResponseError(ErrorCodes.InvalidRequest, `Run ${busy.runId} is in progress; cancel it or wait for it to finish.`);
    const root = this.deps.workspaceRoot();
    if (root === undefined) throw new ResponseError(ErrorCodes.InvalidRequest, 'Open a folder first: a branch is reviewed against the first workspace folder.');
    let opened: OpenedBranch;
    try {
      opened = await openBranch(root, params.branch);
    } catch (error) {
      if (error instanceof BranchReviewError) throw new ResponseError(ErrorCodes.InvalidParams, error.message);
      throw new ResponseError(ErrorCodes.InvalidRequest, `Could not read ${params.branch}: ${error instanceof Error ? error.message : String(error)}`);
    }
    const runId = newRunId();
    const controller = new AbortController();
    const review = new BranchReview(runId, params.approve, opened, this.sharedHost(root, runId), controller.signal);
    try {
      await review.lock();
    } catch (error) {
      throw new ResponseError(ErrorCodes.InvalidRequest, error instanceof Error ? error.message : String(error));
    }
    this.track(runId, controller, review.run());
    return { runId, planPath: planPath(root, runId) };
  }

  /** The run (or review) in progress, until it has let go of the workspace. */
  private track(runId: string, controller: AbortController, running: Promise<RunResult>): void {
    const done = running.catch((error: unknown): RunResult => {
      this.deps.connection.console.error(`Run ${runId} ended with an internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      return { status: 'failed', reason: 'internal error', plan: undefined, applied: [] };
    });
    this.active = { runId, controller, done, ended: false };
    void done.finally(() => {
      if (this.active?.runId === runId) this.active = undefined;
    });
  }

  /**
   * What every run's host has, a local run's and a branch review's alike: the workspace (with the
   * editor's unsaved buffers), events written to transcript.md then sent, the review, landing
   * through the editor (VS Code) or onto the disk (CLI), the plan's buffer and the sandbox.
   */
  private sharedHost(root: string, runId: string): BranchReviewHost & Pick<RunHost, 'unsavedBuffers'> {
    const { connection, wire, documents } = this.deps;
    // Asked on every file read: with no documents open (the CLI, most of the time) there is nothing
    // to find, and the URL of a path is worth remembering for the reads that follow.
    const urls = new Map<string, string>();
    const urlOf = (absolute: string): string => {
      let url = urls.get(absolute);
      if (url === undefined) urls.set(absolute, (url = pathToFileURL(absolute).toString()));
      return url;
    };
    const bufferFor = (absolute: string): string | undefined => (documents.keys().length === 0 ? undefined : documents.get(urlOf(absolute))?.getText());
    const transcript = new RunTranscriptFile(root, runId);
    return {
      workspace: createDiskWorkspace(root, { buffers: (relative) => bufferFor(`${root}/${relative}`) }),
      validation: {
        normalizePath: (path) => {
          try {
            return checkPathSyntax(path).join('/');
          } catch (error) {
            return error instanceof Error ? error : new Error(String(error));
          }
        },
      },
      emit: (event) => {
        if (event.type === 'run/finished' && this.active?.runId === runId) this.active.ended = true;
        // Written before clients hear the run finished, so Open Past Run finds it at once.
        const written = transcript.add(event);
        if (written === undefined) void wire.notify(runEventNotification, { event });
        else
          void written
            .catch((error: unknown) => connection.console.warn(`Run ${runId}: could not write transcript.md (${error instanceof Error ? error.message : String(error)}).`))
            .finally(() => void wire.notify(runEventNotification, { event }));
      },
      review: (files, signal) => wire.request(reviewRequest, { runId, files: [...files] }, signal),
      // Editors land through workspace/applyEdit (undoable, open buffers included); the CLI writes the disk.
      apply: (changes) => (landsThroughEditor(this.deps.host()) ? applyThroughEditor(connection, wire, root, documents, changes) : applyToDisk(root, changes)),
      planBuffer: () => bufferFor(planPath(root, runId)),
      sandbox: detectSandbox(),
      unsavedBuffers: () => unsavedUnder(root, documents),
    };
  }

  /**
   * A run that commits to a branch: a fresh one gets its name (default `plumbline/<run-id>`) and
   * base (HEAD) settled and checked here, before anything starts, and journaled with its options; a
   * resumed one must be in a checkout of the same base commit (another machine's clone included).
   */
  private async settleCommitBranch(params: z.output<typeof runStartParamsSchema>, runId: string, root: string, resuming: boolean): Promise<{ branch: string; base: string } | undefined> {
    const requested = params.commitToBranch;
    if (requested === undefined) return undefined;
    if (params.approve !== 'never') throw new ResponseError(ErrorCodes.InvalidParams, 'A run that commits to a branch writes nothing else: start it with approve "never".');
    const branch = requested.branch ?? `plumbline/${runId}`;
    try {
      if (!resuming) return { branch, base: await settleBranch(root, branch) };
      const head = await headCommit(root);
      if (requested.base === undefined || requested.base !== head) {
        throw new BranchRefusedError(`Run ${runId} was started on commit ${requested.base ?? '(unknown)'}, but this checkout is at ${head}; its steps were verified on that commit. Check it out (git checkout --detach ${requested.base ?? '<commit>'}) and resume again.`);
      }
      return { branch, base: head };
    } catch (error) {
      throw new ResponseError(ErrorCodes.InvalidRequest, error instanceof Error ? error.message : String(error));
    }
  }

  /** Runs the project's tests once on the workspace as the user has it (unsaved buffers included), in an isolated copy. */
  async runTests(signal: AbortSignal): Promise<TestEvidence> {
    const root = this.deps.workspaceRoot();
    if (root === undefined) throw new ResponseError(ErrorCodes.InvalidRequest, 'Open a folder first.');
    const busy = this.active;
    if (busy !== undefined && !busy.ended) throw new ResponseError(ErrorCodes.InvalidRequest, `Run ${busy.runId} is in progress; its verifications already run the tests.`);
    await this.deps.settings.settled();
    const settings = this.deps.settings.current;
    const verifier = await StepVerifier.create({
      root,
      ...(settings.testCommand !== undefined ? { command: settings.testCommand } : {}),
      timeoutMs: settings.verification.timeoutSeconds * 1000,
      buffers: unsavedUnder(root, this.deps.documents),
      signal,
      sandbox: sandboxSettingsOf(settings.sandbox),
    });
    try {
      return await verifier.runBaseline();
    } finally {
      await verifier.dispose();
    }
  }

  /** Cancels the active run (if it is the one named); resolves once it has wound down. */
  async cancel(runId?: string): Promise<boolean> {
    const active = this.active;
    if (active === undefined || (runId !== undefined && runId !== active.runId)) return false;
    active.controller.abort();
    await active.done;
    return true;
  }

  async undo(runId: string): Promise<RunUndoOutcome> {
    const root = this.deps.workspaceRoot();
    if (root === undefined) throw new ResponseError(ErrorCodes.InvalidRequest, 'Open a folder first.');
    // A run that has sent run/finished may still be removing its verification copy: wait for that.
    if (this.active?.runId === runId && this.active.ended) await this.active.done;
    if (this.active?.runId === runId) throw new ResponseError(ErrorCodes.InvalidRequest, `Run ${runId} is still in progress; cancel it first.`);
    if (!(await listRuns(root)).some((run) => run.runId === runId)) {
      throw new ResponseError(ErrorCodes.InvalidParams, `There is no run ${runId} in this workspace; "plumbline runs" lists them.`);
    }
    return undoRun(root, runId);
  }

  async list(): Promise<Awaited<ReturnType<typeof listRuns>>> {
    const root = this.deps.workspaceRoot();
    if (root === undefined) return [];
    const runs = await listRunsWithUndo(root);
    // The run in progress has nothing to undo yet (undo refuses it): its landed files are not offered.
    return runs.map((run) => (run.runId === this.active?.runId && !this.active.ended ? { ...run, restorable: [] } : run));
  }

  /** Stops the active run when the server shuts down. */
  async dispose(): Promise<void> {
    await this.cancel();
  }
}

/** The settings' sandbox section as the engine takes it (0 MiB: the default cap). */
export function sandboxSettingsOf(section: { allowedHosts: string[]; environment: string[]; readablePaths: string[]; memoryMb: number; maxProcesses: number }): SandboxSettings {
  return { allowedHosts: section.allowedHosts, environment: section.environment, readablePaths: section.readablePaths, ...(section.memoryMb > 0 ? { memoryMb: section.memoryMb } : {}), maxProcesses: section.maxProcesses };
}

/** Open documents under the root, as relative path → text: what the user sees is what gets verified. */
function unsavedUnder(root: string, documents: TextDocuments<TextDocument>): Map<string, string> {
  const buffers = new Map<string, string>();
  const prefix = pathToFileURL(root).toString().replace(/\/?$/, '/');
  for (const document of documents.all()) {
    if (!document.uri.startsWith(prefix)) continue;
    const relative = decodeURIComponent(document.uri.slice(prefix.length));
    if (!relative.startsWith('.plumbline/')) buffers.set(relative, document.getText());
  }
  return buffers;
}

export function firstFolderPath(uris: readonly string[]): string | undefined {
  const first = uris[0];
  if (first === undefined || !first.startsWith('file:')) return undefined;
  return fileURLToPath(first);
}

/** `plumbline.verification.parallel` as the engine takes it: 0 (the default) leaves it to the machine's cores. */
function verificationParallel(parallel: number): { parallel?: number } {
  return parallel > 0 ? { parallel } : {};
}

/**
 * Where the run keeps baselines: the user's cache folder, or what PLUMBLINE_BASELINE_CACHE says
 * (an absolute folder, or `off` to run every baseline: the test tiers, a benchmark of cold runs).
 */
function baselineCacheOf(env: NodeJS.ProcessEnv): { baselineCacheDir?: string } {
  const chosen = env.PLUMBLINE_BASELINE_CACHE;
  if (chosen === 'off') return {};
  return { baselineCacheDir: chosen !== undefined && isAbsolute(chosen) ? chosen : defaultBaselineCacheDir(env) };
}

/** Clients that carry out `workspace/applyEdit` and `plumbline/documents/save`: VS Code, and the ACP bridge (through the editor's file system). */
function landsThroughEditor(host: InitializationOptions['host']): boolean {
  return host === 'vscode' || host === 'acp';
}
