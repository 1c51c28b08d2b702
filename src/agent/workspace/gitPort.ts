import type { GitPort } from '../../tools/toolContexts';
import { isGitRepository } from '../gitProbe';
import { runGit } from '../gitProcess';
import { secretFileKind, secretFileRefusal } from './secretPaths';
import { checkPathSyntax, secretFileAt } from './workspacePaths';

/**
 * Refuses a model- or user-supplied string that git could read as an option (`--output=…`,
 * `-c core.pager=…`, `--upload-pack=…`), even where it goes after `--`: one rule, checked
 * everywhere a string reaches git, so a future call without `--` is still safe.
 */
export function refuseGitOption(value: string, what: string): string {
  if (/^\s*-/.test(value)) throw new Error(`${what} ${JSON.stringify(value)} starts with "-", which git would read as an option; it was refused.`);
  return value;
}

/**
 * Git itself: no pathspec magic (`:(top)`, `:!x`, globs) so a path means that path; never the
 * repository's fsmonitor program; never a pager.
 */
const safeGlobals = ['--literal-pathspecs', '--no-pager', '-c', 'core.fsmonitor=false'] as const;

/**
 * Read-only git for the orchestrator. A path is confined like any other, must not start with `-`,
 * and goes after `--`, so no model-supplied string can reach git as an option.
 */
export async function createGitPort(root: string, inWorkTree?: Promise<boolean>): Promise<GitPort | undefined> {
  // The caller may already know (a probe it made anyway): one git start-up less.
  if (!(await (inWorkTree ?? isGitRepository(root)))) return undefined;
  // runGit passes core.fsmonitor=false (a repository's own config must not run a program) and, unlike
  // simple-git, does not wait 50 ms more when git prints nothing (a clean `status`, an empty `diff`).
  const git = { raw: (args: readonly string[]) => runGit(root, args, 15_000) };
  return {
    status: () => git.raw([...safeGlobals, 'status', '--short', '--', '.']),
    diff: async (path) => {
      const target = path === undefined ? '.' : checkPathSyntax(refuseGitOption(path, 'The path')).join('/');
      const secret = await secretFileAt(root, target);
      if (secret !== undefined) return secretFileRefusal(target, secret);
      // Secret files' lines never reach a model, in a diff either: their sections are dropped by
      // the same rules read_file uses (secretPaths.ts).
      return withoutSecretSections(await git.raw([...safeGlobals, 'diff', 'HEAD', '--no-ext-diff', '--no-textconv', '--no-color', '--', target]));
    },
  };
}

/** A `git diff` without the sections of files that hold secrets (by either side's name). */
function withoutSecretSections(diff: string): string {
  const sections = diff.split(/^(?=diff --git )/m);
  return sections
    .filter((section) => {
      const header = /^diff --git "?a\/(.*?)"? "?b\/(.*?)"?$/m.exec(section);
      return header === null || (secretFileKind(header[1] ?? '') === undefined && secretFileKind(header[2] ?? '') === undefined);
    })
    .join('');
}
