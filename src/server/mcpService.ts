import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { mergeMcpConfigs, parseMcpConfigFile, parseServerMap, type McpConfigFormat, type ParsedMcpConfig } from '../agent/mcp/mcpConfig';
import { McpHub, type McpToolbox } from '../agent/mcp/mcpHub';
import { McpApprovalStore } from '../agent/mcp/mcpTrust';
import { vscodeToolEntries, withVsCodeTools, type VsCodeToolPort } from '../agent/mcp/vscodeTools';
import type { SandboxSettings } from '../agent/sandbox/sandboxPolicy';
import type { SandboxAvailability } from '../agent/sandbox/sandboxTypes';
import type { McpStatus } from '../protocol/mcp';
import { mcpServerApprovalRequest, vscodeToolInvokeRequest, vscodeToolsListRequest } from '../protocol/methods';
import type { ServerWire } from './typedConnection';
import type { SettingsSource } from './settingsSource';

export interface McpServiceDeps {
  readonly wire: ServerWire;
  readonly settings: SettingsSource;
  readonly workspaceRoot: () => string | undefined;
  readonly workspaceTrusted: () => boolean;
  /** `--mcp-config FILE` (initializationOptions): the user's own servers. */
  readonly configFile: () => string | undefined;
  readonly sandbox: () => Promise<SandboxAvailability>;
  readonly sandboxSettings: () => SandboxSettings;
  /** The client is VS Code: the tools of the MCP servers it runs are asked for and bridged. */
  readonly vscodeClient: () => boolean;
  readonly log: (line: string) => void;
}

/** How long a run waits for VS Code to list its tools before it goes on without them. */
const vscodeToolsListTimeoutMs = 10_000;

/**
 * The workspace's MCP servers for the agent server: reads the four sources (the user's first, so
 * a workspace can never replace a user's server), keeps one hub per workspace folder, and brings
 * it up to date before each run and each status request. Nothing of the SDK is loaded when no
 * server is configured.
 */
export class McpService {
  private hub: { root: string; hub: McpHub } | undefined;

  constructor(private readonly deps: McpServiceDeps) {}

  /** The servers' current definitions, each source parsed on its own. */
  async definitions(root: string): Promise<ParsedMcpConfig> {
    const file = this.deps.configFile();
    const sources: Promise<ParsedMcpConfig>[] = [
      ...(file !== undefined ? [readSource(file, file, 'mcpServers', 'user', true)] : []),
      Promise.resolve(parseServerMap(this.deps.settings.current.mcp.servers, 'plumbline.mcp.servers (user settings)', 'user', 'plumbline.mcp.servers')),
      readSource(join(root, '.mcp.json'), '.mcp.json', 'mcpServers', 'workspace', false),
      readSource(join(root, '.vscode', 'mcp.json'), '.vscode/mcp.json', 'vscode', 'workspace', false),
    ];
    return mergeMcpConfigs(await Promise.all(sources));
  }

  /**
   * The toolbox a run gets: the MCP servers' (started first where allowed) and, in VS Code, the
   * tools of the MCP servers VS Code runs; undefined when there is neither.
   */
  async toolboxForRun(signal: AbortSignal): Promise<McpToolbox | undefined> {
    const servers = await this.prepare(signal);
    if (!this.deps.vscodeClient()) return servers;
    const port = this.vscodePort();
    let entries;
    try {
      const listing = AbortSignal.any([signal, AbortSignal.timeout(vscodeToolsListTimeoutMs)]);
      entries = vscodeToolEntries(await port.list(listing));
    } catch (error) {
      this.deps.log(`VS Code's MCP tools could not be listed, so this run goes without them: ${error instanceof Error ? error.message : String(error)}`);
      return servers;
    }
    if (entries.length > 0) this.deps.log(`VS Code's MCP tools for this run: ${entries.map((entry) => entry.modelName).join(', ')}`);
    return withVsCodeTools(servers, entries, port);
  }

  private vscodePort(): VsCodeToolPort {
    const { wire } = this.deps;
    return {
      list: async (signal) => (await wire.request(vscodeToolsListRequest, {}, signal)).tools,
      invoke: async (name, input, signal) => {
        try {
          return await wire.request(vscodeToolInvokeRequest, { name, input }, signal);
        } catch (error) {
          // A refused or failed call is the tool's error, for the model to read, not the run's end.
          if (signal.aborted) throw error;
          return { isError: true, text: `VS Code could not call the tool: ${error instanceof Error ? error.message : String(error)}` };
        }
      },
    };
  }

  /** Starts what is configured and allowed; the MCP servers' toolbox, or undefined without a ready server. */
  async prepare(signal: AbortSignal, only?: string): Promise<McpToolbox | undefined> {
    const root = this.deps.workspaceRoot();
    if (root === undefined) return undefined;
    await this.deps.settings.settled();
    const config = await this.definitions(root);
    if (config.servers.length === 0 && this.hub === undefined) {
      for (const problem of config.problems) this.deps.log(`MCP configuration: ${problem.source}: ${problem.field}: ${problem.message}`);
      return undefined;
    }
    const hub = this.hubFor(root);
    await hub.sync(
      config,
      {
        workspaceTrusted: this.deps.workspaceTrusted(),
        // A client without a handler answers with an error: the hub counts that as unanswered.
        ask: (question, asking) => this.deps.wire.request(mcpServerApprovalRequest, { ...question, environment: [...question.environment] }, asking),
      },
      this.deps.sandboxSettings(),
      signal,
      only,
    );
    return hub.toolbox();
  }

  /**
   * The servers with their approval, state and tools. `start: false` starts and asks nothing: it
   * reads the definitions and the approvals, and reports what already runs in this process.
   */
  async status(signal: AbortSignal, start = true): Promise<McpStatus> {
    const root = this.deps.workspaceRoot();
    if (root === undefined) return { servers: [], problems: [] };
    if (!start) {
      await this.deps.settings.settled();
      return this.hubFor(root).describe(await this.definitions(root), this.deps.workspaceTrusted());
    }
    await this.prepare(signal);
    if (this.hub === undefined) {
      const config = await this.definitions(root);
      return { servers: [], problems: config.problems.map((problem) => `${problem.source}: ${problem.field}: ${problem.message}`) };
    }
    return this.hub.hub.status(this.deps.workspaceTrusted());
  }

  /** Starts the one server `name` (asking approval when the workspace defines it); the status after, without starting others. */
  async start(name: string, signal: AbortSignal): Promise<McpStatus> {
    const root = this.deps.workspaceRoot();
    if (root === undefined) throw new Error('No workspace folder is open: there are no MCP servers to start.');
    await this.deps.settings.settled();
    if (!(await this.definitions(root)).servers.some((server) => server.name === name)) {
      throw new Error(`No MCP server named "${name}" is configured (in plumbline.mcp.servers, .mcp.json or .vscode/mcp.json).`);
    }
    await this.prepare(signal, name);
    return this.status(signal, false);
  }

  private hubFor(root: string): McpHub {
    if (this.hub?.root === root) return this.hub.hub;
    void this.hub?.hub.close();
    const hub = new McpHub({ root, env: process.env, sandbox: this.deps.sandbox, approvals: new McpApprovalStore(), log: this.deps.log });
    this.hub = { root, hub };
    return hub;
  }

  async dispose(): Promise<void> {
    await this.hub?.hub.close();
    this.hub = undefined;
  }
}

/** A file of definitions; a missing workspace file is no servers, a missing `--mcp-config` file a problem. */
async function readSource(path: string, source: string, format: McpConfigFormat, origin: 'user' | 'workspace', required: boolean): Promise<ParsedMcpConfig> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
    if (missing && !required) return { servers: [], problems: [] };
    return { servers: [], problems: [{ source, field: '(file)', message: missing ? 'the file does not exist' : `could not be read: ${error instanceof Error ? error.message : String(error)}` }] };
  }
  return parseMcpConfigFile(text, source, format, origin);
}
