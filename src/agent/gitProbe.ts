import { tmpdir } from 'node:os';
import { runGit } from './gitProcess';

/**
 * What `plumbline/status` and `plumbline doctor` say about git. Git is run one way in the engine:
 * `runGit` (gitProcess.ts), which drops ambient GIT_* variables, disables fsmonitor and does not wait
 * after commands that print nothing, as simple-git did.
 */

export interface GitAvailability {
  readonly available: boolean;
  readonly version: string | null;
}

/** Whether a `git` binary can be run, and its version. Never throws: a missing git is a fact to report. */
export async function probeGit(): Promise<GitAvailability> {
  try {
    const output = await runGit(tmpdir(), ['--version'], 5000);
    const match = /(\d+)\.(\d+)\.(\d+)/.exec(output);
    return { available: true, version: match === null ? output.trim() : `${match[1] ?? ''}.${match[2] ?? ''}.${match[3] ?? ''}` };
  } catch {
    return { available: false, version: null };
  }
}

/** Whether `folder` is inside a git work tree. */
export async function isGitRepository(folder: string): Promise<boolean> {
  try {
    return (await runGit(folder, ['rev-parse', '--is-inside-work-tree'], 5000)).trim() === 'true';
  } catch {
    return false;
  }
}
