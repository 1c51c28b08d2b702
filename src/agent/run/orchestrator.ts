import type { TaskScope } from '../../protocol/run';
import * as z from 'zod';
import { toolRegistry, toToolSpec, type ToolDefinition } from '../../tools/defineTool';
import { withMcp, type McpLoopTools } from '../mcp/mcpTools';
import { findReferencesTool, findSymbolsTool } from '../../tools/findSymbols';
import { gitDiffTool, gitStatusTool } from '../../tools/gitTools';
import { listFilesTool } from '../../tools/listFiles';
import { readFileTool } from '../../tools/readFile';
import { searchTextTool } from '../../tools/searchText';
import { askUserTool } from '../../tools/askUser';
import { submitPlanTool } from '../../tools/submitPlan';
import type { GitPort, PlanningContext, SymbolPort } from '../../tools/toolContexts';
import type { ModelMessage } from '../model/modelTypes';
import { submittedPlanSchema, type Plan, type SubmittedPlan, type ValidationContext, type ValidationResult } from '../../protocol/plan';
import { validatePlan, validateReplan } from '../plan/validatePlan';
import { runAgentLoop, type AgentLoopOptions } from './agentLoop';
import { planSizeErrors } from './planBounds';
import { orchestratorNudge, orchestratorSystemPrompt } from './prompts';
import { exploreContext } from './toolContexts';
import type { WorkspaceReader } from '../../tools/workspacePort';

const baseTools: ToolDefinition<z.ZodType, PlanningContext>[] = [listFilesTool, readFileTool, searchTextTool, gitStatusTool, gitDiffTool, askUserTool, submitPlanTool];
/** In VS Code the editor's language servers add two precise lookups, before submit_plan. */
const symbolTools: ToolDefinition<z.ZodType, PlanningContext>[] = [
  listFilesTool,
  readFileTool,
  searchTextTool,
  gitStatusTool,
  gitDiffTool,
  findSymbolsTool,
  findReferencesTool,
  askUserTool,
  submitPlanTool,
];
const registries = { base: toolRegistry(baseTools), symbols: toolRegistry(symbolTools) };
/** Derived once: the same bytes in every orchestrator request of every run (per host kind). */
export const orchestratorToolSpecs = baseTools.map(toToolSpec);
const symbolToolSpecs = symbolTools.map(toToolSpec);

export type OrchestratorLoopOptions = Omit<AgentLoopOptions<PlanningContext>, 'role' | 'system' | 'tools' | 'toolSpecs' | 'context' | 'nudge'>;

export class PlanningFailedError extends Error {
  override readonly name = 'PlanningFailedError';

  constructor(
    message: string,
    /** Why, without the preamble: what a caller that names the cause first says after it. */
    readonly detail?: string,
  ) {
    super(message);
  }
}

/** One line after the task when it is about a selection; nothing otherwise, so unscoped prompts stay as they were. */
export function scopeNote(scope: TaskScope | undefined): string {
  if (scope === undefined) return '';
  return `<scope path="${scope.path.replace(/[&"<>]/g, (char) => `&#${String(char.charCodeAt(0))};`)}" lines="${String(scope.startLine)}-${String(scope.endLine)}">Keep changes to these lines unless the task needs more (callers, tests).</scope>\n`;
}

/**
 * The orchestrator keeps one conversation for the whole run: exploring, planning, and later
 * re-planning when a step fails, so every request extends the cached prefix of the last.
 */
export class Orchestrator {
  private readonly messages: ModelMessage[] = [];

  constructor(
    private readonly workspace: WorkspaceReader,
    private readonly validation: ValidationContext,
    private readonly loop: OrchestratorLoopOptions,
    private readonly symbols?: SymbolPort,
    private readonly git?: GitPort,
    /** The run's MCP tools for planning (read-only ones callable); absent: none configured. */
    private readonly mcp?: McpLoopTools,
  ) {}

  /** Explores and returns a validated plan for the task. */
  async plan(task: string, overview: string, scope?: TaskScope): Promise<SubmittedPlan> {
    // The MCP tools only steps may call are named here, once: the orchestrator cannot call them, only give them.
    const forSteps = this.mcp?.forSteps !== undefined ? `\n${this.mcp.forSteps}` : '';
    this.messages.push({ role: 'user', content: [{ type: 'text', text: `<task>\n${task}\n</task>\n${scopeNote(scope)}\n${overview}${forSteps}` }] });
    return this.run((submitted) => bounded(validatePlan(submitted, this.validation), planSizeErrors(submitted)));
  }

  /** After a crash the conversation is gone: start a new one that knows the task and the plan so far. */
  resumeFrom(task: string, plan: Plan, scope?: TaskScope): void {
    const steps = plan.steps.map((step) => `- ${step.id} [${step.status}] ${step.title} (${step.files.join(', ')})`).join('\n');
    this.messages.push(
      { role: 'user', content: [{ type: 'text', text: `<task>\n${task}\n</task>\n${scopeNote(scope)}\nThis run was interrupted and resumed. The plan so far:\n${steps}${this.mcp?.forSteps !== undefined ? `\n${this.mcp.forSteps}` : ''}` }] },
      { role: 'assistant', content: [{ type: 'text', text: 'Understood: I will revise the remaining plan when asked.' }] },
    );
  }

  /** Asks for a revised plan for the remaining work; the current plan's finished steps stay as they are. */
  async replan(current: Plan, report: string): Promise<SubmittedPlan> {
    this.messages.push({ role: 'user', content: [{ type: 'text', text: report }] });
    return this.run((submitted) => bounded(validateReplan(current, submitted, this.validation), planSizeErrors(submitted, current)));
  }

  private async run(validate: (plan: SubmittedPlan) => { ok: true; plan: SubmittedPlan } | { ok: false; errors: readonly string[] }): Promise<SubmittedPlan> {
    let accepted: SubmittedPlan | undefined;
    /** The last submission's problems: what a give-up is reported with. */
    let refused: readonly string[] = [];
    const context: PlanningContext = {
      ...exploreContext(this.workspace, this.loop.signal, this.symbols),
      ...(this.git !== undefined ? { git: this.git } : {}),
      ...(this.loop.askUser !== undefined ? { askUser: this.loop.askUser } : {}),
      submitPlan: (raw: unknown) => {
        const parsed = submittedPlanSchema.safeParse(raw);
        if (!parsed.success) {
          refused = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
          return Promise.resolve(refused);
        }
        const result = validate(parsed.data);
        if (!result.ok) {
          refused = result.errors;
          return Promise.resolve(result.errors);
        }
        accepted = result.plan;
        return Promise.resolve([]);
      },
    };
    const end = await runAgentLoop(
      {
        ...this.loop,
        role: 'orchestrator',
        system: orchestratorSystemPrompt,
        tools: withMcp(this.symbols !== undefined ? registries.symbols : registries.base, this.mcp),
        toolSpecs: this.mcp !== undefined ? [...(this.symbols !== undefined ? symbolToolSpecs : orchestratorToolSpecs), ...this.mcp.specs] : this.symbols !== undefined ? symbolToolSpecs : orchestratorToolSpecs,
        context,
        nudge: orchestratorNudge,
      },
      this.messages,
    );
    if (accepted === undefined) {
      const why = end.kind === 'gave_up' ? `the orchestrator gave up (${end.reason})` : 'the orchestrator stopped';
      const last = refused.length > 0 ? `; its last plan was refused: ${refused.join(' ').slice(0, 600)}` : '';
      throw new PlanningFailedError(end.kind === 'gave_up' ? `The orchestrator did not produce a valid plan: ${end.reason}.` : 'The orchestrator did not produce a valid plan.', `${why}${last}`);
    }
    return accepted;
  }
}

/** A validation result with the size problems added to it. */
function bounded(result: ValidationResult<SubmittedPlan>, sizeErrors: readonly string[]): ValidationResult<SubmittedPlan> {
  if (sizeErrors.length === 0) return result;
  return { ok: false, errors: [...(result.ok ? [] : result.errors), ...sizeErrors] };
}
