import type { SandboxSettings } from '../sandbox/sandboxPolicy';
import type { SandboxAvailability } from '../sandbox/sandboxTypes';
import { formatProblem, type McpConfigProblem, type McpServerDefinition, type ParsedMcpConfig } from './mcpConfig';
import { connectMcpServer, type McpCallOutcome, type McpConnection } from './mcpConnection';
import { launchMcpServer } from './mcpLaunch';
import { assignToolNames } from './mcpNames';
import { definitionFingerprint, serverKey, type McpApprovalStore } from './mcpTrust';
import { referencedVariables, resolveStdio } from './mcpVariables';
import type { McpApprovalState, McpServerApprovalAnswer, McpServerStatus, McpStatus } from '../../protocol/mcp';

/**
 * The MCP servers of one workspace, kept running between runs: each `sync` reads the current
 * definitions, stops servers that were removed or changed, and starts the rest once each is
 * allowed to start. A server the workspace defines starts only in a trusted workspace and after
 * the user approved its exact definition (mcpTrust.ts); the user's own (settings, `--mcp-config`)
 * start without asking. A server that fails is reported and the others keep working.
 */

/** What the user is asked before a workspace's server runs for the first time (or after it changed). */
export interface McpServerApprovalQuestion {
  readonly name: string;
  readonly source: string;
  readonly transport: 'stdio' | 'http';
  /** The command line, or the address. */
  readonly summary: string;
  /** The names of the variables it sets and the ones its values reference. */
  readonly environment: readonly string[];
}

export interface McpTrustAnswerer {
  /** The client's workspace trust: false (Restricted Mode) starts no workspace server. */
  readonly workspaceTrusted: boolean;
  /** Asks the user; absent, or `unanswered` (no terminal, `--json`), the server does not start this time. */
  ask?(question: McpServerApprovalQuestion, signal: AbortSignal): Promise<McpServerApprovalAnswer>;
}

export interface McpHubOptions {
  readonly root: string;
  readonly env: NodeJS.ProcessEnv;
  /** Probed when the first stdio server starts, not before (a status that starts nothing probes nothing). */
  readonly sandbox: () => Promise<SandboxAvailability>;
  readonly approvals: McpApprovalStore;
  readonly log: (line: string) => void;
}

/** One tool as the model calls it. */
export interface McpToolEntry {
  readonly modelName: string;
  readonly server: string;
  readonly tool: string;
  readonly description: string;
  readonly inputSchema: Record<string, unknown>;
  readonly readOnly: boolean;
}

export interface McpResourceEntry {
  readonly server: string;
  readonly uri: string;
  readonly name: string;
  readonly description?: string;
}

/** What a run gets: the ready servers' tools and resources, and the way to use them. */
export interface McpToolbox {
  readonly tools: readonly McpToolEntry[];
  readonly resources: readonly McpResourceEntry[];
  call(entry: McpToolEntry, args: Record<string, unknown>, signal: AbortSignal): Promise<McpCallOutcome>;
  readResource(server: string, uri: string, signal: AbortSignal): Promise<string>;
}

interface Entry {
  readonly definition: McpServerDefinition;
  readonly fingerprint: string;
  state: McpServerStatus['state'];
  detail: string;
  connection?: McpConnection;
  confinement?: string;
}

export function summaryOf(definition: McpServerDefinition): string {
  const transport = definition.transport;
  return transport.kind === 'stdio' ? [transport.command, ...transport.args].join(' ') : transport.url;
}

/** Why a configured server is not running here, and what starts it. */
function stoppedDetail(definition: McpServerDefinition, approval: McpApprovalState): string {
  switch (approval) {
    case 'not-needed':
    case 'approved':
      return 'not running: it starts with the next run';
    case 'needs-approval':
      return `defined by the workspace (${definition.source}): it starts once you approve this definition`;
    case 'changed':
      return `its definition in ${definition.source} changed since you approved it: it starts once you approve it again`;
    case 'declined':
      return `you declined this definition from ${definition.source}; you are asked again when it changes or the agent server restarts`;
    case 'untrusted':
      return `defined by the workspace (${definition.source}), which is not trusted (Restricted Mode): not started`;
  }
}

export class McpHub {
  private readonly entries = new Map<string, Entry>();
  private problems: readonly McpConfigProblem[] = [];
  /** Definitions the user said no to while this server runs: not asked again until they change. */
  private readonly denied = new Set<string>();

  constructor(private readonly options: McpHubOptions) {}

  /**
   * Brings the running servers in line with `config`; resolves once each has started or failed.
   * `only`: start (and ask about) that server alone; the others stay as they are.
   */
  async sync(config: ParsedMcpConfig, trust: McpTrustAnswerer, sandboxSettings: SandboxSettings, signal: AbortSignal, only?: string): Promise<void> {
    this.problems = config.problems;
    for (const problem of config.problems) this.options.log(`MCP configuration: ${formatProblem(problem)}`);
    const wanted = new Map(config.servers.map((definition) => [definition.name, { definition, fingerprint: definitionFingerprint(this.options.root, definition) }]));
    for (const [name, entry] of this.entries) {
      const next = wanted.get(name);
      if (next === undefined || next.fingerprint !== entry.fingerprint || next.definition.origin !== entry.definition.origin) {
        this.entries.delete(name);
        await entry.connection?.close();
      }
    }
    // Asked one at a time (a terminal shows one question), then started together.
    const toStart: Entry[] = [];
    for (const { definition, fingerprint } of wanted.values()) {
      if (only !== undefined && definition.name !== only) continue;
      // Started by name (the sidebar's Start): the person asks for it now, so an earlier no is asked again.
      if (only !== undefined) this.denied.delete(fingerprint);
      const existing = this.entries.get(definition.name);
      if (existing?.state === 'ready') continue;
      const entry: Entry = existing ?? { definition, fingerprint, state: 'starting', detail: '' };
      this.entries.set(definition.name, entry);
      if (await this.mayStart(entry, trust, signal)) toStart.push(entry);
    }
    await Promise.all(toStart.map((entry) => this.start(entry, sandboxSettings)));
  }

  private async mayStart(entry: Entry, trust: McpTrustAnswerer, signal: AbortSignal): Promise<boolean> {
    const { definition, fingerprint } = entry;
    if (definition.origin === 'user') return true;
    if (!trust.workspaceTrusted) {
      Object.assign(entry, { state: 'untrusted', detail: `defined by the workspace (${definition.source}), which is not trusted (Restricted Mode): not started` });
      return false;
    }
    if (await this.options.approvals.isApproved(fingerprint)) return true;
    if (this.denied.has(fingerprint)) {
      Object.assign(entry, { state: 'not-approved', detail: `you declined this definition from ${definition.source}; it is asked about again when it changes or Plumbline restarts` });
      return false;
    }
    if (trust.ask === undefined) {
      Object.assign(entry, { state: 'not-approved', detail: `defined by the workspace (${definition.source}) and not approved yet; there is no terminal to ask on, so it was not started (run Plumbline in a terminal once to approve it)` });
      return false;
    }
    const environment = [...new Set([...(definition.transport.kind === 'stdio' ? Object.keys(definition.transport.env) : Object.keys(definition.transport.headers)), ...referencedVariables(definition.transport)])].sort();
    let answer: McpServerApprovalAnswer;
    try {
      answer = await trust.ask({ name: definition.name, source: definition.source, transport: definition.transport.kind, summary: summaryOf(definition), environment }, signal);
    } catch (error) {
      answer = { decision: 'deny', unanswered: `approval could not be asked: ${error instanceof Error ? error.message : String(error)}` };
    }
    if (answer.decision === 'deny') {
      // Nobody answered: asked again next time. A person's no stands until the definition changes.
      if (answer.unanswered === undefined) this.denied.add(fingerprint);
      const detail = answer.unanswered !== undefined ? `defined by the workspace (${definition.source}) and not approved yet (${answer.unanswered}), so it was not started` : `you declined to run it (${definition.source}); not started`;
      Object.assign(entry, { state: 'not-approved', detail });
      this.options.log(`MCP server "${definition.name}": ${detail}.`);
      return false;
    }
    await this.options.approvals.approve(fingerprint, serverKey(this.options.root, definition.name));
    return true;
  }

  private async start(entry: Entry, sandboxSettings: SandboxSettings): Promise<void> {
    const { definition } = entry;
    Object.assign(entry, { state: 'starting', detail: '' });
    try {
      let launch;
      if (definition.transport.kind === 'stdio') {
        const resolved = resolveStdio(definition, this.options.env, this.options.root);
        if (resolved instanceof Error) throw new Error(`${definition.source}: ${resolved.message}`);
        launch = await launchMcpServer(resolved, this.options.root, await this.options.sandbox(), sandboxSettings, this.options.env);
        entry.confinement = launch.confinement;
      }
      const connection = await connectMcpServer(definition, launch, this.options.env, this.options.root);
      Object.assign(entry, { connection, state: 'ready', detail: `${String(connection.tools.length)} tools${connection.resources.length > 0 ? `, ${String(connection.resources.length)} resources` : ''}${entry.confinement !== undefined ? `; ${entry.confinement}` : ''}` });
      this.options.log(`MCP server "${definition.name}" is ready: ${entry.detail}.`);
    } catch (error) {
      Object.assign(entry, { state: 'failed', detail: `could not start: ${error instanceof Error ? error.message : String(error)}` });
      this.options.log(`MCP server "${definition.name}" ${entry.detail}`);
    }
  }

  /** Every server the last `sync` saw, with its approval, state and tools, and the configuration's problems. */
  async status(workspaceTrusted: boolean): Promise<McpStatus> {
    const entries = [...this.entries.values()];
    const servers = await Promise.all(entries.map(async (entry) => this.statusOf(entry.definition, await this.approvalOf(entry.definition, entry.fingerprint, workspaceTrusted), entry)));
    return { servers, problems: this.problems.map(formatProblem) };
  }

  /**
   * What `config` defines, described without starting or asking anything: each server's approval,
   * and for one already running here (with this exact definition) its state and tools.
   */
  async describe(config: ParsedMcpConfig, workspaceTrusted: boolean): Promise<McpStatus> {
    const servers = await Promise.all(
      config.servers.map(async (definition) => {
        const fingerprint = definitionFingerprint(this.options.root, definition);
        const approval = await this.approvalOf(definition, fingerprint, workspaceTrusted);
        const entry = this.entries.get(definition.name);
        const current = entry !== undefined && entry.fingerprint === fingerprint && entry.definition.origin === definition.origin ? entry : undefined;
        return this.statusOf(definition, approval, current);
      }),
    );
    return { servers, problems: config.problems.map(formatProblem) };
  }

  private async approvalOf(definition: McpServerDefinition, fingerprint: string, workspaceTrusted: boolean): Promise<McpApprovalState> {
    if (definition.origin === 'user') return 'not-needed';
    if (!workspaceTrusted) return 'untrusted';
    const found = await this.options.approvals.lookup(fingerprint, serverKey(this.options.root, definition.name));
    if (found === 'approved') return 'approved';
    if (this.denied.has(fingerprint)) return 'declined';
    return found === 'changed' ? 'changed' : 'needs-approval';
  }

  private statusOf(definition: McpServerDefinition, approval: McpApprovalState, entry: Entry | undefined): McpServerStatus {
    const names = this.toolNames();
    const base = { name: definition.name, origin: definition.origin, source: definition.source, transport: definition.transport.kind, approval, summary: summaryOf(definition) };
    if (entry === undefined) return { ...base, state: approval === 'untrusted' ? 'untrusted' : 'stopped', detail: stoppedDetail(definition, approval), tools: [] };
    return {
      ...base,
      state: entry.state,
      detail: entry.detail,
      tools: (entry.connection?.tools ?? []).map((tool) => ({
        name: names.find((named) => named.server === definition.name && named.tool === tool.name)?.modelName ?? tool.name,
        readOnly: tool.readOnly,
        ...(tool.description !== '' ? { description: tool.description.slice(0, 1000) } : {}),
      })),
    };
  }

  private toolNames(): McpToolEntry[] {
    const all = [...this.entries.values()].flatMap((entry) =>
      entry.state === 'ready' && entry.connection !== undefined
        ? entry.connection.tools.map((tool) => ({ server: entry.definition.name, tool: tool.name, description: tool.description, inputSchema: tool.inputSchema, readOnly: tool.readOnly }))
        : [],
    );
    return [...assignToolNames(all)].map(([modelName, tool]) => ({ modelName, ...tool }));
  }

  /** The ready servers' tools and resources for a run; undefined when no server is ready. */
  toolbox(): McpToolbox | undefined {
    const tools = this.toolNames();
    const ready = [...this.entries.values()].filter((entry) => entry.state === 'ready' && entry.connection !== undefined);
    if (ready.length === 0) return undefined;
    const resources = ready.flatMap((entry) => (entry.connection?.resources ?? []).map((resource) => ({ server: entry.definition.name, uri: resource.uri, name: resource.name, ...(resource.description !== undefined ? { description: resource.description } : {}) })));
    const connectionOf = (server: string): McpConnection => {
      const connection = this.entries.get(server)?.connection;
      if (connection === undefined) throw new Error(`the MCP server "${server}" is not running any more`);
      return connection;
    };
    return {
      tools,
      resources,
      call: (entry, args, signal) => connectionOf(entry.server).callTool(entry.tool, args, signal),
      readResource: (server, uri, signal) => connectionOf(server).readResource(uri, signal),
    };
  }

  async close(): Promise<void> {
    const entries = [...this.entries.values()];
    this.entries.clear();
    await Promise.all(entries.map((entry) => entry.connection?.close() ?? Promise.resolve()));
  }
}
