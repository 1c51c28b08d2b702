import type * as z from 'zod';
import { wrapData } from '../../tools/dataText';
import { createFileTool } from '../../tools/createFile';
import { toolRegistry, toToolSpec, type ToolDefinition, type ToolResult } from '../../tools/defineTool';
import { deleteFileTool } from '../../tools/deleteFile';
import { editFileTool } from '../../tools/editFile';
import { askUserTool } from '../../tools/askUser';
import { finishTool } from '../../tools/finish';
import { listFilesTool } from '../../tools/listFiles';
import { readFileTool } from '../../tools/readFile';
import { runCommandTool } from '../../tools/runCommand';
import { searchTextTool } from '../../tools/searchText';
import type { WorkerContext } from '../../tools/toolContexts';
import type { ModelClient, ModelMessage } from '../model/modelTypes';
import { handOffTranscript } from '../model/transcriptHandoff';
import { UsageMeter } from './usageMeter';
import type { Plan, PlanStep } from '../../protocol/plan';
import type { StagedWorkspace } from '../workspace/stagedWorkspace';
import { runAgentLoop, type AgentLoopOptions } from './agentLoop';
import { workerNudge, workerSystemPrompt } from './prompts';
import { exploreContext, workerContext, type WorkerRecorder } from './toolContexts';
import { withMcp, type McpLoopTools } from '../mcp/mcpTools';

const tools: ToolDefinition<z.ZodType, WorkerContext>[] = [readFileTool, searchTextTool, listFilesTool, editFileTool, createFileTool, deleteFileTool, runCommandTool, askUserTool, finishTool];
const registry = toolRegistry(tools);
/** One tool list for every worker of every run: part of the prefix all workers share. */
export const workerToolSpecs = tools.map(toToolSpec);

export type WorkerLoopOptions = Omit<AgentLoopOptions<WorkerContext>, 'role' | 'system' | 'tools' | 'toolSpecs' | 'context' | 'nudge'>;

export type WorkerOutcome =
  | { readonly status: 'done'; readonly summary: string; readonly changedFiles: readonly string[] }
  /** `dropped`: the user dropped the step before it failed for good: it is not re-planned. */
  | { readonly status: 'failed'; readonly error: string; readonly changedFiles: readonly string[]; readonly dropped?: true };

/** Beyond this, a file in a brief is cut to its first lines (read_file pages through the rest). */
const maxBriefChars = 60_000;

/** The step's brief: instructions, the current content of its files, and what its dependencies did. */
async function brief(step: PlanStep, plan: Plan, staged: StagedWorkspace, signal: AbortSignal): Promise<string> {
  const explore = exploreContext(staged, signal);
  const files = await Promise.all(
    step.files.map(async (path) => {
      const read = await explore.readText(path);
      if (read.kind === 'missing') return `<file path="${path}" status="does not exist yet: create it if the step needs it"/>`;
      if (read.kind === 'unreadable') return `<file path="${path}" status="not text: ${read.reason}"/>`;
      if (read.text.length <= maxBriefChars) return wrapData('file', read.text, `path="${path}"`);
      // A huge file would fill the context window (and the bill) before the worker starts.
      const head = read.text.slice(0, maxBriefChars);
      const shownLines = head.split('\n').length - 1;
      return `${wrapData('file', head.slice(0, head.lastIndexOf('\n') + 1), `path="${path}" shown="first ${shownLines} lines of ${read.text.length} characters"`)}\n(The file is larger than the brief shows: use read_file with start_line for the rest.)`;
    }),
  );
  const dependencies = step.dependsOn.flatMap((id) => {
    const done = plan.steps.find((candidate) => candidate.id === id);
    return done === undefined ? [] : [`- ${done.id} (${done.title}): ${done.workerSummary ?? 'done'}`];
  });
  return [
    `<step id="${step.id}">\n${step.title}\n\n${step.instructions}\n</step>`,
    `Files you own (only these may be written): ${step.files.length > 0 ? step.files.join(', ') : 'none'}`,
    dependencies.length > 0 ? `Steps this one builds on:\n${dependencies.join('\n')}` : '',
    `Current content of your files:\n${files.join('\n')}`,
  ]
    .filter((part) => part !== '')
    .join('\n\n');
}

/**
 * One step's worker: its own fork of the staged workspace and its own conversation. `run` starts it
 * from the step's brief; `retry` continues the same conversation with feedback (a failed
 * verification), so the worker keeps what it learned and the request prefix stays cached. It always
 * ends with a structured outcome, failure included.
 */
export class WorkerSession {
  private readonly messages: ModelMessage[] = [];
  private readonly recorder: WorkerRecorder = { summary: undefined, blocked: false };
  /** What this worker's calls used since the fix loop last read it (one attempt's cost). */
  readonly usage = new UsageMeter();
  #client: ModelClient | undefined;

  constructor(
    private readonly step: PlanStep,
    private readonly plan: Plan,
    readonly fork: StagedWorkspace,
    private readonly loop: WorkerLoopOptions,
    /** Runs a command for this step (policy, approval and isolation are the engine's). */
    private readonly runWorkerCommand?: (command: string, purpose: string) => Promise<ToolResult>,
    /** The MCP tools the step names (callable) and the others (refused); absent: none configured. */
    private readonly mcp?: McpLoopTools,
  ) {}

  async run(): Promise<WorkerOutcome> {
    this.messages.push({ role: 'user', content: [{ type: 'text', text: await brief(this.step, this.plan, this.fork, this.loop.signal) }] });
    return this.continue();
  }

  /** The model the worker's next request goes to. */
  get model(): string {
    return (this.#client ?? this.loop.client).model;
  }

  /**
   * Continues with feedback; with `client`, on that model from now on (an escalation), its
   * transcript handed over so the other provider accepts it.
   */
  async retry(feedback: string, client?: ModelClient): Promise<WorkerOutcome> {
    const current = this.#client ?? this.loop.client;
    if (client !== undefined && (client.model !== current.model || client.provider !== current.provider)) {
      this.messages.splice(0, this.messages.length, ...handOffTranscript(this.messages));
      this.#client = client;
    }
    this.messages.push({ role: 'user', content: [{ type: 'text', text: feedback }] });
    return this.continue();
  }

  private async continue(): Promise<WorkerOutcome> {
    // Object.assign, not plain assignments: the tools set these fields, which control-flow
    // narrowing cannot see, so a narrowed `undefined` here would be wrong below.
    Object.assign(this.recorder, { summary: undefined, blocked: false });
    const context = { ...workerContext(this.fork, this.step.files, this.loop.signal, this.recorder, this.runWorkerCommand), ...(this.loop.askUser !== undefined ? { askUser: this.loop.askUser } : {}) };
    const changedFiles = (): string[] => this.fork.changes().map((change) => change.path);
    try {
      const end = await runAgentLoop(
        {
          ...this.loop,
          ...(this.#client !== undefined ? { client: this.#client } : {}),
          onUsage: (call) => {
            this.usage.record(call);
            this.loop.onUsage?.(call);
          },
          role: 'worker',
          system: workerSystemPrompt,
          tools: withMcp(registry, this.mcp),
          toolSpecs: this.mcp !== undefined ? [...workerToolSpecs, ...this.mcp.specs] : workerToolSpecs,
          context,
          nudge: workerNudge,
        },
        this.messages,
      );
      const summary = this.recorder.summary;
      if (summary === undefined) {
        return { status: 'failed', error: end.kind === 'gave_up' ? `The worker stopped: ${end.reason}.` : 'The worker stopped without finishing.', changedFiles: changedFiles() };
      }
      if (this.recorder.blocked) return { status: 'failed', error: `The worker is blocked: ${summary}`, changedFiles: changedFiles() };
      return { status: 'done', summary, changedFiles: changedFiles() };
    } catch (error) {
      if (this.loop.signal.aborted) return { status: 'failed', error: 'cancelled', changedFiles: changedFiles() };
      throw error;
    }
  }
}
