import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A temporary repository with a run's branch made as `plumbline run --ci` makes one (the contract of
 * issue #20): one commit per verified step, subject the step's title, a body, and the trailers
 * `Plumbline-Run`, `Plumbline-Step`, `Plumbline-Verdict`, `Plumbline-Tests`. Built here with git
 * plumbing (a temporary index, commit-tree, update-ref), never with the CI mode's code, and never
 * touching the checked-out branch or the working tree.
 */

/** Two functions far apart: changing both is two hunks. */
export const calcBase = ['function add(a, b) {', '  return a + b;', '}', '', '// one', '// two', '// three', '// four', '', 'function sub(a, b) {', '  return a - b;', '}', ''].join('\n');
export const calcBranch = calcBase.replace('function add(a, b) {', 'function sum(a, b) {').replace('  return a - b;', '  return a - b; // checked');
/** CRLF and no final newline: undo must give these bytes back exactly. */
export const notesBase = 'first line\r\nsecond line\r\nthird line\r\n\r\n\r\n\r\n\r\nlast line';
export const notesBranch = notesBase.replace('first line', 'FIRST LINE').replace('last line', 'LAST LINE');

export interface BranchStepSpec {
  readonly title: string;
  readonly step: string;
  readonly files: Readonly<Record<string, string | null>>;
  /** The whole message instead of the contract's (a hostile one). */
  readonly message?: string;
}

export interface BranchRepo {
  readonly root: string;
  git(...args: string[]): string;
  /** Commits `steps` on `branch` (created from HEAD, or from its own tip when it exists), without touching the work tree. */
  commitBranch(branch: string, runId: string, steps: readonly BranchStepSpec[]): string;
}

export function contractMessage(title: string, runId: string, step: string, files: readonly string[]): string {
  return `${title}\n\nFiles: ${files.join(', ')}\nTests: 3 passed before, 3 passed after (npm test, 1.2 s).\n\nPlumbline-Run: ${runId}\nPlumbline-Step: ${step}\nPlumbline-Verdict: verified\nPlumbline-Tests: 3 passed, 0 failed; npm test; 1.2 s\n`;
}

/** A repository on `main` with `src/calc.js`, `notes.txt` and `README.md` committed. */
export function branchRepo(prefix = 'plumbline-branch-'): BranchRepo {
  const root = mkdtempSync(join(tmpdir(), prefix));
  const env = { ...process.env, GIT_AUTHOR_NAME: 'CI', GIT_AUTHOR_EMAIL: 'ci@example.com', GIT_COMMITTER_NAME: 'CI', GIT_COMMITTER_EMAIL: 'ci@example.com' };
  const git = (...args: string[]): string => execFileSync('git', ['-C', root, ...args], { encoding: 'utf8', env }).trim();
  const gitIn = (extra: NodeJS.ProcessEnv, args: string[], input?: string): string =>
    execFileSync('git', ['-C', root, ...args], { encoding: 'utf8', env: { ...env, ...extra }, ...(input !== undefined ? { input } : {}) }).trim();
  git('init', '-q', '-b', 'main');
  git('config', 'core.autocrlf', 'false');
  execFileSync('mkdir', ['-p', join(root, 'src')]);
  writeFileSync(join(root, 'src', 'calc.js'), calcBase);
  writeFileSync(join(root, 'notes.txt'), notesBase);
  writeFileSync(join(root, 'README.md'), '# demo\n\nSome text.\n');
  git('add', '-A');
  git('commit', '-qm', 'init');
  return {
    root,
    git,
    commitBranch(branch, runId, steps) {
      const ref = branch.startsWith('refs/') ? branch : `refs/heads/${branch}`;
      let parent = (() => {
        try {
          return git('rev-parse', '--verify', '--quiet', `${ref}^{commit}`);
        } catch {
          return git('rev-parse', 'HEAD');
        }
      })();
      const index = join(root, '.git', `plumbline-test-index-${process.pid}`);
      for (const spec of steps) {
        const indexEnv = { GIT_INDEX_FILE: index };
        gitIn(indexEnv, ['read-tree', parent]);
        for (const [path, content] of Object.entries(spec.files)) {
          if (content === null) gitIn(indexEnv, ['update-index', '--force-remove', '--', path]);
          else {
            const blob = gitIn({}, ['hash-object', '-w', '--stdin'], content);
            gitIn(indexEnv, ['update-index', '--add', '--cacheinfo', `100644,${blob},${path}`]);
          }
        }
        const tree = gitIn(indexEnv, ['write-tree']);
        const message = spec.message ?? contractMessage(spec.title, runId, spec.step, Object.keys(spec.files));
        parent = gitIn({}, ['commit-tree', tree, '-p', parent, '-F', '-'], message);
      }
      git('update-ref', ref, parent);
      return parent;
    },
  };
}
