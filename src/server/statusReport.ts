import { fileURLToPath } from 'node:url';
import type { TextDocuments } from 'vscode-languageserver/node';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { detectProviders, providerEnvironmentFrom } from '../agent/providerDetection';
import { isGitRepository, probeGit } from '../agent/gitProbe';
import type { ServerStatus } from '../protocol/status';
import type { ModelRegistry } from './modelRegistry';
import { plumblineVersion, serverName } from '../protocol/version';
import { detectSandbox } from '../agent/sandbox/detectSandbox';
import type { SandboxStatus } from '../protocol/sandbox';

/** What confines tests and commands on this machine, for people. */
async function sandboxStatus(): Promise<SandboxStatus> {
  const found = await detectSandbox();
  return found.kind === 'none' ? { kind: 'none', detail: found.reason, remedy: found.remedy } : { kind: found.kind, detail: found.description };
}

export interface StatusContext {
  readonly workspaceFolderUris: readonly string[];
  readonly documents: TextDocuments<TextDocument>;
  readonly startedAt: number;
  readonly insideVsCode: boolean;
  readonly models: ModelRegistry;
}

function filePathOf(uri: string): string | null {
  try {
    return uri.startsWith('file:') ? fileURLToPath(uri) : null;
  } catch {
    return null;
  }
}

/** Gathers what `plumbline/status` reports. Reads presence of keys only, never their values. */
export async function buildStatusReport(context: StatusContext): Promise<ServerStatus> {
  const [git, folders, sandbox] = await Promise.all([
    probeGit(),
    Promise.all(
      context.workspaceFolderUris.map(async (uri) => {
        const path = filePathOf(uri);
        return { uri, path, isGitRepository: path !== null && (await isGitRepository(path)) };
      }),
    ),
    sandboxStatus(),
  ]);
  return {
    name: serverName,
    version: plumblineVersion,
    pid: process.pid,
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    uptimeMs: Date.now() - context.startedAt,
    git,
    workspaceFolders: folders,
    providers: detectProviders(providerEnvironmentFrom(process.env), context.insideVsCode),
    ...(() => {
      const resolved = context.models.resolve();
      return { models: resolved.models, modelsError: resolved.error };
    })(),
    documents: context.documents.all().map((doc) => ({ uri: doc.uri, version: doc.version, languageId: doc.languageId })),
    sandbox,
    memory: memorySnapshot(),
  };
}

/** Heap and resident set now; garbage is collected first when Node exposes `gc` (`npm run bench` does). */
function memorySnapshot(): NonNullable<ServerStatus['memory']> {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const usage = process.memoryUsage();
  return { heapUsedBytes: usage.heapUsed, heapTotalBytes: usage.heapTotal, rssBytes: usage.rss, afterGc: gc !== undefined };
}
