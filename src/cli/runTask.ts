import { spawnSync } from 'node:child_process';
import { modelErrorHint } from './modelErrorHint';
import { approveMcpServerInTerminal } from './mcpApprovalInTerminal';
import { mcpServerApprovalRequest, askUserRequest, branchReviewRequest, commandApprovalRequest, planApprovalRequest, reviewRequest, runCancelRequest, runEventNotification, runResumeRequest, runStartRequest, sandboxConsentRequest } from '../protocol/methods';
import type { KeyedProvider } from '../protocol/provider';
import type { ReviewMode } from '../protocol/settings';
import type { SandboxConsentParams } from '../protocol/sandbox';
import type { ApproveMode, CommandApprovalParams, RunEvent } from '../protocol/run';
import { describeBeforeAfter, describeGrounds } from '../protocol/testEvidence';
import { askInTerminal } from './askInTerminal';
import { answerInTerminal } from './userQuestionInTerminal';
import { renderPlanForTerminal } from './planView';
import { takeEarlyServer } from './earlyServer';
import { describeReviewForTerminal } from './reviewView';
import { startServerSession } from './serverConnection';
import { paintFileChange } from './hunkView';
import { paint, type Terminal, safeForTerminal } from './terminal';
import { runLimits } from './runLimits';
import { protectedWarning, reviewInTerminal } from './terminalReview';

export interface RunTaskOptions {
  readonly task: string;
  /** Continue this stopped run instead of starting a new one (`plumbline resume`). */
  readonly resumeRunId?: string;
  /** Review this plumbline/* branch instead of running a task (`plumbline review-branch`): the same events and review. */
  readonly reviewBranch?: string;
  readonly cwd: string;
  readonly provider?: KeyedProvider;
  readonly model?: string;
  readonly workerModel?: string;
  /** The reviewer's model (`--reviewer-model`); absent: the orchestrator's. */
  readonly reviewerModel?: string;
  /** `--review off|steps|end`: plumbline.review.mode for this run. */
  readonly review?: ReviewMode;
  /** `--no-escalation`: a failed attempt's retry stays on the step's model. */
  readonly escalation?: boolean;
  readonly baseUrl?: string;
  readonly approve: ApproveMode;
  readonly maxCostUsd?: number;
  /** Token and request limits of the run (`--max-tokens`, `--max-calls`). */
  readonly maxTokens?: number;
  readonly maxCalls?: number;
  readonly parallel?: number;
  /** Test runs at once (--verify-parallel). */
  readonly verifyParallel?: number;
  readonly testCommand?: string;
  /** plumbline.commands.allow / deny for this run (--allow-command, --deny-command). */
  readonly allowCommands?: readonly string[];
  /** `--mcp-config FILE`, absolute: the user's own MCP servers. */
  readonly mcpConfigFile?: string;
  /** `--allow-mcp-tool`: MCP tools that run without asking (plumbline.mcp.allow). */
  readonly allowMcpTools?: readonly string[];
  readonly denyCommands?: readonly string[];
  readonly json: boolean;
  /** Approve the plan without asking. */
  readonly yes: boolean;
  /** Where the machine has no sandbox: run the tests unconfined, or only after review (`--unsandboxed`). */
  readonly unsandboxed?: 'run' | 'review-first';
  readonly timeoutMs: number;
  /** `--ask-timeout`: how long a question waits for an answer (plumbline.askUser.timeoutSeconds). */
  readonly askTimeoutSeconds?: number;
  /** `--context-window`: both roles' context window in tokens (plumbline.<role>.contextWindow). */
  readonly contextWindow?: number;
  /**
   * `--ci`: commit the verified steps to a new branch (this name, or the server's default
   * `plumbline/<run-id>`) instead of landing anything; the terminal it is given never asks.
   */
  readonly commitToBranch?: { readonly branch?: string };
  /** Sees every run event as it arrives (the CI mode gathers its report from them). */
  readonly onEvent?: (event: RunEvent) => void;
  /** Told why the run could not be started or followed (also printed), for the CI mode's report. */
  readonly onFailure?: (message: string) => void;
}

/** Exit statuses of `plumbline run`, documented in --help and the README. */
export const runExitCodes = { completed: 0, failed: 1, usage: 2, cancelled: 3 } as const;


/** Why a question went unanswered, in the user's words. */
const unansweredWords = { 'no-client': 'no terminal to ask on', timeout: 'none in time', cancelled: 'the run was cancelled' } as const;

/** The `plumbline` settings section the agent server is given for these options (also `plumbline acp`'s). */
export function settingsFrom(options: Omit<RunTaskOptions, 'task' | 'cwd' | 'json'>): Record<string, unknown> {
  const role = (model: string | undefined) => ({
    ...(options.provider !== undefined ? { provider: options.provider } : {}),
    ...(model !== undefined ? { model } : {}),
    ...(options.baseUrl !== undefined ? { baseUrl: options.baseUrl } : {}),
    ...(options.contextWindow !== undefined ? { contextWindow: options.contextWindow } : {}),
  });
  return {
    orchestrator: role(options.model),
    worker: role(options.workerModel ?? options.model),
    // Unset, the server gives the reviewer the orchestrator's model.
    ...(options.reviewerModel !== undefined ? { reviewer: role(options.reviewerModel) } : {}),
    ...(options.review !== undefined ? { review: { mode: options.review } } : {}),
    ...(options.escalation === false ? { escalation: false } : {}),
    commands: { allow: [...(options.allowCommands ?? [])], deny: [...(options.denyCommands ?? [])] },
    ...(options.allowMcpTools !== undefined ? { mcp: { allow: [...options.allowMcpTools] } } : {}),
    ...(options.askTimeoutSeconds !== undefined ? { askUser: { timeoutSeconds: options.askTimeoutSeconds } } : {}),
  };
}

function describe(event: RunEvent, terminal: Terminal): string | undefined {
  switch (event.type) {
    case 'run/started':
      return `${paint(terminal, 'bold', 'Plumbline')} run ${event.runId}\nPlan: ${event.planPath}`;
    case 'step/started':
      return `${paint(terminal, 'cyan', '▶')} ${event.stepId} started (${event.model})`;
    case 'step/finished':
      return event.status === 'done'
        ? `${paint(terminal, 'green', '✓')} ${event.stepId} done: ${event.summary ?? ''} ${paint(terminal, 'dim', event.changedFiles.join(', '))}`
        : `${paint(terminal, 'red', '✗')} ${event.stepId} ${event.status}: ${event.error ?? ''}`;
    case 'model/retry':
      return paint(terminal, 'yellow', `! ${event.role}${event.stepId !== undefined ? ` ${event.stepId}` : ''}: retrying in ${(event.delayMs / 1000).toFixed(1)} s (${event.reason})`);
    case 'plan/edited':
      return event.errors.length > 0 ? paint(terminal, 'red', `Your plan edit was not applied: ${event.errors.join(' ')}`) : `Following your plan edit: ${event.changes.join('; ')}`;
    case 'verification': {
      const what = event.stepId === undefined ? 'baseline' : `${event.stepId} attempt ${String(event.attempt ?? 1)}`;
      // Compared with the baseline: "before 3 passed of 3 → now 1 passed of 1".
      const shown = describeBeforeAfter(event.evidence);
      const counts = shown !== '' ? ` · ${shown}` : '';
      // Which runs counted (a step's related run, the wave's full run), or the reused baseline.
      const grounds = describeGrounds(event.evidence);
      const mark = event.evidence.verdict === 'passed' ? paint(terminal, 'green', '✓ tests') : event.evidence.verdict === 'failed' ? paint(terminal, 'red', '✗ tests') : paint(terminal, 'yellow', '! tests');
      return `${mark} ${what}: ${event.evidence.reason}${counts} ${paint(terminal, 'dim', `(${(event.evidence.durationMs / 1000).toFixed(1)} s)`)}${grounds !== '' ? paint(terminal, 'dim', grounds) : ''}`;
    }
    case 'review':
      return describeReviewForTerminal(event.review, event.stepId, terminal);
    case 'review/decided':
      return [
        ...event.applied.map((entry) => `${paint(terminal, 'green', 'applied')} ${entry.path} (${entry.hunks} of ${entry.of} hunks)`),
        ...event.conflicts.map((entry) => paint(terminal, 'yellow', `kept your version of ${entry.path}: ${entry.reason}`)),
      ].join('\n') || undefined;
    case 'command/finished':
      return describeCommandEvent(event, terminal);
    case 'question/asked':
      // On a terminal the question itself is put to the user; in a log it must still say what was asked.
      return terminal.interactive ? undefined : `? ${event.stepId ?? 'orchestrator'} asks: ${event.question}${event.choices.length > 0 ? ` (${event.choices.join(' / ')})` : ''}`;
    case 'question/closed':
      return event.unanswered !== undefined
        ? paint(terminal, 'yellow', `? ${event.stepId ?? 'orchestrator'}: no answer (${unansweredWords[event.unanswered]}); it decides and says what it assumed`)
        : `? ${event.stepId ?? 'orchestrator'}: answered "${event.answer ?? ''}"`;
    case 'model/compacted':
      return paint(terminal, 'dim', `⇣ ${event.stepId ?? event.role}: conversation compacted, ~${String(event.beforeTokens)} → ~${String(event.afterTokens)} tokens (${event.model}'s window: ${String(event.contextWindow)})`);
    case 'branch/committed':
      return [
        event.commits.length > 0
          ? `${paint(terminal, 'green', '⎇')} ${event.branch}: ${String(event.commits.length)} verified step${event.commits.length === 1 ? '' : 's'} committed (verdict: ${event.verdict})`
          : `${paint(terminal, 'yellow', '⎇')} nothing committed (verdict: ${event.verdict}); ${event.branch} was not created`,
        ...event.commits.map((commit) => `  ${commit.commit.slice(0, 12)} ${commit.stepId} ${commit.title}`),
        ...event.notCommitted.map((entry) => paint(terminal, 'yellow', `  not committed: ${entry.stepId} ${entry.reason}`)),
        ...(event.error !== undefined ? [paint(terminal, 'red', `  ${event.error}`)] : []),
      ].join('\n');
    case 'run/finished':
      return event.modelError !== undefined ? `\n${event.summary}\n${paint(terminal, 'dim', modelErrorHint(event.modelError))}` : `\n${event.summary}`;
    default:
      return undefined;
  }
}

/** `plumbline run`: starts a run on the agent server and follows it in the terminal. */
export async function runTaskCommand(options: RunTaskOptions, terminal: Terminal): Promise<number> {
  const started = takeEarlyServer(options.cwd);
  const session = await startServerSession({
    workspaceFolder: options.cwd,
    timeoutMs: options.timeoutMs,
    settings: settingsFrom(options),
    ...(options.mcpConfigFile !== undefined ? { mcpConfigFile: options.mcpConfigFile } : {}),
    ...(started !== undefined ? { started } : {}),
  });
  const controller = new AbortController();
  let finished: Extract<RunEvent, { type: 'run/finished' }> | undefined;
  let resolveFinished: () => void = () => undefined;
  const finishedPromise = new Promise<void>((resolve) => (resolveFinished = resolve));
  let runId: string | undefined;
  let serverDied: string | undefined;
  // If the server dies mid-run, say so and how to continue, instead of waiting forever.
  session.process.once('exit', (code, signal) => {
    if (finished !== undefined) return;
    serverDied = `The agent server stopped unexpectedly (${signal ?? `exit code ${String(code)}`}).${runId !== undefined ? ` Continue with: plumbline resume ${runId}` : ''}`;
    resolveFinished();
  });

  // Event lines scroll above the live plan, which the terminal keeps at the bottom and redraws in place.
  const print = (text: string): void => terminal.write(`${text}\n`);

  // The wire validates every message both ways; a malformed question is answered with its refusal
  // (cancel, deny, nothing accepted) before it reaches these handlers, and the fields are logged.
  session.onNotification(runEventNotification, ({ event: received }) => {
    // JSON escapes what it carries; a terminal would obey escape sequences in a test's name or a model's words.
    const event = options.json ? received : safeForTerminal(received);
    if (options.json) process.stdout.write(`${JSON.stringify(event)}\n`);
    else if (event.type === 'plan/updated') {
      if (terminal.interactive) terminal.redraw(renderPlanForTerminal(event.plan, terminal));
    } else if (event.type === 'changes') {
      // In step and end modes the review shows every hunk itself.
      if (options.approve === 'auto' || options.approve === 'never') {
        print(event.files.map((file) => `${file.protectedReason !== undefined ? `${protectedWarning(terminal, file)}\n` : ''}${paintFileChange(terminal, file)}`).join('\n'));
      }
    } else {
      const line = describe(event, terminal);
      if (line !== undefined) print(line);
    }
    options.onEvent?.(received);
    if (event.type === 'run/started') runId = event.runId;
    if (event.type === 'run/finished') {
      finished = event;
      resolveFinished();
    }
  });

  session.onRequest(planApprovalRequest, async (question) => {
    if (options.yes || options.json || !terminal.interactive) return { decision: 'approve' };
    // The question follows the plan: the block stays printed above it instead of being redrawn under the answer.
    terminal.settle();
    for (;;) {
      const answer = (await askInTerminal(`Run this plan? [Y]es / [n]o / [e]dit ${question.planPath} `, 'y', controller.signal, 'n')).toLowerCase();
      if (answer.startsWith('n')) return { decision: 'cancel' };
      if (!answer.startsWith('e')) return { decision: 'approve' };
      const editor = process.env.VISUAL ?? process.env.EDITOR ?? 'vi';
      spawnSync(editor, [question.planPath], { stdio: 'inherit', shell: process.platform === 'win32' });
    }
  });

  // One question at a time on the terminal: parallel workers may ask together (commands, ask_user).
  let terminalQuestions: Promise<unknown> = Promise.resolve();
  const canAskOnTerminal = terminal.interactive && process.stdin.isTTY && !options.json;
  session.onRequest(commandApprovalRequest, (question) => {
    const next = terminalQuestions.then(() => approveCommandInTerminal(question, canAskOnTerminal, terminal, controller.signal));
    terminalQuestions = next.catch(() => undefined);
    return next;
  });
  session.onRequest(mcpServerApprovalRequest, (question) => {
    const next = terminalQuestions.then(() => approveMcpServerInTerminal(question, canAskOnTerminal, terminal, controller.signal));
    terminalQuestions = next.catch(() => undefined);
    return next;
  });
  session.onRequest(askUserRequest, (question, closed) => {
    // Without a terminal nobody can answer: at once, not after the questions before it.
    if (!canAskOnTerminal) return Promise.resolve({ answer: null });
    const next = terminalQuestions.then(async () => ({ answer: await answerInTerminal(question, terminal, AbortSignal.any([controller.signal, closed])) }));
    terminalQuestions = next.catch(() => undefined);
    return next;
  });

  session.onRequest(sandboxConsentRequest, async (question) => ({
    decision: await consentInTerminal(question, terminal.interactive && process.stdin.isTTY && !options.json, terminal, controller.signal),
  }));

  session.onRequest(reviewRequest, async ({ files }) => {
    // Nobody to ask (no terminal, or --json, whose stdout carries only events): nothing is accepted.
    // In auto mode only files that run code are asked about; they are left unapplied and reported.
    if (!(terminal.interactive && process.stdin.isTTY && !options.json)) {
      for (const file of files) {
        process.stderr.write(`plumbline: left unapplied: ${file.path}${file.protectedReason !== undefined ? ` (needs your approval: ${file.protectedReason})` : ''}. There is no terminal to ask; run again on a terminal, or apply it yourself.\n`);
      }
      return { decisions: [] };
    }
    terminal.settle();
    return { decisions: await reviewInTerminal(files, terminal, controller.signal) };
  });

  let interrupts = 0;
  const onInterrupt = (): void => {
    interrupts += 1;
    if (interrupts > 1) process.exit(runExitCodes.cancelled);
    const notice = '\nCancelling the run (Ctrl+C again to quit at once)…\n';
    // With --json, stdout carries only events.
    if (options.json) process.stderr.write(notice);
    else terminal.write(paint(terminal, 'yellow', notice));
    controller.abort();
    void session.request(runCancelRequest, {}).catch(() => undefined);
  };
  process.on('SIGINT', onInterrupt);
  try {
    if (options.resumeRunId !== undefined) await session.request(runResumeRequest, { runId: options.resumeRunId, ...(options.yes ? { reviewPlan: false } : {}) });
    else if (options.reviewBranch !== undefined) await session.request(branchReviewRequest, { branch: options.reviewBranch, approve: options.approve });
    else await session.request(runStartRequest, {
      task: options.task,
      approve: options.approve,
      ...runLimits(options),
      ...(options.commitToBranch !== undefined ? { commitToBranch: { ...options.commitToBranch }, reviewPlan: false } : {}),
    });
    await finishedPromise;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    options.onFailure?.(message);
    process.stderr.write(`plumbline: ${message}\n`);
    return runExitCodes.failed;
  } finally {
    process.off('SIGINT', onInterrupt);
    await session.close();
  }
  const result: Extract<RunEvent, { type: 'run/finished' }> | undefined = finished;
  if (serverDied !== undefined && result === undefined) {
    options.onFailure?.(serverDied);
    process.stderr.write(`plumbline: ${serverDied}\n`);
    return runExitCodes.failed;
  }
  if (result === undefined) return runExitCodes.failed;
  return result.status === 'completed' ? runExitCodes.completed : result.status === 'cancelled' ? runExitCodes.cancelled : runExitCodes.failed;
}

/** One line per command a worker asked for: what was decided and how it ended. */
export function describeCommandEvent(event: Extract<RunEvent, { type: 'command/finished' }>, terminal: Pick<Terminal, 'colors'>): string {
  const ran = event.decision === 'allowed' || event.decision === 'approved';
  const mark = !ran ? paint(terminal, 'red', '⊘') : event.exitCode === 0 ? paint(terminal, 'green', '$') : paint(terminal, 'yellow', '$');
  const end = !ran
    ? `${event.decision}: ${event.reasons.join('; ')}`
    : event.timedOut
      ? `timed out after ${(event.durationMs / 1000).toFixed(1)} s`
      : `exit ${String(event.exitCode)} (${(event.durationMs / 1000).toFixed(1)} s)${event.decision === 'approved' ? ', approved by you' : ''}`;
  return `${mark} ${event.stepId} ${event.command} ${paint(terminal, 'dim', `→ ${end}`)}`;
}

/** The command approval as the terminal shows it: the command in full, where it runs and why it is asked. */
export function formatCommandQuestion(params: CommandApprovalParams): string {
  const tool = params.tool;
  if (tool !== undefined) {
    return [
      `Tool call requested by ${params.stepId}: ${tool.name} (the tool "${tool.tool}" of ${tool.server === 'vscode' && tool.name.startsWith('vscode__') ? 'an MCP server VS Code runs' : `the MCP server "${tool.server}"`})`,
      `  arguments: ${tool.arguments}`,
      'It acts outside the review: what it changes is not undone by plumbline undo.',
      'Asked because:',
      ...params.reasons.map((reason) => `  - ${reason}`),
    ].join('\n');
  }
  return [
    `${params.destructive ? 'DESTRUCTIVE command' : 'Command'} requested by ${params.stepId}: ${params.purpose}`,
    `  ${params.command}`,
    `Runs in ${params.cwd}.`,
    'Asked because:',
    ...params.reasons.map((reason) => `  - ${reason}`),
  ].join('\n');
}

/**
 * No sandbox on this machine: asks once whether to run the tests of changes nobody has reviewed
 * unconfined. Without a terminal nobody can say yes: the error stops the run, whose reason says
 * how to install a sandbox or which flag to pass.
 */
async function consentInTerminal(params: SandboxConsentParams, canAsk: boolean, terminal: Terminal, signal: AbortSignal): Promise<'run' | 'review-first' | 'cancel'> {
  if (!canAsk) throw new Error('there is no terminal to ask whether to run tests without a sandbox');
  terminal.settle();
  terminal.write(
    `\n${paint(terminal, 'yellow', `No sandbox: ${params.reason}`)}\n` +
      'The tests would run on changes you have not reviewed yet, with full access to your files, keys and network.\n' +
      `${paint(terminal, 'dim', params.remedy)}\n`,
  );
  const answer = (await askInTerminal('[r]eview first (verify after you accept) / run [u]nsandboxed / [c]ancel the run ', 'r', signal, 'c')).toLowerCase();
  return answer.startsWith('u') ? 'run' : answer.startsWith('c') ? 'cancel' : 'review-first';
}

async function approveCommandInTerminal(params: CommandApprovalParams, canAsk: boolean, terminal: Terminal, signal: AbortSignal): Promise<{ decision: 'run' | 'deny' }> {
  if (!canAsk) {
    const allow = params.tool !== undefined ? 'allow it with --allow-mcp-tool or plumbline.mcp.allow' : 'allow it with --allow-command or plumbline.commands.allow';
    process.stderr.write(`${formatCommandQuestion(params)}\nDenied: there is no terminal to ask for approval (${allow}).\n`);
    return { decision: 'deny' };
  }
  // Below the live plan, which is not redrawn over the question.
  terminal.settle();
  terminal.write(`\n${paint(terminal, params.destructive ? 'red' : 'yellow', formatCommandQuestion(params))}\n`);
  const answer = await askInTerminal(params.tool !== undefined ? 'Call this tool once? [y/N] ' : 'Run this command once? [y/N] ', 'n', signal, 'n');
  return { decision: /^y(es)?$/i.test(answer) ? 'run' : 'deny' };
}
