import type { PermissionOption, SessionUpdate, StopReason, ToolCallUpdate } from '@agentclientprotocol/sdk';
import { askUserRequest, commandApprovalRequest, planApprovalRequest, reviewRequest, runCancelRequest, runEventNotification, runStartRequest, sandboxConsentRequest, saveDocumentsRequest } from '../../protocol/methods';
import type { FileChange, ReviewDecisions, RunEvent } from '../../protocol/run';
import { formatCommandQuestion, settingsFrom, type RunTaskOptions } from '../runTask';
import { startServerSession, type ServerSession } from '../serverConnection';
import { EditorFiles, type EditorFileSystem } from './editorFiles';
import { approvalCall, chosenOption, permissionOptions, planChoices, questionChoices, reviewChoices, sandboxChoices, type Choice } from './permissions';
import { promptToTask, type PromptTask } from './promptTask';
import { runLimits } from '../runLimits';
import { RunUpdates } from './runUpdates';

/** What a session needs from the ACP connection: the client's side of the protocol. */
export interface AcpClientPort extends EditorFileSystem {
  update(update: SessionUpdate): Promise<void>;
  requestPermission(toolCall: ToolCallUpdate, options: PermissionOption[], signal: AbortSignal): Promise<unknown>;
}

/** The run options `plumbline acp` was started with (its flags), shared by every session. */
export type AcpRunOptions = Omit<RunTaskOptions, 'task' | 'resumeRunId' | 'cwd' | 'json'>;

type Finished = Extract<RunEvent, { type: 'run/finished' }>;

/** Longest plan text put in a permission request. */
const maxPlanChars = 20_000;

/**
 * One ACP session: an agent server for the session's folder, and at most one Plumbline run at a
 * time, started by a prompt and reported as `session/update`s. The run's questions (the plan, a
 * command, the review of each changed file, the sandbox) become `session/request_permission`s.
 */
export class AcpSession {
  private readonly updates: RunUpdates;
  private readonly files: EditorFiles;
  private active: { readonly controller: AbortController; readonly finished: (event: Finished) => void; cancelled: boolean } | undefined;
  private sent: Promise<void> = Promise.resolve();
  private readonly serverExited: Promise<'died'>;

  private constructor(
    readonly sessionId: string,
    private readonly root: string,
    private readonly server: ServerSession,
    private readonly client: AcpClientPort,
    private readonly options: AcpRunOptions,
    private readonly log: (line: string) => void,
  ) {
    this.updates = new RunUpdates(root);
    this.serverExited = new Promise((resolve) => server.process.once('exit', () => resolve('died')));
    this.files = new EditorFiles(root, client, {
      open: (uri, version, text) => void server.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'plaintext', version, text } }),
      change: (uri, version, text) => void server.connection.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges: [{ text }] }),
      close: (uri) => void server.connection.sendNotification('textDocument/didClose', { textDocument: { uri } }),
    }, log);
    this.listen();
  }

  /** Starts the session's agent server in `root` (already checked: an absolute, existing folder). */
  static async open(sessionId: string, root: string, client: AcpClientPort, options: AcpRunOptions, log: (line: string) => void): Promise<AcpSession> {
    const server = await startServerSession({
      workspaceFolder: root,
      timeoutMs: options.timeoutMs,
      settings: settingsFrom(options),
      // The user's own MCP servers (`plumbline acp --mcp-config FILE`), as `plumbline run` has them.
      ...(options.mcpConfigFile !== undefined ? { mcpConfigFile: options.mcpConfigFile } : {}),
      // Without the editor's writes, the server lands changes on disk itself (atomically, as the CLI does).
      host: client.canWrite ? 'acp' : 'cli',
      onWireWarning: log,
    });
    return new AcpSession(sessionId, root, server, client, options, log);
  }

  /** `session/prompt`: one run of the prompt as a task; resolves when the run has finished. */
  async prompt(blocks: Parameters<typeof promptToTask>[1], signal: AbortSignal): Promise<StopReason> {
    if (this.active !== undefined) throw new Error('A run is already in progress in this session; cancel it or wait for it to finish.');
    const prompt = promptToTask(this.root, blocks);
    const controller = new AbortController();
    let finished: (event: Finished) => void = () => undefined;
    const done = new Promise<Finished>((resolve) => (finished = resolve));
    const active = { controller, finished, cancelled: false };
    this.active = active;
    const onAbort = (): void => this.cancel();
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      await this.openPromptBuffers(prompt);
      await this.server.request(runStartRequest, { task: prompt.task, approve: this.options.approve, ...runLimits(this.options) });
      const outcome = await Promise.race([done, this.serverExited]);
      await this.sent;
      if (active.cancelled) return 'cancelled';
      if (outcome === 'died') throw new Error('The agent server stopped unexpectedly; "plumbline runs" in the folder lists the run, and "plumbline resume" continues it.');
      return outcome.status === 'cancelled' ? 'cancelled' : 'end_turn';
    } finally {
      signal.removeEventListener('abort', onAbort);
      controller.abort();
      this.active = undefined;
    }
  }

  /** `session/cancel`: stops the run; pending permission requests are withdrawn. */
  cancel(): void {
    const active = this.active;
    if (active === undefined || active.cancelled) return;
    active.cancelled = true;
    active.controller.abort();
    void this.server.request(runCancelRequest, {}).catch((error: unknown) => this.log(`Cancelling the run failed: ${error instanceof Error ? error.message : String(error)}`));
  }

  async close(): Promise<void> {
    this.cancel();
    await this.server.close();
  }

  private send(update: SessionUpdate): void {
    // In order, and awaited before the prompt answers, so the stop reason comes after every update.
    this.sent = this.sent.then(() => this.client.update(update)).catch((error: unknown) => this.log(`session/update failed: ${error instanceof Error ? error.message : String(error)}`));
  }

  private signal(): AbortSignal {
    return this.active?.controller.signal ?? AbortSignal.abort();
  }

  private async openPromptBuffers(prompt: PromptTask): Promise<void> {
    for (const [absolute, text] of prompt.embedded) this.files.openSent(absolute, text);
    await this.files.syncBuffers(prompt.mentioned);
  }

  private async ask<Id extends string>(toolCall: ToolCallUpdate, choices: readonly Choice<Id>[]): Promise<Id | undefined> {
    const signal = this.signal();
    if (signal.aborted) return undefined;
    try {
      return chosenOption(await this.client.requestPermission(toolCall, permissionOptions(choices), signal), choices);
    } catch (error) {
      if (!signal.aborted) this.log(`session/request_permission failed: ${error instanceof Error ? error.message : String(error)}`);
      return undefined;
    }
  }

  private listen(): void {
    const server = this.server;
    server.onNotification(runEventNotification, ({ event }) => {
      for (const update of this.updates.translate(event)) this.send(update);
      if (event.type === 'run/finished') this.active?.finished(event);
    });

    server.onRequest(planApprovalRequest, async ({ runId, plan, markdown }) => {
      // Workers read the files the plan names: the editor's unsaved text of them is what they get.
      await this.files.syncBuffers(plan.steps.flatMap((step) => step.files));
      if (this.options.yes) return { decision: 'approve' };
      const toolCallId = `plan-${runId}-${String(plan.revision)}`;
      const content = [{ type: 'content' as const, content: { type: 'text' as const, text: markdown.length > maxPlanChars ? `${markdown.slice(0, maxPlanChars)}\n…` : markdown } }];
      this.send({ sessionUpdate: 'tool_call', toolCallId, title: `Run this plan? ${plan.summary}`, kind: 'think', status: 'pending', content });
      await this.sent;
      const answer = await this.ask({ toolCallId, title: `Run this plan? ${plan.summary}`, kind: 'think', status: 'pending' }, planChoices);
      this.send({ sessionUpdate: 'tool_call_update', toolCallId, status: answer === 'approve' ? 'completed' : 'failed' });
      return { decision: answer === 'approve' ? 'approve' : 'cancel' };
    });

    server.onRequest(commandApprovalRequest, async (params) => {
      const toolCallId = this.updates.nextId('command');
      // A command as an execute call; a call to an MCP tool as the tool call it is.
      const { title, kind, rawInput, choices } = approvalCall(params);
      this.send({ sessionUpdate: 'tool_call', toolCallId, title, kind, status: 'pending', content: [{ type: 'content', content: { type: 'text', text: formatCommandQuestion(params) } }], rawInput });
      await this.sent;
      const answer = await this.ask({ toolCallId, title, kind, status: 'pending' }, choices);
      if (answer === 'run') this.updates.commandAsked(params.stepId, params.command, toolCallId);
      this.send({ sessionUpdate: 'tool_call_update', toolCallId, status: answer === 'run' ? 'in_progress' : 'failed' });
      return { decision: answer === 'run' ? 'run' : 'deny' };
    });

    server.onRequest(reviewRequest, async ({ runId, files }) => ({ decisions: await this.review(runId, files) }));

    server.onRequest(askUserRequest, async (question) => {
      // ACP has no free-text question: a question with choices is asked as a permission, one without goes unanswered.
      if (question.choices.length === 0) return { answer: null };
      const toolCallId = this.updates.nextId('question');
      const title = `${question.stepId ?? 'The orchestrator'} asks: ${question.question}`;
      this.send({ sessionUpdate: 'tool_call', toolCallId, title, kind: 'other', status: 'pending' });
      await this.sent;
      const choices = questionChoices(question.choices);
      const answer = await this.ask({ toolCallId, title, kind: 'other', status: 'pending' }, choices);
      const chosen = choices.find((choice) => choice.id === answer && answer !== 'none');
      this.send({ sessionUpdate: 'tool_call_update', toolCallId, status: 'completed', content: [{ type: 'content', content: { type: 'text', text: chosen?.name ?? 'No answer' } }] });
      return { answer: chosen?.name ?? null };
    });

    server.onRequest(sandboxConsentRequest, async ({ runId, reason, remedy }) => {
      const toolCallId = `sandbox-${runId}`;
      const title = `No sandbox: ${reason}`;
      const text = `The tests would run on changes you have not reviewed yet, with full access to your files, keys and network.\n${remedy}`;
      this.send({ sessionUpdate: 'tool_call', toolCallId, title, kind: 'execute', status: 'pending', content: [{ type: 'content', content: { type: 'text', text } }] });
      await this.sent;
      const answer = await this.ask({ toolCallId, title, kind: 'execute', status: 'pending' }, sandboxChoices);
      this.send({ sessionUpdate: 'tool_call_update', toolCallId, status: answer === undefined || answer === 'cancel' ? 'failed' : 'completed' });
      return { decision: answer ?? 'cancel' };
    });

    // Landing: applyChanges.ts sends the approved changes as one workspace edit, then asks for a save.
    server.connection.onRequest('workspace/applyEdit', (params: unknown) => this.files.applyEdit(params));
    server.onRequest(saveDocumentsRequest, ({ uris }) => ({ saved: uris }));
  }

  /**
   * The review, file by file: each changed file's edit tool call is shown with its whole diff, then
   * the user accepts or rejects it. A cancel, or any answer that is not an option offered, accepts
   * nothing more. Files that run code are always asked about on their own.
   */
  private async review(runId: string, files: readonly FileChange[]): Promise<ReviewDecisions['decisions']> {
    const decisions: ReviewDecisions['decisions'] = [];
    let rest: 'accept' | 'reject' | undefined;
    for (const [index, file] of files.entries()) {
      if (rest === 'reject') break;
      if (rest === 'accept' && file.protectedReason === undefined) {
        decisions.push({ path: file.path, hunks: 'all' });
        continue;
      }
      const { update, toolCall } = this.updates.reviewedEdit(runId, file);
      this.send(update);
      await this.sent;
      const answer = await this.ask(toolCall, reviewChoices(index < files.length - 1));
      if (answer === 'accept' || answer === 'accept-rest') decisions.push({ path: file.path, hunks: 'all' });
      if (answer === 'accept-rest') rest = 'accept';
      if (answer === undefined || answer === 'reject-rest') rest = 'reject';
    }
    return decisions;
  }
}
