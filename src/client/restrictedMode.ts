/**
 * Restricted Mode (an untrusted workspace): Plumbline starts no run there, because a run executes the
 * project's tests and commands a model chose. Pure, so the unit tier proves the refusal; the VS Code
 * side passes in `vscode.workspace.isTrusted` and its message and command functions.
 */
export const restrictedModeMessage = 'Plumbline is paused in Restricted Mode: it runs tests and model-chosen code. Trust this workspace to start tasks.';
export const manageTrustLabel = 'Manage Workspace Trust';
export const manageTrustCommand = 'workbench.trust.manage';

export interface TrustPort {
  readonly isTrusted: boolean;
  warn(message: string, ...actions: string[]): Thenable<string | undefined>;
  execute(command: string): Thenable<unknown>;
}

/** True (after telling the user, with a way to trust the workspace) when a run must not start. */
export async function refuseWhenRestricted(port: TrustPort): Promise<boolean> {
  if (port.isTrusted) return false;
  const choice = await port.warn(restrictedModeMessage, manageTrustLabel);
  if (choice === manageTrustLabel) await port.execute(manageTrustCommand);
  return true;
}
