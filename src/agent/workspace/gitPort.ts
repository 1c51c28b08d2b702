import type { GitPort } from '../../tools/toolContexts';
import { isGitRepository } from '../gitProbe';
import { runGit } from '../gitProcess';
import { checkPathSyntax } from './workspacePaths';

/**
 * Read-only git for the orchestrator. A path is confined like any other, and goes after `--`, so no
 * model-supplied string can reach git as an option.
 */
export async function createGitPort(root: string): Promise<GitPort | undefined> {
  if (!(await isGitRepository(root))) return undefined;
  // runGit passes core.fsmonitor=false (a repository's own config must not run a program) and, unlike
  // simple-git, does not wait 50 ms more when git prints nothing (a clean `status`, an empty `diff`).
  const git = { raw: (args: readonly string[]) => runGit(root, args, 15_000) };
  return {
    status: () => git.raw(['status', '--short', '--', '.']),
    diff: (path) => {
      // Behind `--` git would read it as a path anyway; a leading dash is refused outright all the same.
      if (path?.trim().startsWith('-') === true) return Promise.reject(new Error(`${path} starts with "-"; give a workspace-relative path.`));
      const target = path === undefined ? '.' : checkPathSyntax(path).join('/');
      return git.raw(['diff', 'HEAD', '--no-ext-diff', '--no-color', '--', target]);
    },
  };
}
