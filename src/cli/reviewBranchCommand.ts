import { describeBranchAge, type BranchRun } from '../protocol/branchReview';
import { branchesListRequest } from '../protocol/methods';
import { startServerSession } from './serverConnection';
import { paint, safeForTerminal, type Terminal } from './terminal';

/**
 * One branch of `plumbline review-branch` (no name): its name, run id, verdict, steps and age, then
 * its steps' titles. Titles came from commit messages a CI run wrote: they go through
 * `safeForTerminal` (the engine already made them one line of printable text).
 */
export function describeBranchLines(branch: BranchRun, terminal: Terminal, now: Date = new Date()): string {
  const verdict = branch.verdict === 'verified' ? paint(terminal, 'green', 'verified') : paint(terminal, 'yellow', 'not verified');
  const steps = `${branch.steps.length} step${branch.steps.length === 1 ? '' : 's'}, ${branch.files} file${branch.files === 1 ? '' : 's'}`;
  const head = `${paint(terminal, 'bold', branch.name)}  ${branch.runId !== undefined ? `run ${branch.runId}  ` : ''}${verdict}  ${steps}  ${paint(terminal, 'dim', describeBranchAge(branch.committedAt, now))}`;
  const lines = branch.steps.map((step) => `    ${step.stepId} ${safeForTerminal(step.title)}${step.tests !== undefined ? paint(terminal, 'dim', ` (tests: ${safeForTerminal(step.tests)})`) : ''}`);
  return [head, ...lines].join('\n');
}

/** `plumbline review-branch` without a name: the plumbline/* branches there are to review. */
export async function listBranchesCommand(options: { cwd: string; json: boolean; timeoutMs: number }, terminal: Terminal): Promise<number> {
  const session = await startServerSession({ workspaceFolder: options.cwd, timeoutMs: options.timeoutMs });
  try {
    const listed = await session.request(branchesListRequest, {});
    if (options.json) {
      terminal.write(`${JSON.stringify(listed, null, 2)}\n`);
      return 0;
    }
    if (listed.branches.length === 0) terminal.write('No plumbline/* branches here (local or fetched). Fetch them first: git fetch origin "refs/heads/plumbline/*:refs/remotes/origin/plumbline/*"\n');
    for (const branch of listed.branches) terminal.write(`${describeBranchLines(branch, terminal)}\n`);
    if (listed.unsafeNames > 0) terminal.write(`${paint(terminal, 'yellow', `${listed.unsafeNames} branch${listed.unsafeNames === 1 ? '' : 'es'} under plumbline/ left out: their names are not safe to pass to git.`)}\n`);
    if (listed.branches.length > 0) terminal.write(paint(terminal, 'dim', 'Review one: plumbline review-branch NAME\n'));
    return 0;
  } catch (error) {
    process.stderr.write(`plumbline: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  } finally {
    await session.close();
  }
}
