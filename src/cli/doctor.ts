import { mcpServerApprovalRequest, mcpStatusRequest, pingModelsRequest, statusRequest, type PingResult } from '../protocol/methods';
import type { McpStatus } from '../protocol/mcp';
import type { ServerStatus } from '../protocol/status';
import { startServerSession } from './serverConnection';

export type CheckLevel = 'ok' | 'warn' | 'fail';

export interface DoctorCheck {
  readonly name: string;
  readonly level: CheckLevel;
  readonly detail: string;
}

export interface DoctorReport {
  readonly ok: boolean;
  readonly checks: DoctorCheck[];
  readonly status: ServerStatus | null;
  readonly initializeMs: number | null;
  readonly pings: PingResult[] | null;
}

export interface DoctorOptions {
  readonly workspaceFolder: string;
  readonly timeoutMs: number;
  readonly serverPath?: string;
  /** Receives the server's log lines (`--verbose`). */
  readonly onLog?: (line: string) => void;
  /** Make a one-token call to each configured model. */
  readonly ping?: boolean;
  /** `--mcp-config FILE`, absolute. */
  readonly mcpConfigFile?: string;
}

function providerChecks(status: ServerStatus): DoctorCheck[] {
  const usable = status.providers.some((provider) => provider.keyPresent);
  return status.providers
    .filter((provider) => provider.id !== 'vscode-lm')
    .map((provider): DoctorCheck => {
      const base = provider.baseUrl !== null ? ` · base URL ${provider.baseUrl}` : '';
      if (provider.keyPresent) {
        return { name: provider.id, level: 'ok', detail: `key set (${provider.keySource ?? 'unknown source'})${base}` };
      }
      const variable = provider.id === 'openai' ? 'OPENAI_API_KEY' : 'ANTHROPIC_API_KEY';
      return {
        name: provider.id,
        // One configured provider is enough; only warn about the others.
        level: 'warn',
        detail: `no key: set ${variable}${usable ? ' to use this provider' : ''}${base}`,
      };
    });
}

/** One line per MCP server (state, where it is defined, its tools), one per configuration problem. */
function mcpChecks(mcp: McpStatus): DoctorCheck[] {
  const servers = mcp.servers.map((server): DoctorCheck => {
    const tools = server.tools.length > 0 ? `\n      tools: ${server.tools.map((tool) => `${tool.name}${tool.readOnly ? '' : ' (asks)'}`).join(', ')}` : '';
    return { name: `mcp ${server.name}`, level: server.state === 'ready' ? 'ok' : 'warn', detail: `${server.state} · ${server.transport} · ${server.source}: ${server.detail}${tools}` };
  });
  return [...servers, ...mcp.problems.map((problem): DoctorCheck => ({ name: 'mcp config', level: 'warn', detail: problem }))];
}

function describeEndpoint(provider: string, model: string, baseUrl: string | null): string {
  return `${provider} · ${model === '' ? 'first available model' : model}${baseUrl !== null ? ` at ${baseUrl}` : ''}`;
}

function modelChecks(status: ServerStatus): DoctorCheck[] {
  const checks = status.models.map((model): DoctorCheck => ({ name: model.role, level: 'ok', detail: describeEndpoint(model.provider, model.model, model.baseUrl) }));
  if (status.modelsError !== null) checks.push({ name: 'models', level: 'warn', detail: status.modelsError });
  return checks;
}

function pingCheck(result: PingResult): DoctorCheck {
  const usedBy = result.roles.length > 0 ? result.roles.join(', ') : 'not used by a role';
  const target = `${describeEndpoint(result.provider, result.model, result.baseUrl)} (${usedBy})`;
  return result.ok
    ? { name: 'ping', level: 'ok', detail: `${target} answered in ${result.latencyMs.toFixed(0)} ms` }
    : { name: 'ping', level: 'fail', detail: `${target}: ${result.error ?? 'failed'}` };
}

/**
 * Starts the agent server over stdio, completes a real LSP initialize round trip, and reports what
 * the server sees. `ok` is false only when something Plumbline needs is broken; a provider without
 * a key is a warning.
 */
export async function runDoctor(options: DoctorOptions): Promise<DoctorReport> {
  const checks: DoctorCheck[] = [{ name: 'node', level: 'ok', detail: process.version }];
  let session;
  try {
    session = await startServerSession({
      workspaceFolder: options.workspaceFolder,
      timeoutMs: options.timeoutMs,
      ...(options.serverPath !== undefined ? { serverPath: options.serverPath } : {}),
      ...(options.onLog !== undefined ? { onLog: options.onLog } : {}),
      ...(options.mcpConfigFile !== undefined ? { mcpConfigFile: options.mcpConfigFile } : {}),
    });
    // A workspace's MCP server not yet approved is reported as such: doctor asks nothing.
    session.onRequest(mcpServerApprovalRequest, () => ({ decision: 'deny' as const, unanswered: 'plumbline doctor does not ask; run a task on a terminal to approve it' }));
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    checks.unshift({ name: 'agent server', level: 'fail', detail: `${reason}. Run again with --verbose to see the server's log; reinstall Plumbline if it persists.` });
    return { ok: false, checks, status: null, initializeMs: null, pings: null };
  }
  try {
    const info = session.initializeResult.serverInfo;
    checks.unshift({
      name: 'agent server',
      level: 'ok',
      detail: `${info?.name ?? 'unknown'} ${info?.version ?? '?'} (initialize round trip ${session.initializeMs.toFixed(0)} ms)`,
    });
    const status = await session.request(statusRequest, {});
    checks.push({
      name: 'git',
      level: status.git.available ? 'ok' : 'warn',
      detail: status.git.available
        ? `git ${status.git.version ?? ''}`.trim()
        : 'not found on PATH: install git; Plumbline then isolates verification in a git worktree',
    });
    if (status.sandbox !== undefined) {
      const sandbox = status.sandbox;
      checks.push(
        sandbox.kind === 'none'
          ? { name: 'sandbox', level: 'warn', detail: `none: ${sandbox.detail} Tests of unreviewed changes run only after you agree (or review). ${sandbox.remedy ?? ''}`.trim() }
          : { name: 'sandbox', level: 'ok', detail: `${sandbox.detail}: tests and commands run without network, home folder or write access outside their copy` },
      );
    }
    for (const folder of status.workspaceFolders) {
      checks.push({
        name: 'workspace',
        level: 'ok',
        detail: `${folder.path ?? folder.uri}${folder.isGitRepository ? ' (git repository)' : ' (not a git repository)'}`,
      });
    }
    checks.push(...mcpChecks(await session.request(mcpStatusRequest, {})));
    checks.push(...providerChecks(status));
    checks.push(...modelChecks(status));
    let pings: PingResult[] | null = null;
    if (options.ping === true) {
      pings = (await session.request(pingModelsRequest, {})).results;
      checks.push(...pings.map(pingCheck));
      if (pings.length === 0) checks.push({ name: 'ping', level: 'fail', detail: 'nothing to ping: no role has a usable model (see above)' });
    }
    return { ok: !checks.some((check) => check.level === 'fail'), checks, status, initializeMs: session.initializeMs, pings };
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    checks.push({ name: 'status', level: 'fail', detail: `the server did not report its status: ${reason}` });
    return { ok: false, checks, status: null, initializeMs: session.initializeMs, pings: null };
  } finally {
    await session.close();
  }
}

const marks: Record<CheckLevel, string> = { ok: '✓', warn: '!', fail: '✗' };

export function formatDoctorReport(report: DoctorReport): string {
  const width = Math.max(...report.checks.map((check) => check.name.length));
  const lines = report.checks.map((check) => `  ${marks[check.level]} ${check.name.padEnd(width)}  ${check.detail}`);
  const warned = report.checks.some((check) => check.level === 'warn');
  const verdict = !report.ok
    ? 'Plumbline is not ready: fix the items marked ✗ above.'
    : warned
      ? 'The agent server works; see the notes marked ! above.'
      : 'Plumbline is ready.';
  return ['Plumbline doctor', ...lines, '', verdict].join('\n');
}
