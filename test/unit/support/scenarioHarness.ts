/**
 * Shared set-up for the end-to-end scenario tests: a throw-away git copy of a fixture repo, the
 * fake model server, the real CLI bundle spawned asynchronously (so the fake server in this
 * process keeps answering), a server session on the real agent server bundle, and an event log
 * that tests can wait on.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as z from 'zod';
import { startServerSession, type ServerSession } from '../../../src/cli/serverConnection';
import { planApprovalRequest, reviewRequest, runEventNotification } from '../../../src/protocol/methods';
import { runEventSchema, runMetaSchema, type RunEvent, type RunMeta } from '../../../src/protocol/run';
import { startFakeModelServer, type FakeModelServer, type RecordedRequest } from '../../fake-model/index';
import { bundle, repoRoot } from './bundles';

export type EventOf<K extends RunEvent['type']> = Extract<RunEvent, { type: K }>;

/** The path of a scenario file in test/fixtures/scenarios. */
export function scenarioPath(name: string): string {
  return join(repoRoot, 'test', 'fixtures', 'scenarios', `${name}.json`);
}

export function startFake(scenario: string): Promise<FakeModelServer> {
  return startFakeModelServer({ scenario: scenarioPath(scenario) });
}

export interface TempRepo {
  /** The workspace folder (a git repository with one commit). */
  readonly root: string;
  /** Its parent, private to the test: `../outside.txt` from the workspace lands here. */
  readonly parent: string;
  read(path: string): Buffer;
  /** A run's folder under `.plumbline/runs`. */
  runDir(runId: string): string;
  planMarkdown(runId: string): string;
  remove(): void;
}

/** Copies a fixture repo into a fresh temporary folder and commits it. */
export function makeRepo(fixture = 'greeter'): TempRepo {
  const parent = mkdtempSync(join(tmpdir(), 'plumbline-scenario-'));
  const root = join(parent, 'repo');
  mkdirSync(root);
  cpSync(join(repoRoot, 'test', 'fixtures', 'repos', fixture), root, { recursive: true });
  const git = (...args: string[]): void => {
    const result = spawnSync('git', ['-c', 'user.name=Plumbline Test', '-c', 'user.email=test@plumbline.invalid', '-c', 'commit.gpgsign=false', ...args], {
      cwd: root,
      encoding: 'utf8',
    });
    if (result.status !== 0) throw new Error(`git ${args.join(' ')} failed: ${result.stderr}`);
  };
  git('init', '-q');
  git('add', '-A');
  git('commit', '-q', '-m', 'fixture');
  return {
    root,
    parent,
    read: (path) => readFileSync(join(root, path)),
    runDir: (runId) => join(root, '.plumbline', 'runs', runId),
    planMarkdown: (runId) => readFileSync(join(root, '.plumbline', 'runs', runId, 'plan.md'), 'utf8'),
    remove: () => rmSync(parent, { recursive: true, force: true }),
  };
}

/** Bytes of the given files, to prove later that nothing touched them. */
export function snapshot(repo: TempRepo, paths: readonly string[]): Map<string, Buffer> {
  return new Map(paths.map((path) => [path, repo.read(path)]));
}

/** The step blocks of a plan.md, without the guide comment (whose template step would match too). */
export function stepsSection(markdown: string): string {
  const start = markdown.indexOf('<!-- plumbline:steps -->');
  const end = markdown.indexOf('<!-- plumbline:steps-end -->');
  if (start < 0 || end < start) throw new Error(`plan.md has no steps section:\n${markdown}`);
  return markdown.slice(start, end);
}

/** Run events in arrival order; a test can wait for one that has not come yet. */
export class EventLog {
  readonly events: RunEvent[] = [];
  /** Output lines that were not run events (`--json` promises there are none). */
  readonly strayLines: string[] = [];
  private ended: string | undefined;

  push(event: RunEvent): void {
    this.events.push(event);
  }

  /** No more events will come (the process exited): a wait fails at once instead of timing out. */
  end(reason: string): void {
    this.ended = reason;
  }

  types(): string {
    return this.events.map((event) => event.type).join(', ');
  }

  of<K extends RunEvent['type']>(type: K): EventOf<K>[] {
    return this.events.filter((event): event is EventOf<K> => event.type === type);
  }

  /** The first event of `type` (already seen or still to come) that `match` accepts. */
  async waitFor<K extends RunEvent['type']>(type: K, match: (event: EventOf<K>) => boolean = () => true, timeoutMs = 30000): Promise<EventOf<K>> {
    const find = (): EventOf<K> | undefined => this.of(type).find(match);
    await eventually(() => find() !== undefined || this.ended !== undefined, () => `a ${type} event; got: ${this.types()}`, timeoutMs);
    const found = find();
    if (found === undefined) throw new Error(`${this.ended ?? 'the run ended'} before a ${type} event; got: ${this.types()}`);
    return found;
  }

  finished(): EventOf<'run/finished'> {
    const [finished] = this.of('run/finished');
    if (finished === undefined) throw new Error(`the run did not finish; events: ${this.types()}`);
    return finished;
  }

  /**
   * Every status a step went through, from the plan/updated events, without repeats. `verifying`
   * is left out: it comes and goes with the project's test command, which these scenarios are not about.
   */
  stepStatuses(stepId: string): string[] {
    const statuses = this.of('plan/updated').flatMap((event) => event.plan.steps.filter((step) => step.id === stepId).map((step) => step.status));
    return dedupe(statuses.filter((status) => status !== 'verifying'));
  }

  planStatuses(): string[] {
    return dedupe(this.of('plan/updated').map((event) => event.plan.status));
  }
}

function dedupe(values: readonly string[]): string[] {
  return values.filter((value, index) => index === 0 || values[index - 1] !== value);
}

/** The test process's environment with the fake server as the only provider. */
export function fakeProviderEnv(server: FakeModelServer): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^(OPENAI|ANTHROPIC)_/.test(name)));
  // Every baseline runs: fixture repos are alike, and a baseline kept by one test would serve the next.
  return { ...env, ANTHROPIC_API_KEY: 'sk-ant-scenario-test', ANTHROPIC_BASE_URL: server.anthropicBaseUrl, PLUMBLINE_BASELINE_CACHE: 'off' };
}

/** CLI processes still running; a failed test must not leave one behind (nor, if detached, its process group). */
const liveChildren = new Set<ChildProcess>();
const detachedChildren = new WeakSet<ChildProcess>();
process.on('exit', () => {
  for (const child of liveChildren) {
    if (detachedChildren.has(child) && child.pid !== undefined) {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // The group is gone already.
      }
    }
    child.kill('SIGKILL');
  }
});

export interface CliResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface CliRun {
  readonly child: ChildProcess;
  readonly log: EventLog;
  /** Resolves when the process has exited, with everything it printed. */
  readonly done: Promise<CliResult>;
}

function eventOf(line: string): RunEvent | undefined {
  try {
    return runEventSchema.safeParse(JSON.parse(line)).data;
  } catch {
    return undefined;
  }
}

/**
 * Spawns `plumbline <args>` asynchronously; for `run --json` every stdout line is parsed as a run event.
 * `detached` puts the CLI in a process group of its own (the agent server it starts joins it), so a
 * test can kill the whole group at once: `process.kill(-child.pid, 'SIGKILL')`.
 */
export function spawnCli(args: readonly string[], env: NodeJS.ProcessEnv, options: { detached?: boolean } = {}): CliRun {
  const child = spawn(process.execPath, [bundle('cli.js'), ...args], { env, stdio: ['ignore', 'pipe', 'pipe'], detached: options.detached === true });
  liveChildren.add(child);
  if (options.detached === true) detachedChildren.add(child);
  const log = new EventLog();
  let stdout = '';
  let stderr = '';
  let pending = '';
  child.stdout.on('data', (chunk: Buffer) => {
    const text = chunk.toString('utf8');
    stdout += text;
    if ((args[0] !== 'run' && args[0] !== 'resume') || !args.includes('--json')) return;
    pending += text;
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines.filter((candidate) => candidate.trim() !== '')) {
      const event = eventOf(line);
      if (event !== undefined) log.push(event);
      else log.strayLines.push(line);
    }
  });
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const done = new Promise<CliResult>((resolve) =>
    child.on('close', (code, signal) => {
      liveChildren.delete(child);
      log.end(`plumbline exited (${signal ?? `code ${String(code)}`})${stderr !== '' ? `: ${stderr.trim()}` : ''}`);
      resolve({ code, signal, stdout, stderr });
    }),
  );
  return { child, log, done };
}

/** `plumbline run <task> --cwd <repo> --json ...` against the fake server. */
export function runCli(repo: TempRepo, server: FakeModelServer, task: string, flags: readonly string[]): CliRun {
  return spawnCli(['run', task, '--cwd', repo.root, '--json', ...flags], fakeProviderEnv(server));
}

/** `plumbline runs --json --cwd <repo>`. */
export async function listRunsCli(repo: TempRepo): Promise<RunMeta[]> {
  const result = await spawnCli(['runs', '--json', '--cwd', repo.root], process.env).done;
  if (result.code !== 0) throw new Error(`plumbline runs exited ${String(result.code)}: ${result.stderr}`);
  return z.array(runMetaSchema).parse(JSON.parse(result.stdout));
}

export type ApprovalParams = z.infer<typeof planApprovalRequest.params>;
export type ApprovalAnswer = z.infer<typeof planApprovalRequest.result>;

export interface RunSession {
  readonly session: ServerSession;
  readonly log: EventLog;
  /** The plan approval requests the server sent. */
  readonly approvals: ApprovalParams[];
  close(): Promise<void>;
}

/**
 * A session on the real agent server with the fake model as the provider. Handlers are
 * registered here, before any run starts. `startServerSession` spawns with this process's
 * environment, so the provider variables are swapped in only for the (synchronous) spawn.
 */
export async function startRunSession(
  repo: TempRepo,
  server: FakeModelServer,
  options: { onApprove?: (params: ApprovalParams) => Promise<ApprovalAnswer>; settings?: Readonly<Record<string, unknown>> } = {},
): Promise<RunSession> {
  const saved = process.env;
  process.env = fakeProviderEnv(server);
  let starting: Promise<ServerSession>;
  try {
    const role = { provider: 'anthropic', baseUrl: server.anthropicBaseUrl };
    starting = startServerSession({ serverPath: bundle('server.js'), workspaceFolder: repo.root, timeoutMs: 20000, settings: { ...options.settings, orchestrator: role, worker: role } });
  } finally {
    process.env = saved;
  }
  const session = await starting;
  const log = new EventLog();
  const approvals: ApprovalParams[] = [];
  session.connection.onNotification(runEventNotification.method, (raw: unknown) => log.push(runEventNotification.params.parse(raw).event));
  session.connection.onRequest(planApprovalRequest.method, (raw: unknown): Promise<ApprovalAnswer> => {
    const params = planApprovalRequest.params.parse(raw);
    approvals.push(params);
    return options.onApprove?.(params) ?? Promise.resolve({ decision: 'approve' });
  });
  session.connection.onRequest(reviewRequest.method, () => ({ decisions: [] }));
  return { session, log, approvals, close: () => session.close() };
}

const textBlock = z.object({ type: z.literal('text'), text: z.string() });
const toolResultBlock = z.object({
  type: z.literal('tool_result'),
  tool_use_id: z.string(),
  is_error: z.boolean().optional(),
  content: z.union([z.string(), z.array(z.object({ type: z.string(), text: z.string().optional() }))]),
});
const messageSchema = z.object({ role: z.string(), content: z.union([z.string(), z.array(z.looseObject({ type: z.string() }))]) });
const anthropicBodySchema = z.looseObject({ messages: z.array(messageSchema) });

function messagesOf(request: RecordedRequest): z.infer<typeof messageSchema>[] {
  return anthropicBodySchema.parse(request.body).messages;
}

/** The text of the first user message of a model request: the agent's brief. */
export function firstUserText(request: RecordedRequest): string {
  const first = messagesOf(request).find((message) => message.role === 'user');
  if (typeof first?.content === 'string') return first.content;
  return (first?.content ?? []).flatMap((block) => textBlock.safeParse(block).data?.text ?? []).join('\n');
}

/** The tool results a request carries in its last user message: what the previous turn's calls got back. */
export function lastToolResults(request: RecordedRequest): { isError: boolean; text: string }[] {
  const last = messagesOf(request).filter((message) => message.role === 'user').at(-1);
  if (last === undefined || typeof last.content === 'string') return [];
  return last.content.flatMap((block) => {
    const parsed = toolResultBlock.safeParse(block);
    if (!parsed.success) return [];
    const { content } = parsed.data;
    const text = typeof content === 'string' ? content : content.map((part) => part.text ?? '').join('\n');
    return [{ isError: parsed.data.is_error === true, text }];
  });
}

/** The recorded requests of one scenario role, oldest first. */
export function requestsOf(server: FakeModelServer, role: string): RecordedRequest[] {
  return server.requests().filter((request) => request.role === role);
}

/** Polls until `check` holds (for state outside the event stream, such as the fake server's log). */
export async function eventually(check: () => boolean, what: string | (() => string), timeoutMs = 20000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${typeof what === 'string' ? what : what()}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** Whether `expected` appears in `actual` in order (other entries may come between). */
export function inOrder(actual: readonly string[], expected: readonly string[]): boolean {
  let next = 0;
  for (const value of actual) if (value === expected[next]) next += 1;
  return next === expected.length;
}
