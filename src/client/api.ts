import type { InlineReviewController } from './review/inlineReviewController';
import type { RunController } from './runs/runController';
import type { TestDiagnostics } from './runs/testDiagnostics';
import type { SandboxStatusWatcher } from './agentServer/sandboxStatus';
import type { AgentServerController } from './agentServer/serverController';
import type { SidebarProvider } from './sidebar/sidebarProvider';
import type { McpStatusWatcher } from './mcp/mcpStatusWatcher';
import type * as vscode from 'vscode';

/**
 * What `activate` returns. VS Code hands it to any extension that asks for Plumbline's exports;
 * the integration tests use it to observe the server and the sidebar without reaching into internals.
 */
export interface PlumblineApi {
  /** Wall-clock time `activate` took, in milliseconds. */
  readonly activationMs: number;
  /** The agent server's phase when `activate` returned: never `ready`, since activation does not wait for it. */
  readonly serverPhaseAtActivation: string;
  readonly server: AgentServerController;
  readonly sidebar: SidebarProvider;
  readonly runs: RunController;
  readonly review: InlineReviewController;
  /** Failing tests in the Problems panel. */
  readonly testDiagnostics: TestDiagnostics;
  /** Which sandbox confines tests and commands, as the ready server reports it. */
  readonly sandbox: SandboxStatusWatcher;
  /** The workspace's MCP servers as the sidebar shows them (asked without starting any). */
  readonly mcp: McpStatusWatcher;
  /** `@plumbline`'s request handler, the one registered with VS Code's Chat view (tests call it where the view cannot be driven). */
  readonly chatHandler: vscode.ChatRequestHandler;
}
