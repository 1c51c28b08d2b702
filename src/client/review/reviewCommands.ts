import { reviewCommandIds } from '../commands';
import * as vscode from 'vscode';

/**
 * The review commands. A command id can be registered once per extension host, yet more than one
 * InlineReviewController may exist there (the extension's, and one a test builds from its own
 * bundle). So the registrations live in one process-wide hub, shared through a global symbol: the
 * first controller registers them, the last one to go away unregisters them, and each call goes to
 * the review it names (the CodeLens argument), else the one whose document is in the active editor,
 * else the latest. The hub also keeps the `plumbline.reviewActive` context key.
 */

export type ReviewCommand = keyof typeof reviewCommandIds;

export const reviewActiveContextKey = 'plumbline.reviewActive';

/** What a CodeLens or a hover link passes: the review, the file, and the hunk's id for hunk commands. */
export interface ReviewCommandArgument {
  readonly runId: string;
  readonly path: string;
  readonly hunk?: string;
}

/** A review in progress, as the commands see it. Keep this shape stable: other bundles rely on it. */
export interface ReviewCommandTarget {
  readonly runId: string;
  owns(uri: vscode.Uri): boolean;
  run(command: ReviewCommand, argument: unknown): Promise<void>;
}

interface Hub {
  readonly targets: ReviewCommandTarget[];
  users: number;
  registrations: vscode.Disposable | undefined;
}

const hubKey = Symbol.for('plumbline.review.commandHub.v1');

function hub(): Hub {
  const holder = globalThis as unknown as Record<symbol, Hub | undefined>;
  const existing = holder[hubKey];
  if (existing !== undefined) return existing;
  const created: Hub = { targets: [], users: 0, registrations: undefined };
  holder[hubKey] = created;
  return created;
}

function runIdOf(argument: unknown): string | undefined {
  if (typeof argument !== 'object' || argument === null || !('runId' in argument)) return undefined;
  return typeof argument.runId === 'string' ? argument.runId : undefined;
}

function targetFor(targets: readonly ReviewCommandTarget[], argument: unknown): ReviewCommandTarget | undefined {
  const runId = runIdOf(argument);
  if (runId !== undefined) return targets.find((target) => target.runId === runId);
  // Menus pass the editor's resource; keybindings and the palette pass nothing.
  const uri = argument instanceof vscode.Uri ? argument : vscode.window.activeTextEditor?.document.uri;
  const owner = uri === undefined ? undefined : targets.find((target) => target.owns(uri));
  return owner ?? targets[targets.length - 1];
}

function register(state: Hub): vscode.Disposable {
  const commands = Object.keys(reviewCommandIds) as ReviewCommand[];
  return vscode.Disposable.from(
    ...commands.map((command) =>
      vscode.commands.registerCommand(reviewCommandIds[command], async (argument?: unknown) => {
        const target = targetFor(state.targets, argument);
        if (target === undefined) {
          void vscode.window.showInformationMessage('No Plumbline review is in progress.');
          return;
        }
        await target.run(command, argument);
      }),
    ),
  );
}

function updateContextKey(state: Hub): void {
  void vscode.commands.executeCommand('setContext', reviewActiveContextKey, state.targets.length > 0);
}

/** Makes sure the commands are registered while the returned disposable lives. */
export function acquireReviewCommands(): vscode.Disposable {
  const state = hub();
  state.users += 1;
  state.registrations ??= register(state);
  let released = false;
  return new vscode.Disposable(() => {
    if (released) return;
    released = true;
    state.users -= 1;
    if (state.users > 0) return;
    state.registrations?.dispose();
    state.registrations = undefined;
  });
}

/** Routes the commands to this review until the returned disposable is disposed. */
export function addReviewTarget(target: ReviewCommandTarget): vscode.Disposable {
  const state = hub();
  state.targets.push(target);
  updateContextKey(state);
  return new vscode.Disposable(() => {
    const index = state.targets.indexOf(target);
    if (index >= 0) state.targets.splice(index, 1);
    updateContextKey(state);
  });
}

/** `command:` link for a hover, with its argument. */
export function commandLink(command: ReviewCommand, argument: ReviewCommandArgument): string {
  return `command:${reviewCommandIds[command]}?${encodeURIComponent(JSON.stringify([argument]))}`;
}
