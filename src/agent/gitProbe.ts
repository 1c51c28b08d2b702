import { simpleGit } from 'simple-git';

export interface GitAvailability {
  readonly available: boolean;
  readonly version: string | null;
}

/** Whether a `git` binary can be run, and its version. Never throws: a missing git is a fact to report. */
export async function probeGit(): Promise<GitAvailability> {
  try {
    const version = await simpleGit({ timeout: { block: 5000 } }).version();
    if (!version.installed) return { available: false, version: null };
    return { available: true, version: `${version.major}.${version.minor}.${String(version.patch)}` };
  } catch {
    return { available: false, version: null };
  }
}

/** Whether `folder` is inside a git work tree. */
export async function isGitRepository(folder: string): Promise<boolean> {
  try {
    return await simpleGit({ baseDir: folder, timeout: { block: 5000 } }).checkIsRepo();
  } catch {
    return false;
  }
}
