import type { TaskScope } from '../../protocol/run';
import type { TestEvidence } from '../../protocol/testEvidence';

/**
 * The words of the tasks the editor commands start. Pure (no vscode), so the unit tier checks them:
 * the first line is what the history and the progress show, the rest is context for the model.
 */

/** Most characters of selected code a task carries; more is cut with a note (the model can read the file). */
export const maxSelectedChars = 12000;
const maxListedFailures = 20;

export interface RefactorInput {
  readonly instruction: string;
  readonly scope: TaskScope;
  /** The editor's language id, for the code fence. */
  readonly languageId: string;
  readonly text: string;
  /** Whether the user selected nothing and the whole file is the scope. */
  readonly wholeFile: boolean;
}

export function describeScope(scope: TaskScope, wholeFile: boolean): string {
  if (wholeFile) return scope.path;
  return scope.startLine === scope.endLine ? `${scope.path}, line ${String(scope.startLine)}` : `${scope.path}, lines ${String(scope.startLine)}-${String(scope.endLine)}`;
}

/** "<instruction> (in src/a.ts, lines 3-7)" then the selected code, fenced. */
export function composeRefactorTask(input: RefactorInput): string {
  const where = describeScope(input.scope, input.wholeFile);
  const cut = input.text.length > maxSelectedChars;
  const code = cut ? input.text.slice(0, maxSelectedChars) : input.text;
  const fence = fenceFor(code);
  const label = input.wholeFile ? `The file (${where})` : `The selected code (${where})`;
  return [
    `${input.instruction.trim()} (in ${where})`,
    '',
    `${label}${cut ? `, first ${String(maxSelectedChars)} characters; read the file for the rest` : ''}:`,
    `${fence}${input.languageId}`,
    code.replace(/\n$/, ''),
    fence,
  ].join('\n');
}

/** A fence longer than any run of backticks inside the code. */
function fenceFor(code: string): string {
  const longest = Math.max(2, ...[...code.matchAll(/`+/g)].map((match) => match[0].length));
  return '`'.repeat(longest + 1);
}

/** The failing tests' names, located where the runner said, deduplicated, in order. */
export function failingTests(evidence: TestEvidence): string[] {
  const names = [...evidence.newFailures, ...evidence.preexistingFailures, ...evidence.locations.map((location) => location.name)];
  return [...new Set(names)];
}

/** "Make the failing tests pass: a, b" then each failure with its place and message, and the output excerpt. */
export function composeFixTask(evidence: TestEvidence): string {
  const names = failingTests(evidence);
  const head =
    names.length === 0
      ? `Make the failing tests pass (\`${evidence.command ?? 'the test command'}\` exits with code ${String(evidence.exitCode)}).`
      : `Make the failing tests pass: ${names.slice(0, 3).join(', ')}${names.length > 3 ? ` and ${String(names.length - 3)} more` : ''}.`;
  const lines = [head, '', `The test command \`${evidence.command ?? ''}\` failed (exit code ${String(evidence.exitCode)}${evidence.failed !== undefined ? `, ${String(evidence.failed)} failed` : ''}${evidence.total !== undefined ? ` of ${String(evidence.total)}` : ''}).`];
  if (names.length > 0) {
    lines.push('', 'Failing tests:');
    for (const name of names.slice(0, maxListedFailures)) {
      const location = evidence.locations.find((candidate) => candidate.name === name);
      const where = location === undefined ? '' : ` (${location.file}${location.line !== undefined ? `:${String(location.line)}` : ''})`;
      const why = location?.message !== undefined ? `: ${location.message.split('\n')[0] ?? ''}` : '';
      lines.push(`- ${name}${where}${why}`);
    }
    if (names.length > maxListedFailures) lines.push(`- … and ${String(names.length - maxListedFailures)} more`);
  }
  if (evidence.excerpt.trim() !== '') lines.push('', 'Output:', '```text', evidence.excerpt.trim().slice(-4000), '```');
  lines.push('', 'Fix the code under test; change a test only when the test itself is wrong, and say why.');
  return lines.join('\n');
}
