import { simpleGit } from 'simple-git';
import type { GitPort } from '../../tools/toolContexts';
import { isGitRepository } from '../gitProbe';
import { checkPathSyntax } from './workspacePaths';

/**
 * Read-only git for the orchestrator. A path is confined like any other, and goes after `--`, so no
 * model-supplied string can reach git as an option.
 */
export async function createGitPort(root: string): Promise<GitPort | undefined> {
  if (!(await isGitRepository(root))) return undefined;
  // The flag lets us pass core.fsmonitor=false, the safe value: a repository's own config must not run a program.
  const git = simpleGit({ baseDir: root, timeout: { block: 15000 }, unsafe: { allowUnsafeFsMonitor: true } });
  return {
    status: () => git.raw(['-c', 'core.fsmonitor=false', 'status', '--short', '--', '.']),
    diff: (path) => {
      // Behind `--` git would read it as a path anyway; a leading dash is refused outright all the same.
      if (path?.trim().startsWith('-') === true) return Promise.reject(new Error(`${path} starts with "-"; give a workspace-relative path.`));
      const target = path === undefined ? '.' : checkPathSyntax(path).join('/');
      return git.raw(['-c', 'core.fsmonitor=false', 'diff', 'HEAD', '--no-ext-diff', '--no-color', '--', target]);
    },
  };
}
