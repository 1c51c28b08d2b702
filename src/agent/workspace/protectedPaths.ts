import { foldName } from './pathLookalikes';

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

interface Rule {
  /** Matched against the folded segments of a workspace-relative path. */
  readonly test: (segments: readonly string[]) => boolean;
  readonly reason: string;
}

const last = (segments: readonly string[]): string => segments[segments.length - 1] ?? '';
/** Whether some segment (not the last) is `folder`: the file is somewhere under it. */
const under = (segments: readonly string[], folder: string): boolean => segments.slice(0, -1).includes(folder);
/** Whether `parent/child` appear as consecutive folders above the file. */
const underPair = (segments: readonly string[], parent: string, child: string): boolean =>
  segments.slice(0, -1).some((segment, index) => segment === parent && segments[index + 1] === child && index + 1 < segments.length - 1);

const rules: readonly Rule[] = [
  { test: (s) => under(s, '.git'), reason: 'inside .git: git runs hooks and reads its config from here' },
  { test: (s) => under(s, '.vscode'), reason: 'VS Code workspace configuration: settings, tasks, launch configurations and extension recommendations can run code' },
  { test: (s) => last(s).endsWith('.code-workspace'), reason: 'a VS Code workspace file: its settings, tasks and launch configurations can run code' },
  { test: (s) => underPair(s, '.github', 'workflows') || underPair(s, '.github', 'actions'), reason: 'a GitHub Actions workflow or action: CI runs it with the repository\'s secrets' },
  { test: (s) => last(s) === '.gitlab-ci.yml' || under(s, '.circleci'), reason: 'CI configuration: CI runs it with the repository\'s secrets' },
  { test: (s) => under(s, '.devcontainer') || last(s) === '.devcontainer.json', reason: 'a dev container definition: its lifecycle commands run when the container is built or opened' },
  { test: (s) => under(s, '.husky'), reason: 'a git hook (husky): it runs on commit or push' },
  { test: (s) => under(s, '.plumbline'), reason: 'Plumbline\'s own settings and run state' },
  { test: (s) => last(s) === '.env' || last(s).startsWith('.env.') || last(s) === '.envrc', reason: 'environment configuration (.env): tools load it into every process, and it often holds secrets' },
  { test: (s) => ['.gitattributes', '.gitmodules'].includes(last(s)), reason: 'git configuration: filters and submodule URLs make git run commands' },
  { test: (s) => ['.npmrc', '.yarnrc', '.yarnrc.yml'].includes(last(s)), reason: 'package manager configuration: it can change which scripts, shells and registries run' },
];

/** Why a path is protected, or undefined. `path` is workspace-relative with `/` separators. */
export function protectedReason(path: string): string | undefined {
  const segments = path.split(/[\\/]/).filter((segment) => segment !== '' && segment !== '.').map(foldName);
  if (segments.length === 0) return undefined;
  return rules.find((rule) => rule.test(segments))?.reason;
}

const scriptsReason = 'package.json scripts: npm, the test runner and Plumbline\'s own verification run them';

/** The fields of a package.json that name commands to run: scripts and the lifecycle config. */
function commandFields(text: string): string | undefined {
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed !== 'object' || parsed === null) return undefined;
    const record = parsed as Record<string, unknown>;
    return JSON.stringify([record.scripts ?? null, record.bin ?? null, record.config ?? null]);
  } catch {
    return undefined;
  }
}

/**
 * Why a change is protected: its path (`protectedReason`), or, for a `package.json`, a change to
 * what it tells npm to run. Editing dependencies or metadata stays an ordinary change; touching
 * `scripts`, `bin` or `config` (or making the file unparseable) needs approval. Texts are null when
 * the file is absent or not text.
 */
export function protectedChangeReason(path: string, beforeText: string | null, afterText: string | null): string | undefined {
  const byPath = protectedReason(path);
  if (byPath !== undefined) return byPath;
  const name = foldName(path.split(/[\\/]/).pop() ?? '');
  if (name !== 'package.json') return undefined;
  const before = commandFields(beforeText ?? '{}');
  const after = afterText === null ? undefined : commandFields(afterText);
  if (afterText === null) return undefined; // deleting it removes scripts, it adds none
  if (after === undefined || before !== after) return scriptsReason;
  return undefined;
}
