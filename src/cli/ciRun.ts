import { copyFileSync, existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { BranchCommitted } from '../protocol/branchCommit';
import type { RunEvent } from '../protocol/run';
import { ciReport, verdictOf, type CiObservation } from './ciReport';
import { writeGithubStep } from './githubOutputs';
import { runTaskCommand, type RunTaskOptions } from './runTask';
import type { Terminal } from './terminal';

/**
 * `plumbline run --ci` and `plumbline resume --from DIR`: a run that nobody is asked anything
 * about, whose verified steps go to a new branch (the engine commits them; the working tree and
 * HEAD are never written), followed by its report (`--report`), the step's outputs and summary
 * (`GITHUB_OUTPUT`, `GITHUB_STEP_SUMMARY`) and its artifacts (`--artifacts`: journal, plan.md,
 * run.json and the report, kept current while the run goes on, so a killed job still leaves what
 * `resume --from` needs).
 */

export interface CiRunOptions {
  /** How to run it: a fresh run (task, flags) or a resumed one (`resumeRunId`); never interactive. */
  readonly run: Omit<RunTaskOptions, 'commitToBranch' | 'onEvent' | 'onFailure'>;
  /** Where the task came from, for the report (`the argument`, `issue #12`…). */
  readonly taskSource: string;
  /** `--commit-branch`; absent: `plumbline/<run-id>`. */
  readonly commitBranch?: string;
  /** `--report FILE`. */
  readonly report?: string;
  /** `--artifacts DIR`. */
  readonly artifacts?: string;
  readonly env: NodeJS.ProcessEnv;
}

/** Exit statuses of a CI run: 0 verified or empty, 1 partial or failed (2, usage errors, is decided before). */
export const ciExitCodes = { verified: 0, empty: 0, partial: 1, failed: 1 } as const;

/** The run's own files that travel with it as artifacts (transcript.md when the run got to write it). */
const runFiles = ['journal.jsonl', 'plan.md', 'run.json', 'transcript.md'] as const;

export async function ciRunCommand(options: CiRunOptions, terminal: Terminal): Promise<number> {
  const artifacts = options.artifacts !== undefined ? resolve(options.artifacts) : undefined;
  if (artifacts !== undefined) mkdirSync(artifacts, { recursive: true });
  let observed: Mutable<CiObservation> = { task: options.run.task, taskSource: options.taskSource, reviews: [] };
  let copying: Promise<void> = Promise.resolve();
  const syncArtifacts = (): void => {
    const runId = observed.runId;
    if (artifacts === undefined || runId === undefined) return;
    // One copy at a time, after the event that changed the files (the journal is written before its event is sent).
    copying = copying.then(() => copyRunFiles(join(options.run.cwd, '.plumbline', 'runs', runId), artifacts)).catch((error: unknown) => {
      process.stderr.write(`plumbline: could not copy the run's files to ${artifacts}: ${error instanceof Error ? error.message : String(error)}\n`);
    });
  };
  const onEvent = (event: RunEvent): void => {
    observed = observe(observed, event);
    if (['run/started', 'plan/updated', 'step/finished', 'branch/committed', 'run/finished'].includes(event.type)) syncArtifacts();
  };
  await runTaskCommand(
    {
      ...options.run,
      commitToBranch: options.commitBranch !== undefined ? { branch: options.commitBranch } : {},
      onEvent,
      onFailure: (message) => (observed = { ...observed, error: message }),
    },
    terminal,
  );
  syncArtifacts();
  await copying;

  const verdict = verdictOf(observed);
  const report = ciReport(observed);
  const reportPaths = [...(options.report !== undefined ? [resolve(options.report)] : []), ...(artifacts !== undefined ? [join(artifacts, 'report.md')] : [])];
  for (const path of reportPaths) {
    try {
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, report, 'utf8');
    } catch (error) {
      process.stderr.write(`plumbline: could not write the report to ${path}: ${error instanceof Error ? error.message : String(error)}\n`);
    }
  }
  const branch: BranchCommitted | undefined = observed.branch;
  const outputs = {
    branch: branch?.branch ?? options.commitBranch ?? (observed.runId !== undefined ? `plumbline/${observed.runId}` : ''),
    'run-id': observed.runId ?? '',
    verdict,
    commits: String(branch?.commits.length ?? 0),
    report: reportPaths[0] ?? '',
  };
  for (const problem of writeGithubStep(options.env, outputs, report)) process.stderr.write(`plumbline: ${problem}\n`);
  if (!options.run.json) terminal.write(`Verdict: ${verdict}${reportPaths[0] !== undefined ? `. Report: ${reportPaths[0]}` : ''}\n`);
  return ciExitCodes[verdict];
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** What one event adds to the observation. */
function observe(observed: Mutable<CiObservation>, event: RunEvent): Mutable<CiObservation> {
  switch (event.type) {
    case 'run/started':
      // A resumed run's task is the one it was started with.
      return { ...observed, runId: event.runId, task: observed.task !== '' ? observed.task : event.task };
    case 'plan/updated':
      return { ...observed, plan: event.plan };
    case 'review':
      return { ...observed, reviews: [...observed.reviews, { ...(event.stepId !== undefined ? { stepId: event.stepId } : {}), review: event.review }] };
    case 'usage':
      return { ...observed, usage: event.run };
    case 'branch/committed': {
      const { type: _type, runId: _runId, ...branch } = event;
      return { ...observed, branch };
    }
    case 'run/finished':
      return { ...observed, finished: event };
    default:
      return observed;
  }
}

/** Copies the run's files that exist, each through a temporary name, so an upload never reads half a file. */
function copyRunFiles(from: string, to: string): Promise<void> {
  for (const name of runFiles) {
    const source = join(from, name);
    if (!existsSync(source)) continue;
    const temporary = join(to, `.${name}.${process.pid}.tmp`);
    copyFileSync(source, temporary);
    renameSync(temporary, join(to, name));
  }
  return Promise.resolve();
}
