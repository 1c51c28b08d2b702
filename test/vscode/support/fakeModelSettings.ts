import * as vscode from 'vscode';
import type { FakeModelServer } from '../../fake-model/index';

const config = (): vscode.WorkspaceConfiguration => vscode.workspace.getConfiguration('plumbline');

/** Every setting `useFakeModel` writes, for `clearFakeModelSettings`. */
export const fakeModelSettingKeys = ['orchestrator.provider', 'orchestrator.baseUrl', 'orchestrator.model', 'worker.provider', 'worker.baseUrl', 'worker.model', 'approvalMode', 'reviewPlan'];

/**
 * Points both roles at the fake model server (an OpenAI-compatible server on this machine needs no
 * key) and sets how the run is approved, in the workspace settings.
 */
export async function useFakeModel(server: FakeModelServer, options: { approvalMode: 'step' | 'end' | 'auto' | 'never'; reviewPlan: boolean }): Promise<void> {
  for (const role of ['orchestrator', 'worker']) {
    await config().update(`${role}.provider`, 'openai', vscode.ConfigurationTarget.Workspace);
    await config().update(`${role}.baseUrl`, server.openaiBaseUrl, vscode.ConfigurationTarget.Workspace);
    await config().update(`${role}.model`, 'fake-model', vscode.ConfigurationTarget.Workspace);
  }
  await config().update('approvalMode', options.approvalMode, vscode.ConfigurationTarget.Workspace);
  await config().update('reviewPlan', options.reviewPlan, vscode.ConfigurationTarget.Workspace);
}

export async function clearFakeModelSettings(): Promise<void> {
  for (const key of fakeModelSettingKeys) await config().update(key, undefined, vscode.ConfigurationTarget.Workspace);
}
