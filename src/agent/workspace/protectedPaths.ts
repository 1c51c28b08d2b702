import { foldName } from './pathLookalikes';
import { protectedRules } from './protectedRules';

/**
 * Files that make an editor, a tool or CI run code, or that hold Plumbline's own settings and
 * state. A change to one never lands without the user's explicit approval, whatever the approval
 * mode (`auto` included), and every review shows why. Pure: the engine decides, the UIs display the
 * reason it sends (`FileChange.protectedReason`).
 *
 * Matched at any depth (a sub-folder may be a workspace folder of its own, or a nested project
 * that CI or a tool picks up), case-insensitively and through Unicode look-alikes (`foldName`).
 * Writes inside `.git/` are refused outright by the path rules (workspacePaths.ts); `.git/hooks`
 * and `.git/config` are listed here too so that the policy stays right should that ever change.
 */

/** Why a path is protected, or undefined. `path` is workspace-relative with `/` separators. */
export function protectedReason(path: string): string | undefined {
  const segments = path.split(/[\\/]/).filter((segment) => segment !== '' && segment !== '.').map(foldName);
  if (segments.length === 0) return undefined;
  return protectedRules.find((rule) => rule.test(segments))?.reason;
}

const scriptsReason = 'package.json scripts, hooks or tool settings: npm, git hook managers, test runners and Plumbline\'s own verification run what they name';

/**
 * The fields of a package.json that name commands to run or configure tools that load code: npm's
 * scripts, bin and config, the git hook managers (husky, simple-git-hooks, pre-commit, yorkie's
 * gitHooks, ghooks, lint-staged, commitlint), the package manager and toolchain pins corepack and
 * volta switch to, and the inline configuration of test runners and tools that load plugins. The
 * descriptive and dependency fields stay ordinary changes.
 */
export const commandFieldNames: readonly string[] = [
  'scripts', 'bin', 'config', 'husky', 'simple-git-hooks', 'pre-commit', 'gitHooks', 'ghooks', 'lint-staged', 'commitlint',
  'packageManager', 'devEngines', 'volta', 'jest', 'mocha', 'ava', 'nyc', 'c8', 'babel', 'eslintConfig', 'prettier', 'xo', 'stylelint', 'pnpm', 'napi',
];

/** The command fields of a package.json as comparable text, or undefined when it is not a JSON object. */
function commandFields(text: string): string | undefined {
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return undefined;
    const record = parsed as Record<string, unknown>;
    return JSON.stringify(commandFieldNames.map((name) => record[name] ?? null));
  } catch {
    return undefined;
  }
}

/**
 * Why a change is protected: its path (`protectedReason`), or, for a `package.json`, a change to
 * what it tells a tool to run. Editing dependencies or metadata stays an ordinary change; touching
 * a command field (`commandFieldNames`), or making the file unparseable, needs approval. Texts are
 * null when the file is absent or not text.
 */
export function protectedChangeReason(path: string, beforeText: string | null, afterText: string | null): string | undefined {
  const byPath = protectedReason(path);
  if (byPath !== undefined) return byPath;
  const name = foldName(path.split(/[\\/]/).pop() ?? '');
  if (name !== 'package.json') return undefined;
  if (afterText === null) return undefined; // deleting it removes scripts, it adds none
  const before = commandFields(beforeText ?? '{}');
  const after = commandFields(afterText);
  if (after === undefined || before !== after) return scriptsReason;
  return undefined;
}
