import * as vscode from 'vscode';
import { branchNameProblem, describeBranchAge, type BranchRun } from '../../protocol/branchReview';
import { branchesListRequest } from '../../protocol/methods';
import type { AgentServerController } from '../agentServer/serverController';
import { refuseInRestrictedMode } from '../workspaceTrust';
import type { RunController } from './runController';

interface BranchItem extends vscode.QuickPickItem {
  readonly branch: string;
}

/**
 * A branch as one quick pick item: its name, verdict, steps and age, then its run id, files and
 * its steps' titles. Titles are commit subjects a CI run wrote: the server made them one line of printable
 * text, and `$(…)` is broken up here so a subject cannot draw icons into the list.
 */
export function branchItem(branch: BranchRun, now: Date = new Date()): BranchItem {
  const steps = `${branch.steps.length} step${branch.steps.length === 1 ? '' : 's'}`;
  const verdict = branch.verdict === 'verified' ? '$(pass) verified' : '$(warning) not verified';
  const titles = branch.steps.map((step) => `${step.stepId}: ${step.title}`.replace(/\$\(/g, '$\u200b('));
  return {
    label: `$(git-branch) ${branch.name}`,
    description: [verdict, steps, describeBranchAge(branch.committedAt, now)].join(' · '),
    detail: [branch.runId !== undefined ? `run ${branch.runId}` : 'no run id', `${branch.files} file${branch.files === 1 ? '' : 's'}`, ...titles].join(' · '),
    branch: branch.name,
  };
}

/**
 * Plumbline: Review Branch…: picks one of the `plumbline/*` branches (local and fetched) and starts
 * its review, a run of its own: its plan and evidence in the sidebar, its change in the inline
 * per-hunk review, landing and Undo Run as a local run's. `given` (a name, from a test or a link)
 * skips the pick; it is checked like any name.
 */
export async function reviewBranchCommand(server: AgentServerController, runs: RunController, given?: unknown): Promise<string | undefined> {
  if (await refuseInRestrictedMode()) return undefined;
  let name: string | undefined;
  if (typeof given === 'string') name = given;
  else {
    let listed;
    try {
      listed = await server.request(branchesListRequest, {});
    } catch (error) {
      void vscode.window.showErrorMessage(`Plumbline could not list the plumbline/* branches: ${error instanceof Error ? error.message : String(error)}`);
      return undefined;
    }
    if (listed.branches.length === 0) {
      void vscode.window.showInformationMessage('There are no plumbline/* branches here, local or fetched. Fetch a CI run\'s branch first (git fetch origin), then try again.');
      return undefined;
    }
    const now = new Date();
    const unsafe = listed.unsafeNames > 0 ? ` (${listed.unsafeNames} left out: names not safe to pass to git)` : '';
    const picked = await vscode.window.showQuickPick(
      listed.branches.map((branch) => branchItem(branch, now)),
      { title: 'Plumbline: Review Branch', placeHolder: `Which run's branch? Its change is reviewed hunk by hunk over your files${unsafe}`, matchOnDescription: true, matchOnDetail: true },
    );
    name = picked?.branch;
  }
  if (name === undefined) return undefined;
  const problem = branchNameProblem(name);
  if (problem !== undefined) {
    void vscode.window.showErrorMessage(`Plumbline cannot review ${JSON.stringify(name)}: ${problem}.`);
    return undefined;
  }
  try {
    return await runs.reviewBranch(name);
  } catch (error) {
    void vscode.window.showErrorMessage(`Plumbline could not review ${name}: ${error instanceof Error ? error.message : String(error)}`);
    return undefined;
  }
}
