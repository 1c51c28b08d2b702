import type { RepoInfo } from '../verify/isolationGit';
import { createGitPort } from '../workspace/gitPort';
import type { WorkspaceReader } from '../../tools/workspacePort';
import { projectOverview } from './projectOverview';

/** What the orchestrator starts from: the repository's git port, the project's overview, and hidden text removed on the way. */
export interface Explored {
  readonly git: Awaited<ReturnType<typeof createGitPort>>;
  readonly overview: Awaited<ReturnType<typeof projectOverview>>;
  readonly hiddenFound: readonly string[];
}

/**
 * Independent look-ups, each a git process or a walk of the workspace: side by side, started
 * before the first model request. Never leaves a rejection unheard: the caller awaits it later.
 */
export function explore(workspace: WorkspaceReader, repo?: Promise<RepoInfo | undefined>): Promise<Explored> {
  const hiddenFound: string[] = [];
  const inWorkTree = repo?.then((found) => found !== undefined);
  const explored = Promise.all([
    createGitPort(workspace.root, inWorkTree),
    projectOverview(workspace, (path, count) => hiddenFound.push(`${count} hidden character(s) in ${path}`)),
  ]).then(([git, overview]) => ({ git, overview, hiddenFound }));
  // Awaited by the run's planning; a run that fails before it gets there must not leave a rejection unheard.
  explored.catch(() => undefined);
  return explored;
}
