/**
 * Real-repository figures: a scripted multi-step refactor of a vendored open-source project
 * (bench/realProjects.ts) through the real CLI, sandboxed verification included, against one warm
 * run of the project's own test command. Target (issue 16): at most (plan waves + 1) warm suite runs.
 * The projects' devDependencies come from the npm registry into a cache outside the repository
 * (BENCH_CACHE, default ~/.cache/plumbline-bench), once per version set, and are copied into each
 * throw-away checkout, where a user would have them.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFakeModelServer, type RecordedRequest, type ScenarioInput } from '../test/fake-model/index';
import { eventsOf, runCli, type CliOutcome } from './cli';
import { planWaves, realProjects, type RealProject } from './realProjects';
import { repoRoot } from './repo';
import { checkToolUse } from './toolUse';
import { codeCacheDir } from '../src/boot/bundleLoader';
import { testIntervals } from './greeter';
import { median, notMeasured, now, unionLength, type Figure } from './stats';

function run(command: string, args: readonly string[], cwd: string, what: string): string {
  const result = spawnSync(command, args, { cwd, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (result.status !== 0) throw new Error(`${what} failed (exit ${String(result.status)}): ${(result.stderr || result.stdout).slice(-600)}`);
  return result.stdout;
}

/** The project's devDependencies, installed once per version set into the bench's cache; the folder holding node_modules. */
function installedDependencies(project: RealProject): string | undefined {
  if (project.devDependencies.length === 0) return undefined;
  const cache = process.env.BENCH_CACHE ?? join(homedir(), '.cache', 'plumbline-bench');
  const key = createHash('sha256').update(project.devDependencies.join('\n')).digest('hex').slice(0, 12);
  const folder = join(cache, `${project.name}-${key}`);
  const marker = join(folder, 'node_modules', '.plumbline-bench-installed');
  if (existsSync(marker)) return folder;
  process.stderr.write(`bench: installing ${project.devDependencies.join(' ')} from the npm registry into ${folder}…\n`);
  rmSync(folder, { recursive: true, force: true });
  mkdirSync(folder, { recursive: true });
  writeFileSync(join(folder, 'package.json'), `${JSON.stringify({ name: `bench-${project.name}-deps`, private: true }, null, 2)}\n`);
  // No install scripts: nothing a package ships runs on this machine at install time.
  run('npm', ['install', '--no-audit', '--no-fund', '--ignore-scripts', '--no-package-lock', ...project.devDependencies], folder, `npm install for ${project.name}`);
  writeFileSync(marker, `${new Date().toISOString()}\n`);
  return folder;
}

interface Checkout {
  readonly root: string;
  remove(): void;
}

/** A git repository of the vendored project (one commit), with its dependencies in node_modules (ignored by its .gitignore). */
function checkout(project: RealProject, dependencies: string | undefined): Checkout {
  const parent = mkdtempSync(join(tmpdir(), `plumbline-bench-${project.name}-`));
  const root = join(parent, project.name);
  cpSync(join(repoRoot, 'bench', 'fixtures', project.name), root, { recursive: true });
  for (const args of [['init', '-q'], ['add', '-A'], ['commit', '-q', '-m', `${project.name} at ${project.upstream.commit.slice(0, 12)}`]]) {
    run('git', ['-c', 'user.name=Plumbline Bench', '-c', 'user.email=bench@plumbline.invalid', '-c', 'commit.gpgsign=false', ...args], root, `git ${args[0] ?? ''}`);
  }
  if (dependencies !== undefined) run('cp', ['-a', join(dependencies, 'node_modules'), join(root, 'node_modules')], root, 'copying node_modules');
  return { root, remove: () => rmSync(parent, { recursive: true, force: true }) };
}

/** One warm run of the command (after one to warm the caches), median of three. */
function warmSuiteMs(command: string, cwd: string): number {
  const once = (): number => {
    const started = now();
    const result = spawnSync('sh', ['-c', command], { cwd, stdio: 'ignore' });
    if (result.status !== 0) throw new Error(`${command} fails in the untouched checkout (exit ${String(result.status)})`);
    return now() - started;
  };
  once();
  return median([once(), once(), once()]);
}

/** The scripted model: the orchestrator reads, then submits the plan; each worker reads its file, edits, finishes. */
export function refactorScenario(project: RealProject): ScenarioInput {
  const plan = {
    summary: project.summary,
    steps: project.steps.map((step) => ({ id: step.id, title: step.title, instructions: step.instructions, files: [...step.files], ...(step.dependsOn !== undefined ? { depends_on: [...step.dependsOn] } : {}) })),
  };
  const roles: Record<string, unknown> = {
    orchestrator: {
      match: { system: "Plumbline's orchestrator" },
      turns: [...project.explore.map((path) => ({ content: [{ tool: 'read_file', arguments: { path } }] })), { content: [{ text: 'Here is the plan.' }, { tool: 'submit_plan', arguments: plan }] }],
    },
  };
  for (const step of project.steps) {
    roles[`worker-${step.id}`] = {
      match: { system: 'Plumbline worker', firstUser: `<step id="${step.id}">` },
      turns: [
        { content: [{ tool: 'read_file', arguments: { path: step.files[0] } }] },
        { content: step.edits.map((edit) => ({ tool: 'edit_file', arguments: { path: edit.path, patch: edit.patch } })) },
        { content: [{ tool: 'finish', arguments: { summary: step.summary } }] },
      ],
    };
  }
  // A model that answers at once: what is left is Plumbline and the tests.
  return { name: `real-${project.name}`, onExhausted: 'error', latency: { ttftMs: 0, tokensPerSecond: 100000 }, roles } as ScenarioInput;
}

interface ProjectSample {
  readonly wallMs: number;
  readonly testMs: number;
  readonly verifications: number;
  /** Each verification's command time, in order of arrival: `baseline 4.1 s, s1 3.9 s, …`. */
  readonly timeline: string;
  /** The most verifications whose commands ran at the same time. */
  readonly overlap: number;
  readonly outcome: CliOutcome;
  readonly requests: RecordedRequest[];
  /**
   * The same task run again on the same tree (the refactor undone with git), as a user who runs
   * again would: the baseline and the tools' caches its run left are reused from the first run.
   */
  readonly rerun: { readonly wallMs: number; readonly timeline: string };
}

/** One run of the scripted refactor through the CLI, with a fake model of its own; throws unless every step landed. */
async function refactorRun(project: RealProject, root: string, cacheHome: string): Promise<{ outcome: CliOutcome; requests: RecordedRequest[]; scenario: ScenarioInput }> {
  const scenario = refactorScenario(project);
  const server = await startFakeModelServer({ scenario });
  try {
    const flags = ['--approve', 'auto', '--yes', ...(project.testCommand !== undefined ? ['--test-cmd', project.testCommand] : [])];
    // The cache folder is the checkout's own, so the baseline is taken as on a first run in the
    // repository; the code cache (src/boot/bundleLoader.ts) is the installation's, warm after any
    // earlier run on the machine, so it stays where it is.
    const codeCache = codeCacheDir() ?? 'off';
    const outcome = await runCli(server, root, project.task, flags, false, { XDG_CACHE_HOME: cacheHome, PLUMBLINE_CODE_CACHE: codeCache });
    const failed = eventsOf(outcome.events, 'step/finished').filter(({ event }) => event.status !== 'done');
    const finished = eventsOf(outcome.events, 'run/finished')[0]?.event;
    if (outcome.code !== 0 || failed.length > 0) {
      throw new Error(`the ${project.name} run exited ${String(outcome.code)} (${finished?.status ?? 'no run/finished'}: ${finished?.summary.slice(0, 300) ?? ''}); ${failed.map(({ event }) => `${event.stepId} ${event.status}: ${event.error ?? ''}`).join('; ')} ${outcome.stderr.slice(-300)}`);
    }
    return { outcome, requests: server.requests(), scenario };
  } finally {
    await server.close();
  }
}

/** Each verification's command time, in order of arrival: `baseline: 4.1 s, s1: related 0.9 s + full (s1) 3.9 s, …`. */
function timelineOf(outcome: CliOutcome): string {
  return eventsOf(outcome.events, 'verification')
    .map(({ event }) => {
      const runs = (event.evidence.runs ?? []).map((testRun) => `${testRun.kind === 'related' ? 'related' : `full${testRun.steps.length > 0 ? ` (${testRun.steps.join('+')})` : ''}`} ${(testRun.durationMs / 1000).toFixed(1)} s`);
      return `${event.stepId ?? 'baseline'}: ${runs.length > 0 ? runs.join(' + ') : `${(event.evidence.durationMs / 1000).toFixed(1)} s`}${event.evidence.cachedFrom !== undefined ? ' (reused)' : ''}`;
    })
    .join(', ');
}

async function sample(project: RealProject, dependencies: string | undefined): Promise<ProjectSample & { readonly warmMs: number }> {
  const repo = checkout(project, dependencies);
  try {
    const warmMs = warmSuiteMs(project.directCommand, repo.root);
    // A cache of its own: the baseline is taken in this run, as on a first run in the repository
    // (a baseline kept from an earlier run on the same tree would be reused).
    const cacheHome = join(repo.root, '..', 'cache');
    const { outcome, requests, scenario } = await refactorRun(project, repo.root, cacheHome);
    const misuse = checkToolUse(scenario, requests);
    if (misuse.length > 0) throw new Error(`the scripted model's calls do not fit the tools it was offered: ${misuse.join('; ')}`);
    // The refactor landed and the project's own suite still passes on it.
    if (run('git', ['status', '--porcelain', '--untracked-files=no'], repo.root, 'git status').trim() === '') throw new Error(`the ${project.name} run changed no file`);
    warmSuiteMs(project.directCommand, repo.root);
    traceRun(project, outcome);
    // Each test command's interval (the runs a verdict rests on, else the verification's own), within the run.
    const clip = ([from, to]: readonly [number, number]): readonly [number, number] => [Math.max(from, outcome.startedAt), Math.min(Math.max(to, outcome.startedAt), outcome.exitedAt)];
    const intervals = testIntervals(outcome).map(clip);
    const testMs = unionLength(intervals);
    const overlap = Math.max(0, ...intervals.map(([start]) => intervals.filter(([from, to]) => from <= start && start < to).length));
    // The same task again on the same tree: the refactor undone (its files back to the commit's bytes).
    run('git', ['checkout', '--', '.'], repo.root, 'git checkout');
    const again = await refactorRun(project, repo.root, cacheHome);
    traceRun(project, again.outcome, 'rerun');
    const rerun = { wallMs: again.outcome.exitedAt - again.outcome.startedAt, timeline: timelineOf(again.outcome) };
    return { warmMs, wallMs: outcome.exitedAt - outcome.startedAt, testMs, verifications: eventsOf(outcome.events, 'verification').length, timeline: timelineOf(outcome), overlap, outcome, requests, rerun };
  } finally {
    repo.remove();
  }
}

/** BENCH_REAL_TRACE=FOLDER: each run's events, with milliseconds since the spawn, one JSON line each (for finding where a run's time went). */
function traceRun(project: RealProject, outcome: CliOutcome, label = ''): void {
  const folder = process.env.BENCH_REAL_TRACE;
  if (folder === undefined || folder === '') return;
  mkdirSync(folder, { recursive: true });
  const lines = outcome.events.map(({ at, event }) => JSON.stringify({ ms: Math.round(at - outcome.startedAt), ...event }));
  writeFileSync(join(folder, `${project.name}${label !== '' ? `-${label}` : ''}-${String(Date.now())}.jsonl`), `${lines.join('\n')}\n{"ms":${String(Math.round(outcome.exitedAt - outcome.startedAt))},"type":"exit"}\n`);
}

function figureId(project: RealProject): string {
  return `realRepo.${project.name}`;
}

export const realRepoFigureIds: readonly string[] = realProjects.map(figureId);

/** Per project: run wall time ÷ one warm suite run, against (waves + 1); the share in tests and the waves beside it. */
export async function realRepoFigures(runs: number): Promise<Figure[]> {
  const figures: Figure[] = [];
  // BENCH_REAL_ONLY=NAME[,NAME]: only those projects (the others are not measured this time).
  const only = (process.env.BENCH_REAL_ONLY ?? '').split(',').filter((name) => name !== '');
  for (const project of realProjects) {
    if (only.length > 0 && !only.includes(project.name)) continue;
    const waves = planWaves(project.steps).length;
    const name = `${project.name} (${project.runner}): run ÷ one warm suite run`;
    try {
      const dependencies = installedDependencies(project);
      const samples = [];
      for (let i = 0; i < runs; i += 1) samples.push(await sample(project, dependencies));
      const ratios = samples.map((entry) => entry.wallMs / entry.warmMs);
      const share = median(samples.map((entry) => entry.testMs / entry.wallMs));
      const warm = median(samples.map((entry) => entry.warmMs));
      const wall = median(samples.map((entry) => entry.wallMs));
      const rerunWall = median(samples.map((entry) => entry.rerun.wallMs));
      figures.push({
        id: figureId(project),
        name,
        unit: '×',
        value: median(ratios),
        target: waves + 1,
        comparison: 'max',
        samples: ratios,
        details: { waves, steps: project.steps.length, testShare: share, warmSuiteMs: warm, runWallMs: wall, verifications: median(samples.map((entry) => entry.verifications)), verificationsAtOnce: Math.max(...samples.map((entry) => entry.overlap)), testCommand: project.testCommand ?? project.directCommand, rerunWallMs: rerunWall, rerunRatio: median(samples.map((entry) => entry.rerun.wallMs / entry.warmMs)) },
        note:
          `${project.upstream.repository} at ${project.upstream.commit.slice(0, 12)} (bench/fixtures/${project.name}); "${project.task}": ${project.steps.length} steps in ${waves} waves (${planWaves(project.steps).map((wave) => wave.join('+')).join(' → ')}); ` +
          `run (spawn → exit, --approve auto, model answering at once) ${(wall / 1000).toFixed(1)} s ÷ warm \`${project.directCommand}\` ${(warm / 1000).toFixed(2)} s; ${(100 * share).toFixed(0)}% of the run in test commands (union of the verifications' durations); ` +
          `verifications (command time each, first run): ${samples[0]?.timeline ?? ''}; at most ${Math.max(...samples.map((entry) => entry.overlap))} at once; target ≤ waves + 1 = ${waves + 1}; ${runs} run(s); ` +
          `the same task again on the same tree (kept baseline and the caches its run left reused; not the figure): ${(rerunWall / 1000).toFixed(1)} s = ${(rerunWall / warm).toFixed(2)}×, verifications ${samples[0]?.rerun.timeline ?? ''}`,
      });
    } catch (error) {
      figures.push(notMeasured(figureId(project), name, '×', waves + 1, 'max', `not measured: ${(error instanceof Error ? error.message : String(error)).slice(0, 600)}`));
    }
  }
  return figures;
}
