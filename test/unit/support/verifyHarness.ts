/**
 * Set-up for the `verified.*` scenario tests: runs whose steps are proved by the fixture repo's
 * real test suite. Builds on scenarioHarness (temporary git copies, the fake model, event logs) and
 * adds what those tests need beyond it: server sessions with verification settings and a review
 * handler, unsaved editor buffers, the repo's own suite, and process liveness checks.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as z from 'zod';
import { startServerSession, type ServerSession } from '../../../src/cli/serverConnection';
import { planApprovalRequest, reviewRequest, runEventNotification, runStartRequest } from '../../../src/protocol/methods';
import type { FakeModelServer, RecordedRequest } from '../../fake-model/index';
import { bundle, repoRoot } from './bundles';
import { EventLog, fakeProviderEnv, makeRepo, type EventOf, type TempRepo } from './scenarioHarness';

export type ReviewParams = z.infer<typeof reviewRequest.params>;
export type ReviewAnswer = z.infer<typeof reviewRequest.result>;
export type ApproveMode = 'step' | 'end' | 'auto' | 'never';

/** The fixture suites all run this way; passing it keeps detection (and npm) out of the timing. */
export const nodeTestCommand = 'node --test test/';

function git(root: string, ...args: string[]): string {
  const result = spawnSync('git', ['-c', 'user.name=Plumbline Test', '-c', 'user.email=test@plumbline.invalid', '-c', 'commit.gpgsign=false', ...args], {
    cwd: root,
    encoding: 'utf8',
  });
  if (result.status !== 0) throw new Error(`git ${args.join(' ')} failed: ${result.stderr}`);
  return result.stdout;
}

export interface VerifiedRepo extends TempRepo {
  exists(path: string): boolean;
  text(path: string): string;
}

/** A file of a fixture repo as it is checked in. */
export function fixtureText(fixture: string, path: string): string {
  return readFileSync(join(repoRoot, 'test', 'fixtures', 'repos', fixture, path), 'utf8');
}

/** A fresh git copy of a fixture repo; `overrides` are written over it and committed too. */
export function makeVerifiedRepo(fixture: string, overrides: Readonly<Record<string, string>> = {}): VerifiedRepo {
  const base = makeRepo(fixture);
  const repo: VerifiedRepo = { ...base, exists: (path) => existsSync(join(base.root, path)), text: (path) => readFileSync(join(base.root, path), 'utf8') };
  if (Object.keys(overrides).length > 0) {
    for (const [path, content] of Object.entries(overrides)) writeFileSync(join(repo.root, path), content);
    git(repo.root, 'add', '-A');
    git(repo.root, 'commit', '-q', '-m', 'overrides');
  }
  return repo;
}

/** `git status --porcelain` of the repo (run data under .plumbline ignores itself). */
export function gitStatus(repo: TempRepo): string {
  return git(repo.root, 'status', '--porcelain');
}

/** The git worktrees registered in the repo, the main one included. */
export function worktrees(repo: TempRepo): string[] {
  return git(repo.root, 'worktree', 'list', '--porcelain')
    .split('\n')
    .filter((line) => line.startsWith('worktree '))
    .map((line) => line.slice('worktree '.length));
}

/** Runs the repo's own suite as a user would, outside this test runner's context. */
export function runSuite(repo: TempRepo): { status: number | null; output: string } {
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => name !== 'NODE_TEST_CONTEXT'));
  const result = spawnSync(process.execPath, ['--test', 'test/'], { cwd: repo.root, env, encoding: 'utf8', timeout: 60000 });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

export const acceptAll = (params: ReviewParams): ReviewAnswer => ({ decisions: params.files.map((file) => ({ path: file.path, hunks: 'all' as const })) });

export interface VerifySessionOptions {
  readonly verification?: { readonly maxAttempts?: number; readonly timeoutSeconds?: number };
  readonly testCommand?: string;
  /** Answers `plumbline/review`; default: accept everything. */
  readonly onReview?: (params: ReviewParams) => ReviewAnswer | Promise<ReviewAnswer>;
}

export interface VerifySession {
  readonly session: ServerSession;
  readonly log: EventLog;
  /** The review requests the server sent, in order. */
  readonly reviews: ReviewParams[];
  close(): Promise<void>;
  /** Starts a run with the plan approved as submitted. */
  start(task: string, approve: ApproveMode): Promise<{ runId: string; planPath: string }>;
  /** Opens a document in the server as an editor would (didOpen with `opened`, then didChange to `edited`). */
  openBuffer(path: string, opened: string, edited: string): Promise<void>;
}

/**
 * A session on the real agent server, as a non-VS Code client with the fake model as both roles,
 * the given verification settings, and plan approval and review handlers registered before any run.
 */
export async function startVerifySession(repo: TempRepo, server: FakeModelServer, options: VerifySessionOptions = {}): Promise<VerifySession> {
  const role = { provider: 'anthropic', baseUrl: server.anthropicBaseUrl };
  const settings = {
    orchestrator: role,
    worker: role,
    verification: { maxAttempts: 3, timeoutSeconds: 60, ...options.verification },
    testCommand: options.testCommand ?? nodeTestCommand,
  };
  // startServerSession spawns with this process's environment: swap the provider variables in for the spawn only.
  // Verification copies go to a scratch folder of this test's own (TMPDIR), not the machine-wide one:
  // any other agent server cleans up copies of dead processes there, including a server this test killed on purpose.
  const scratchParent = join(repo.parent, 'tmp');
  mkdirSync(scratchParent, { recursive: true });
  const saved = process.env;
  process.env = { ...fakeProviderEnv(server), TMPDIR: scratchParent };
  let starting;
  try {
    starting = startServerSession({ serverPath: bundle('server.js'), workspaceFolder: repo.root, timeoutMs: 30000, settings });
  } finally {
    process.env = saved;
  }
  const session = await starting;
  const log = new EventLog();
  const reviews: ReviewParams[] = [];
  session.process.once('exit', (code, signal) => log.end(`the agent server exited (${signal ?? `code ${String(code)}`})`));
  session.connection.onNotification(runEventNotification.method, (raw: unknown) => log.push(runEventNotification.params.parse(raw).event));
  session.connection.onRequest(planApprovalRequest.method, () => ({ decision: 'approve' }));
  session.connection.onRequest(reviewRequest.method, async (raw: unknown): Promise<ReviewAnswer> => {
    const params = reviewRequest.params.parse(raw);
    reviews.push(params);
    return (options.onReview ?? acceptAll)(params);
  });
  return {
    session,
    log,
    reviews,
    close: () => session.close(),
    start: (task, approve) => session.request(runStartRequest, { task, approve, reviewPlan: false }),
    async openBuffer(path, opened, edited) {
      const uri = pathToFileURL(join(repo.root, path)).toString();
      await session.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'javascript', version: 1, text: opened } });
      await session.connection.sendNotification('textDocument/didChange', { textDocument: { uri, version: 2 }, contentChanges: [{ text: edited }] });
    },
  };
}

const contentBlock = z.looseObject({ type: z.string(), text: z.string().optional() });
const bodySchema = z.looseObject({ messages: z.array(z.object({ role: z.string(), content: z.union([z.string(), z.array(contentBlock)]) })) });

/** The text blocks of a model request's last user message (tool results left out). */
export function lastUserText(request: RecordedRequest): string {
  const last = bodySchema.parse(request.body).messages.filter((message) => message.role === 'user').at(-1);
  if (last === undefined) return '';
  if (typeof last.content === 'string') return last.content;
  return last.content.flatMap((block) => (block.type === 'text' && block.text !== undefined ? [block.text] : [])).join('\n');
}

/** The verification events of one step (or the baseline, with `undefined`), in order. */
export function verifications(log: EventLog, stepId: string | undefined): EventOf<'verification'>[] {
  return log.of('verification').filter((event) => event.stepId === stepId);
}

/** Whether a process exists and is not a zombie waiting for a parent to reap it. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${String(pid)}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return process.platform !== 'linux';
  }
}

/** Stops processes a failed test may have left running, so they do not outlive the test run. */
export function killAll(pids: readonly number[]): void {
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Already gone, as it should be.
    }
  }
}
