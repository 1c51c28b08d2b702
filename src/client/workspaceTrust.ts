import * as vscode from 'vscode';
import { refuseWhenRestricted } from './restrictedMode';

/** The VS Code side of `refuseWhenRestricted`: true when the command must stop here. */
export function refuseInRestrictedMode(): Promise<boolean> {
  return refuseWhenRestricted({
    isTrusted: vscode.workspace.isTrusted,
    warn: (message, ...actions) => vscode.window.showWarningMessage(message, ...actions),
    execute: (command) => vscode.commands.executeCommand(command),
  });
}
