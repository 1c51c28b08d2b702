import * as vscode from 'vscode';
import type { ApproveMode } from '../../protocol/run';
import type { ModelSetupView, RunViewModel, SidebarSettings, StepEvidence } from '../../protocol/webviewMessages';
import type { PendingApproval, RunView } from '../runs/runController';

/** The run as the sidebar renders it: plain data, nothing the webview cannot validate. */
export function toRunViewModel(view: RunView | undefined, pending: PendingApproval | undefined, evidence: readonly StepEvidence[]): RunViewModel | null {
  if (view === undefined) return null;
  const finished = view.finished;
  return {
    runId: view.runId,
    task: view.task,
    phase: view.phase,
    hasPlanDocument: view.planPath !== undefined,
    plan: view.plan ?? null,
    costUsd: view.costUsd,
    ...(view.usage !== undefined ? { tokens: view.usage.tokens, unpricedCalls: view.usage.unpricedCalls } : {}),
    awaitingApproval: pending?.runId === view.runId && finished === undefined,
    finished: finished === undefined ? null : { status: finished.status, reason: finished.reason ?? null, summary: finished.summary, applied: finished.applied },
    evidence: [...evidence],
  };
}

const approveModes: readonly ApproveMode[] = ['step', 'end', 'auto', 'never'];

export function readSidebarSettings(setup: ModelSetupView): SidebarSettings {
  const config = vscode.workspace.getConfiguration('plumbline');
  const mode = config.get<string>('approvalMode');
  const modelOf = (role: 'orchestrator' | 'worker'): string => {
    const model = config.get<string>(`${role}.model`)?.trim();
    return model !== undefined && model !== '' ? model : (config.get<string>(`${role}.provider`) ?? 'auto');
  };
  return {
    approvalMode: approveModes.find((known) => known === mode) ?? 'step',
    approvalModeTarget: vscode.workspace.workspaceFolders !== undefined ? 'workspace' : 'user',
    setup,
    trusted: vscode.workspace.isTrusted,
    models: { orchestrator: modelOf('orchestrator'), worker: modelOf('worker') },
  };
}

/**
 * Writes `plumbline.approvalMode` to this workspace's settings (the dropdown says so): a choice made
 * in one project's sidebar is not silently applied to every other. With no folder open there is no
 * workspace to write to, so it goes to the user settings, and the dropdown says that instead.
 */
export async function writeApprovalMode(mode: ApproveMode): Promise<void> {
  const config = vscode.workspace.getConfiguration('plumbline');
  const target = vscode.workspace.workspaceFolders !== undefined ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global;
  await config.update('approvalMode', mode, target);
}
