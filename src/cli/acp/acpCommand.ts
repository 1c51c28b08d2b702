import { randomUUID } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { Readable, Writable } from 'node:stream';
import type { AgentContext, ClientCapabilities, InitializeResponse } from '@agentclientprotocol/sdk';
import { plumblineVersion } from '../../protocol/version';
import { AcpSession, type AcpClientPort, type AcpRunOptions } from './acpSession';
import { maxPathChars } from './confinedPaths';
import { PromptError } from './promptTask';

/**
 * `plumbline acp`: Plumbline as an Agent Client Protocol agent over stdio, for editors that host
 * agents (Zed, JetBrains IDEs, Neovim's CodeCompanion). stdout carries the protocol only; every log
 * line goes to stderr. Each ACP session gets its own agent server in the session's folder; a prompt
 * is a Plumbline run. The ACP SDK is loaded here, with `import()`, so `plumbline run` never parses it.
 */

/** Largest message taken from the client (the SDK's default is 32 MiB). */
const maxMessageBytes = 8 * 1024 * 1024;
/** Sessions at once: each is an agent server process. */
const maxSessions = 8;

/** The one authentication method: keys come from the environment, as for `plumbline run`. */
const environmentAuth = {
  id: 'environment',
  name: 'Model key from the environment',
  description:
    'Plumbline reads OPENAI_API_KEY or ANTHROPIC_API_KEY (and OPENAI_BASE_URL / ANTHROPIC_BASE_URL for other endpoints) from its environment. Set them in the agent\'s "env" in your editor\'s settings, then restart the agent.',
};

/** Whether a run could reach a model: a key, or an endpoint of one's own (a local server may need no key). */
export function modelAccessConfigured(env: NodeJS.ProcessEnv, options: Pick<AcpRunOptions, 'baseUrl'>): boolean {
  const set = (name: string): boolean => (env[name] ?? '').trim() !== '';
  return options.baseUrl !== undefined || ['OPENAI_API_KEY', 'ANTHROPIC_API_KEY', 'OPENAI_BASE_URL', 'ANTHROPIC_BASE_URL'].some(set);
}

export async function acpCommand(options: AcpRunOptions): Promise<number> {
  const log = (line: string): void => void process.stderr.write(`plumbline acp: ${line}\n`);
  const acp = await import('@agentclientprotocol/sdk');
  const sessions = new Map<string, AcpSession>();
  let capabilities: ClientCapabilities = {};
  // The connection is made after the handlers are registered; sessions reach the client through it.
  const link: { client?: AgentContext } = {};

  const portFor = (sessionId: string): AcpClientPort => {
    const fs = capabilities.fs;
    const connected = (): AgentContext => {
      if (link.client === undefined) throw new Error('the ACP connection is not open');
      return link.client;
    };
    return {
      canRead: fs?.readTextFile === true,
      canWrite: fs?.writeTextFile === true,
      read: (path) => connected().request(acp.methods.client.fs.readTextFile, { sessionId, path }),
      write: async (path, content) => {
        await connected().request(acp.methods.client.fs.writeTextFile, { sessionId, path, content });
      },
      update: (update) => connected().notify(acp.methods.client.session.update, { sessionId, update }),
      requestPermission: (toolCall, permissionOptions, signal) => connected().request(acp.methods.client.session.requestPermission, { sessionId, toolCall, options: permissionOptions }, { cancellationSignal: signal, stopWaitingOnCancel: true }),
    };
  };

  const app = acp
    .agent({ name: 'plumbline' })
    .onRequest(acp.methods.agent.initialize, ({ params }): InitializeResponse => {
      capabilities = params.clientCapabilities ?? {};
      return {
        // One version is spoken; a client that needs another disconnects, as the protocol says.
        protocolVersion: acp.PROTOCOL_VERSION,
        agentCapabilities: { loadSession: false, promptCapabilities: { image: false, audio: false, embeddedContext: true } },
        authMethods: [environmentAuth],
        agentInfo: { name: 'plumbline', title: 'Plumbline', version: plumblineVersion },
      };
    })
    .onRequest(acp.methods.agent.authenticate, ({ params }) => {
      if (params.methodId !== environmentAuth.id) throw acp.RequestError.invalidParams(undefined, `Unknown authentication method "${params.methodId}"; Plumbline offers "${environmentAuth.id}".`);
      if (!modelAccessConfigured(process.env, options)) throw acp.RequestError.authRequired(undefined, environmentAuth.description);
      return {};
    })
    .onRequest(acp.methods.agent.session.new, async ({ params }) => {
      if (!modelAccessConfigured(process.env, options)) throw acp.RequestError.authRequired(undefined, environmentAuth.description);
      const cwd = params.cwd;
      if (cwd.length > maxPathChars || !isAbsolute(cwd)) throw acp.RequestError.invalidParams(undefined, `cwd must be an absolute path (got ${JSON.stringify(cwd.slice(0, 200))}).`);
      const root = resolve(cwd);
      if (!existsSync(root) || !statSync(root).isDirectory()) throw acp.RequestError.invalidParams(undefined, `cwd ${root} is not a folder.`);
      if (sessions.size >= maxSessions) throw acp.RequestError.invalidRequest(undefined, `At most ${String(maxSessions)} Plumbline sessions run at once; close one first.`);
      if (params.mcpServers.length > 0) log(`the session's ${String(params.mcpServers.length)} MCP server(s) are not used: Plumbline reads MCP servers from the workspace's own configuration.`);
      const sessionId = randomUUID();
      try {
        sessions.set(sessionId, await AcpSession.open(sessionId, root, portFor(sessionId), options, log));
      } catch (error) {
        throw acp.RequestError.internalError(undefined, `Could not start Plumbline's agent server in ${root}: ${error instanceof Error ? error.message : String(error)}`);
      }
      return { sessionId };
    })
    .onRequest(acp.methods.agent.session.prompt, async ({ params, signal }) => {
      const session = sessions.get(params.sessionId);
      if (session === undefined) throw acp.RequestError.sessionNotFound(params.sessionId);
      try {
        return { stopReason: await session.prompt(params.prompt, signal) };
      } catch (error) {
        if (error instanceof PromptError) throw acp.RequestError.invalidParams(undefined, error.message);
        throw acp.RequestError.internalError(undefined, error instanceof Error ? error.message : String(error));
      }
    })
    .onNotification(acp.methods.agent.session.cancel, ({ params }) => {
      sessions.get(params.sessionId)?.cancel();
    });

  const connection = app.connect(
    acp.ndJsonStream(Writable.toWeb(process.stdout) as WritableStream<Uint8Array>, Readable.toWeb(process.stdin) as ReadableStream<Uint8Array>, { maxMessageBytes }),
  );
  link.client = connection.client;
  const closeAll = async (): Promise<void> => {
    await Promise.allSettled([...sessions.values()].map((session) => session.close()));
    sessions.clear();
  };
  const onSignal = (): void => connection.close();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    await connection.closed;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await closeAll();
  }
  return 0;
}
