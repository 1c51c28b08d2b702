import * as vscode from 'vscode';
import type { ApproveMode } from '../../protocol/run';
import type { RunViewModel, SidebarSettings, StepEvidence } from '../../protocol/webviewMessages';
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

export function readSidebarSettings(): SidebarSettings {
  const config = vscode.workspace.getConfiguration('plumbline');
  const mode = config.get<string>('approvalMode');
  const modelOf = (role: 'orchestrator' | 'worker'): string => {
    const model = config.get<string>(`${role}.model`)?.trim();
    return model !== undefined && model !== '' ? model : (config.get<string>(`${role}.provider`) ?? 'auto');
  };
  return {
    approvalMode: approveModes.find((known) => known === mode) ?? 'step',
    trusted: vscode.workspace.isTrusted,
    models: { orchestrator: modelOf('orchestrator'), worker: modelOf('worker') },
  };
}

/**
 * Writes `plumbline.approvalMode` where it takes effect: the workspace settings when they already set
 * it (a user-level write would be hidden by them), else the user settings.
 */
export async function writeApprovalMode(mode: ApproveMode): Promise<void> {
  const config = vscode.workspace.getConfiguration('plumbline');
  const inspected = config.inspect<string>('approvalMode');
  const target = inspected?.workspaceValue !== undefined ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global;
  await config.update('approvalMode', mode, target);
}
