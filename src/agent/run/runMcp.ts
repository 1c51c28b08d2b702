import type { ValidationContext } from '../../protocol/plan';
import type { PlanStep } from '../../protocol/plan';
import { planningMcpTools, stepMcpTools, type McpCallPolicy, type McpLoopTools } from '../mcp/mcpTools';
import type { RunContext } from './runContext';

/**
 * A run's MCP tools (RunHost.mcp: the servers the host started before the run): what the
 * orchestrator may call while planning, what each step's worker may call, and the plan's
 * validation, which knows the tools a step may name. Absent toolbox: no MCP anywhere.
 */

function policy(ctx: RunContext): McpCallPolicy {
  const host = ctx.host;
  return { allow: ctx.options.mcp?.allow ?? [], ...(host.approveCommand !== undefined ? { approve: (question, signal) => host.approveCommand?.(question, signal) ?? Promise.resolve('deny' as const) } : {}) };
}

export function planningTools(ctx: RunContext): McpLoopTools | undefined {
  const toolbox = ctx.host.mcp;
  return toolbox !== undefined ? planningMcpTools(toolbox, policy(ctx)) : undefined;
}

export function stepTools(ctx: RunContext, step: PlanStep): McpLoopTools | undefined {
  const toolbox = ctx.host.mcp;
  return toolbox !== undefined ? stepMcpTools(toolbox, policy(ctx), step.id, step.tools ?? []) : undefined;
}

/** The host's validation, knowing the run's MCP tool names (a step's `tools` must be among them). */
export function validationWithMcp(ctx: RunContext): ValidationContext {
  const toolbox = ctx.host.mcp;
  return toolbox !== undefined ? { ...ctx.host.validation, mcpTools: toolbox.tools.map((tool) => tool.modelName) } : ctx.host.validation;
}
