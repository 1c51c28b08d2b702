/**
 * Restricted Mode (an untrusted workspace): Plumbline starts no run there, because a run executes the
 * project's tests and commands a model chose. Pure, so the unit tier proves the refusal; the VS Code
 * side passes in `vscode.workspace.isTrusted` and its message and command functions.
 */
import { restrictedModeMessage } from '../protocol/restrictedMode';

export { restrictedModeMessage };
export const manageTrustLabel = 'Manage Workspace Trust';
export const manageTrustCommand = 'workbench.trust.manage';

export interface TrustPort {
  readonly isTrusted: boolean;
  warn(message: string, ...actions: string[]): Thenable<string | undefined>;
  execute(command: string): Thenable<unknown>;
}

/**
 * True when a run must not start. The user is told, with a way to trust the workspace; the command
 * does not wait for that answer (a caller such as the sidebar would hang on a notification).
 * `answered` settles once the user has chosen (for tests).
 */
export function refuseWhenRestricted(port: TrustPort, answered?: (choice: string | undefined) => void): Promise<boolean> {
  if (port.isTrusted) return Promise.resolve(false);
  void Promise.resolve(port.warn(restrictedModeMessage, manageTrustLabel)).then(async (choice) => {
    if (choice === manageTrustLabel) await port.execute(manageTrustCommand);
    answered?.(choice);
  });
  return Promise.resolve(true);
}
