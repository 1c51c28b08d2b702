/**
 * The agent server killed with SIGKILL in the middle of applying an approved change, then resumed.
 *
 * A generated scenario has workers change a few hundred files; the run is approved in `auto` mode,
 * so they all land in one apply (each file a temp write, an fsync and a rename). The CLI runs in a
 * process group of its own (the agent server it starts joins it); the test watches the workspace
 * folder and kills the whole group as soon as the first changed file is renamed into place. No hook
 * in the server: the kill lands mid-apply by timing, and if it ever misses the window the whole run
 * is tried again with more files.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, watch, type FSWatcher } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import * as z from 'zod';
import { runEventSchema, type RunEvent } from '../../src/protocol/run';
import { startFakeModelServer, type FakeModelServer, type ScenarioInput } from '../fake-model/index';
import { assertOnlyChanged, captureWorld, makeWorkspace, sentinelText, type World } from '../unit/support/adversarialHarness';
import { eventually, fakeProviderEnv, listRunsCli, spawnCli, type CliRun } from '../unit/support/scenarioHarness';
import { worktrees, type VerifiedRepo } from '../unit/support/verifyHarness';

/** Files per step: the plan's limit (maxFilesPerStep). */
const filesPerStep = 50;
/** Every run tried, in order, until one is killed mid-apply. */
const attemptSizes = [200, 300, 400];
/** Every this many files, the change creates a file instead of editing one. */
const createEvery = 10;

interface Target {
  readonly path: string;
  /** The bytes before the run (undefined: the run creates the file). */
  readonly before: Buffer | undefined;
  readonly after: Buffer;
}

const name = (index: number): string => `m${String(index).padStart(3, '0')}.js`;

function padding(index: number): string {
  return Array.from({ length: 40 }, (_, line) => `// ${name(index)} line ${String(line).padStart(2, '0')}: filler that gives each file a few kilobytes to write and flush\n`).join('');
}

function oldText(index: number): string {
  return `'use strict';\n\n${padding(index)}\nexports.version = 'old ${String(index)}';\n`;
}

const oldLine = (index: number): string => `exports.version = 'old ${String(index)}';`;
const newLine = (index: number): string => `exports.version = 'new ${String(index)}';\nexports.migrated = true;`;
/** An edit_file patch replacing `before`'s lines with `after`'s. */
const hunk = (before: string, after: string): string => [...before.split('\n').map((line) => `-${line}`), ...after.split('\n').map((line) => `+${line}`)].join('\n');
const createdText = (index: number): string => `'use strict';\n\n${padding(index)}\nexports.version = 'created ${String(index)}';\n`;

/** The files of one attempt: `count` changes in lib/, every `createEvery`th a new file. */
function targetsOf(count: number): Target[] {
  return Array.from({ length: count }, (_, index) => {
    const path = `lib/${name(index)}`;
    if (index % createEvery === createEvery - 1) return { path, before: undefined, after: Buffer.from(createdText(index)) };
    return { path, before: Buffer.from(oldText(index)), after: Buffer.from(oldText(index).replace(oldLine(index), newLine(index))) };
  });
}

/** The orchestrator plans one step per 50 files; each worker makes all its step's changes in one turn. */
function scenarioOf(targets: readonly Target[]): ScenarioInput {
  const steps = Array.from({ length: Math.ceil(targets.length / filesPerStep) }, (_, index) => ({
    id: `s${String(index + 1)}`,
    files: targets.slice(index * filesPerStep, (index + 1) * filesPerStep),
  }));
  const workers = Object.fromEntries(
    steps.map((step) => [
      `worker-${step.id}`,
      {
        match: { system: 'Plumbline worker', firstUser: `<step id="${step.id}">` },
        turns: [
          {
            content: [
              ...step.files.map((file) => {
                const index = Number(/m(\d+)\.js$/.exec(file.path)?.[1]);
                return file.before === undefined
                  ? { tool: 'create_file', arguments: { path: file.path, content: createdText(index) } }
                  : { tool: 'edit_file', arguments: { path: file.path, patch: hunk(oldLine(index), newLine(index)) } };
              }),
              { tool: 'finish', arguments: { summary: `Migrated ${String(step.files.length)} modules.` } },
            ],
          },
        ],
      },
    ]),
  );
  return {
    name: `adversarial-kill-mid-apply-${String(targets.length)}`,
    onExhausted: 'error',
    latency: { ttftMs: 5, tokensPerSecond: 1_000_000 },
    chunkChars: 65536,
    roles: {
      orchestrator: {
        match: { system: "Plumbline's orchestrator" },
        turns: [
          {
            content: [
              {
                tool: 'submit_plan',
                arguments: {
                  summary: 'Migrate every module in lib/.',
                  steps: steps.map((step) => ({ id: step.id, title: `Migrate batch ${step.id}`, instructions: 'Mark each module as migrated; create the missing ones.', files: step.files.map((file) => file.path) })),
                },
              },
            ],
          },
        ],
      },
      ...workers,
    },
  };
}

/** The live (not zombie) processes of a process group, from /proc. */
function groupMembers(pgid: number): number[] {
  const members: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue;
    }
    // pid (comm) state ppid pgrp ...: comm may hold spaces and parentheses, so split after the last ')'.
    const [state, , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(pgrp) === pgid && state !== 'Z') members.push(Number(entry));
  }
  return members;
}

function killGroup(pgid: number): void {
  try {
    process.kill(-pgid, 'SIGKILL');
  } catch {
    // Already gone.
  }
}

/** Every leftover temporary file in the workspace (git's own folder aside). */
function tmpFiles(root: string): string[] {
  return readdirSync(root, { recursive: true, encoding: 'utf8' }).filter((path) => !path.startsWith('.git/') && path.endsWith('.tmp'));
}

function cliEnv(server: FakeModelServer, repo: VerifiedRepo): NodeJS.ProcessEnv {
  // Verification copies go to a scratch folder beside the workspace (under the test's private parent,
  // so the final picture of everything outside the workspace also proves the killed server's copies are gone).
  return { ...fakeProviderEnv(server), TMPDIR: join(repo.parent, 'tmp') };
}

function eventsOf(stdout: string): RunEvent[] {
  return stdout.split('\n').flatMap((line) => {
    if (line.trim() === '') return [];
    try {
      return runEventSchema.safeParse(JSON.parse(line)).data ?? [];
    } catch {
      return [];
    }
  });
}

type FileState = 'old' | 'new' | 'torn';

function stateOf(repo: VerifiedRepo, target: Target): FileState {
  const bytes = repo.exists(target.path) ? repo.read(target.path) : undefined;
  if (bytes === undefined) return target.before === undefined ? 'old' : 'torn';
  if (bytes.equals(target.after)) return 'new';
  return target.before !== undefined && bytes.equals(target.before) ? 'old' : 'torn';
}

interface Killed {
  readonly repo: VerifiedRepo;
  readonly server: FakeModelServer;
  readonly targets: readonly Target[];
  readonly runId: string;
  readonly requests: number;
  /** The workspace and its surroundings before the run. */
  readonly before: World;
}

/**
 * One attempt: a run of `count` files, the CLI's process group killed at the first file renamed into
 * place. Returns what the kill left, or why it missed the apply (the repo and server are then gone).
 */
async function attempt(count: number, note: (line: string) => void): Promise<Killed | string> {
  const targets = targetsOf(count);
  const files: Record<string, string | Buffer> = { 'package.json': '{ "name": "modules", "private": true }\n' };
  for (const target of targets) if (target.before !== undefined) files[target.path] = target.before;
  const repo = makeWorkspace(files);
  const before = captureWorld(repo);
  const server = await startFakeModelServer({ scenario: scenarioOf(targets) });
  const byName = new Map(targets.map((target) => [target.path.slice('lib/'.length), target]));
  let watcher: FSWatcher | undefined;
  let run: CliRun | undefined;
  let keep = false;
  try {
    run = spawnCli(['run', 'Migrate every module in lib/', '--cwd', repo.root, '--json', '--approve', 'auto', '--yes', '--test-cmd', 'node -e 0'], cliEnv(server, repo), { detached: true });
    const pgid = run.child.pid;
    assert.ok(pgid !== undefined, 'the CLI started');
    // Who is in the group, read once the run has started (not at the kill, which must be quick).
    const membersAtStart: Promise<number[]> = run.log.waitFor('run/started', undefined, 120000).then(
      () => groupMembers(pgid),
      (): number[] => [],
    );
    let killedAt: string | undefined;
    // inotify tells of the temp file's creation and writes, then of the rename onto the real name:
    // the first event naming a target file means the first file has landed and the rest have not.
    watcher = watch(join(repo.root, 'lib'), (_event, filename) => {
      if (killedAt !== undefined || filename === null || !byName.has(filename)) return;
      killGroup(pgid);
      killedAt = filename;
    });
    const result = await run.done;
    watcher.close();
    if (killedAt === undefined) return `${String(count)} files: the run ended (${result.signal ?? `exit code ${String(result.code)}`}) before the watcher saw a file land: ${result.stderr.trim().slice(0, 500)}`;
    const killedFile: string = killedAt;
    assert.equal(result.signal, 'SIGKILL', 'the CLI was killed');
    // The agent server holds the workspace's run lock (a SIGKILL leaves it behind): it was in the killed group.
    const agentServer = z.object({ pid: z.number() }).parse(JSON.parse(readFileSync(join(repo.root, '.plumbline', 'run.lock'), 'utf8'))).pid;
    const members = await membersAtStart;
    assert.ok(agentServer !== pgid && members.includes(pgid) && members.includes(agentServer), `the group held the CLI (${String(pgid)}) and the agent server (${String(agentServer)}): ${members.join(', ')}`);
    // SIGKILL is asynchronous: a rename already in a kernel call may still finish. Look only once every process is gone.
    await eventually(() => groupMembers(pgid).length === 0, () => `the killed process group to be gone: ${groupMembers(pgid).join(', ')}`, 10000);

    const events = eventsOf(result.stdout);
    const started = events.find((event) => event.type === 'run/started');
    assert.ok(started !== undefined, 'the run started');
    assert.equal(events.filter((event) => event.type === 'run/finished').length, 0, 'the run did not get to finish');
    const states = new Map(targets.map((target) => [target.path, stateOf(repo, target)]));
    const temporaries = tmpFiles(repo.root);
    const tally = (state: FileState): number => [...states.values()].filter((value) => value === state).length;
    note(`${String(count)} files: killed at lib/${killedFile} with ${String(tally('new'))} new, ${String(tally('old'))} old, ${String(tally('torn'))} torn, ${String(temporaries.length)} temporary file(s) left`);
    // Never half: whatever else the kill did, every file is whole.
    assert.deepEqual([...states].filter(([, state]) => state === 'torn').map(([path]) => path), [], 'every file is byte for byte its old or its new self');
    if (tally('old') === 0) return `${String(count)} files: the kill came after the last file landed (all ${String(count)} new)`;
    if (tally('new') === 0) return `${String(count)} files: the kill came before the first file landed`;
    keep = true;
    return { repo, server, targets, runId: started.runId, requests: server.requests().length, before };
  } finally {
    watcher?.close();
    // A failed attempt must not leave the group running (and a gone group's id is not signalled).
    const pgid = run?.child.pid;
    if (pgid !== undefined && groupMembers(pgid).length > 0) killGroup(pgid);
    if (!keep) {
      await server.close();
      repo.remove();
    }
  }
}

test('the server killed with SIGKILL mid-apply: each file old or new, never half; resume lands the rest, undo restores every pre-run byte, nothing outside is touched', { timeout: 600000 }, async (t) => {
  if (process.platform !== 'linux') {
    t.skip('reads process groups from /proc');
    return;
  }
  const misses: string[] = [];
  let killed: Killed | undefined;
  for (const count of attemptSizes) {
    const outcome = await attempt(count, (line) => t.diagnostic(line));
    if (typeof outcome !== 'string') {
      killed = outcome;
      break;
    }
    misses.push(outcome);
    t.diagnostic(`missed: ${outcome}`);
  }
  if (killed === undefined) assert.fail(`the kill never landed mid-apply in ${String(attemptSizes.length)} runs:\n${misses.join('\n')}`);
  const { repo, server, targets, runId, before } = killed;
  try {
    const expected = Object.fromEntries(targets.map((target) => [target.path, target.after]));
    assert.equal(readFileSync(join(repo.parent, 'sentinel.txt'), 'utf8'), sentinelText, 'the sentinel is untouched after the kill');
    assert.deepEqual((await listRunsCli(repo)).map((run) => [run.runId, run.status]), [[runId, 'running']], 'the killed run is on record as running');

    // A new CLI and server continue the run from its journal.
    const resumed = await spawnCli(['resume', runId, '--cwd', repo.root, '--json', '--yes'], cliEnv(server, repo)).done;
    const events = eventsOf(resumed.stdout);
    const finished = events.find((event): event is Extract<RunEvent, { type: 'run/finished' }> => event.type === 'run/finished');
    assert.ok(finished !== undefined, `the resumed run finished: ${resumed.stderr}`);
    assert.equal(finished.status, 'completed', finished.reason);
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.deepEqual([...finished.applied].sort(), targets.map((target) => target.path).sort(), 'every file is reported applied, those that landed before the kill included');
    assert.equal(server.requests().length, killed.requests, 'the verified work came from the journal: no model request after the kill');
    assert.deepEqual(events.filter((event) => event.type === 'verification'), [], 'no step was left to verify, so no baseline ran on the half-applied workspace');

    // Everything landed exactly, nothing else changed in the workspace or beside it, no temporary file is left.
    assert.deepEqual(tmpFiles(repo.root), [], 'no temporary file is left after the resume');
    assertOnlyChanged(before, captureWorld(repo), expected);
    assert.deepEqual((await listRunsCli(repo)).map((run) => [run.runId, run.status]), [[runId, 'completed']]);
    assert.equal(worktrees(repo).length, 1, `the killed server's verification worktrees are gone: ${worktrees(repo).join(', ')}`);

    // Undo puts back every pre-run byte: the edited files old again, the created ones gone.
    const undone = await spawnCli(['undo', runId, '--cwd', repo.root, '--json'], process.env).done;
    assert.equal(undone.code, 0, undone.stderr);
    const report = z.object({ restored: z.array(z.string()), skipped: z.array(z.unknown()) }).parse(JSON.parse(undone.stdout));
    assert.deepEqual([...report.restored].sort(), targets.map((target) => target.path).sort());
    assert.deepEqual(report.skipped, []);
    assertOnlyChanged(before, captureWorld(repo));
    assert.deepEqual(tmpFiles(repo.root), []);
  } finally {
    await server.close();
    repo.remove();
  }
});
