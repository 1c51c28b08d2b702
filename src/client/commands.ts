import * as vscode from 'vscode';
import type { AgentServerController } from './agentServer/serverController';
import type { ApiKeyStore } from './models/apiKeys';
import { configureModels } from './models/configureModels';
import { selectModels } from './models/selectModels';
import { setApiKey } from './models/setApiKeyCommand';

/**
 * The command registry: every command id Plumbline registers, each matching a `contributes.commands`
 * entry in package.json. Code that runs a command (the sidebar, a notification's button, a status bar
 * item, a `command:` link) names it from here, never by a string of its own.
 */
export const commandIds = {
  showLog: 'plumbline.showLog',
  restartServer: 'plumbline.restartServer',
  setApiKey: 'plumbline.setApiKey',
  selectModels: 'plumbline.selectModels',
  configureModels: 'plumbline.configureModels',
  newTask: 'plumbline.newTask',
  approvePlan: 'plumbline.approvePlan',
  cancelRun: 'plumbline.cancelRun',
  openPlan: 'plumbline.openPlan',
  resumeRun: 'plumbline.resumeRun',
  undoRun: 'plumbline.undoRun',
  openRun: 'plumbline.openRun',
  reviewBranch: 'plumbline.reviewBranch',
  refactorSelection: 'plumbline.refactorSelection',
  fixFailingTests: 'plumbline.fixFailingTests',
} as const;

export type CommandName = keyof typeof commandIds;

/** What runs when a command is invoked; its argument comes from whoever runs it (palette: none). */
export type CommandHandler = (argument?: unknown) => unknown;

/** One handler for every command in `commandIds`: a command without one does not compile. */
export type CommandHandlers = { readonly [name in CommandName]: CommandHandler };

/**
 * The inline review's commands (`plumbline.review.*`). Their handlers are registered by the review's
 * process-wide hub (`review/reviewCommands.ts`), because more than one review controller may live in
 * one extension host; their ids live here with every other.
 */
export const reviewCommandIds = {
  acceptHunk: 'plumbline.review.acceptHunk',
  rejectHunk: 'plumbline.review.rejectHunk',
  nextHunk: 'plumbline.review.nextHunk',
  previousHunk: 'plumbline.review.previousHunk',
  acceptFile: 'plumbline.review.acceptFile',
  rejectFile: 'plumbline.review.rejectFile',
  openDiff: 'plumbline.review.openDiff',
  acceptAll: 'plumbline.review.acceptAll',
  rejectAll: 'plumbline.review.rejectAll',
  finish: 'plumbline.review.finish',
} as const;


/** Every command id this build registers: `commandIds` and the review's. */
export const allCommandIds: readonly string[] = [...Object.values(commandIds), ...Object.values(reviewCommandIds)];

/** Registers every command of `commandIds` with its handler (the one place that calls `registerCommand`, but the review hub). */
export function registerCommands(handlers: CommandHandlers): vscode.Disposable[] {
  return (Object.keys(commandIds) as CommandName[]).map((name) => vscode.commands.registerCommand(commandIds[name], handlers[name]));
}

/** The extension's own commands: the log, the server, keys and models. */
export function coreCommandHandlers(
  server: AgentServerController,
  log: vscode.LogOutputChannel,
  keys: ApiKeyStore,
): Pick<CommandHandlers, 'showLog' | 'restartServer' | 'setApiKey' | 'selectModels' | 'configureModels'> {
  return {
    setApiKey: () => setApiKey(keys),
    selectModels: () => selectModels(),
    configureModels: () => configureModels(server, keys),
    showLog: () => log.show(true),
    restartServer: () =>
      vscode.window.withProgress(
        { location: vscode.ProgressLocation.Window, title: 'Plumbline: restarting the agent server' },
        () => server.restart(),
      ),
  };
}
