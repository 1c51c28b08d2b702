import * as vscode from 'vscode';
import type { ApiKeyStore } from './models/apiKeys';
import type { AgentServerController } from './agentServer/serverController';
import { setApiKey } from './models/setApiKeyCommand';

/** The command ids this build registers; each matches a `contributes.commands` entry in package.json. */
export const commandIds = {
  showLog: 'plumbline.showLog',
  restartServer: 'plumbline.restartServer',
  setApiKey: 'plumbline.setApiKey',
} as const;

export function registerCommands(server: AgentServerController, log: vscode.LogOutputChannel, keys: ApiKeyStore): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand(commandIds.setApiKey, () => setApiKey(keys)),
    vscode.commands.registerCommand(commandIds.showLog, () => log.show(true)),
    vscode.commands.registerCommand(commandIds.restartServer, () =>
      vscode.window.withProgress(
        { location: vscode.ProgressLocation.Window, title: 'Plumbline: restarting the agent server' },
        () => server.restart(),
      ),
    ),
  ];
}
