import { runGit, runGitBytes } from '../gitProcess';
import { checkPathSyntax } from '../workspace/workspacePaths';
import { BranchReviewError } from './branchRuns';

/**
 * What a branch changes since it left HEAD's history (`git diff merge-base branch`), file by file,
 * with both sides' bytes. Paths come from a tree a CI run made: each is checked as the workspace
 * checks any path (nothing in `.git`, no `..`, no absolute paths), and Plumbline's own folder is
 * refused. Symbolic links and submodules are not offered: they are named instead.
 */

export interface BranchFileChange {
  readonly path: string;
  /** At the merge base; undefined: the branch created the file. */
  readonly base: Uint8Array | undefined;
  /** On the branch; undefined: the branch deleted it. */
  readonly branch: Uint8Array | undefined;
}

export interface BranchChange {
  readonly files: readonly BranchFileChange[];
  /** Changes not offered, each with why (a link, a submodule, a path that may not be written). */
  readonly refused: readonly { readonly path: string; readonly reason: string }[];
}

const maxFiles = 500;
const maxBlobBytes = 20 * 1024 * 1024;
const zeroId = /^0+$/;
const blobId = /^[0-9a-f]{40}(?:[0-9a-f]{24})?$/;
const regularModes = new Set(['100644', '100755', '000000']);

export async function readBranchChange(root: string, mergeBase: string, tip: string): Promise<BranchChange> {
  // `:<old mode> <new mode> <old id> <new id> <status>` NUL `<path>` NUL, per file.
  const raw = await runGit(root, ['diff', '--raw', '-z', '--no-renames', '--no-abbrev', mergeBase, tip]);
  const fields = raw.split('\0');
  const files: BranchFileChange[] = [];
  const refused: { path: string; reason: string }[] = [];
  for (let index = 0; index + 1 < fields.length; index += 2) {
    const meta = /^:(\d{6}) (\d{6}) ([0-9a-f]+) ([0-9a-f]+) ([A-Z])\d*$/.exec(fields[index] ?? '');
    const path = fields[index + 1] ?? '';
    if (meta === null) throw new BranchReviewError('git diff --raw answered in a form this version of Plumbline does not read.');
    const [, oldMode = '', newMode = '', oldId = '', newId = ''] = meta;
    const shown = JSON.stringify(path);
    if (!regularModes.has(oldMode) || !regularModes.has(newMode)) {
      refused.push({ path: shown, reason: 'a symbolic link or submodule: apply it yourself if you want it (git checkout)' });
      continue;
    }
    const problem = pathProblem(path);
    if (problem !== undefined) {
      refused.push({ path: shown, reason: problem });
      continue;
    }
    if (files.length >= maxFiles) throw new BranchReviewError(`The branch changes more than ${maxFiles} files; review it with git instead.`);
    const [base, branch] = await Promise.all([blob(root, oldId), blob(root, newId)]);
    files.push({ path, base, branch });
  }
  return { files, refused };
}

function pathProblem(path: string): string | undefined {
  try {
    const normalized = checkPathSyntax(path).join('/');
    if (normalized !== path) return 'its path is not in the form git writes';
    if (normalized === '.plumbline' || normalized.startsWith('.plumbline/')) return "it is in .plumbline/, Plumbline's own run data";
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

async function blob(root: string, id: string): Promise<Uint8Array | undefined> {
  if (zeroId.test(id)) return undefined;
  if (!blobId.test(id)) throw new BranchReviewError('git diff --raw named something that is not an object id.');
  const bytes = await runGitBytes(root, ['cat-file', 'blob', id]);
  if (bytes.byteLength > maxBlobBytes) throw new BranchReviewError(`A file on the branch is larger than ${maxBlobBytes / (1024 * 1024)} MB; review it with git instead.`);
  return new Uint8Array(bytes);
}
