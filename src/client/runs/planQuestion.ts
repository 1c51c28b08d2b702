import * as vscode from 'vscode';
import { commandIds } from '../commands';

export const runPlanButton = 'Run Plan';
export const openPlanButton = 'Open Plan';
export const cancelPlanButton = 'Cancel';

/** What the plan's notification says: the plan in a line. */
export function planQuestionText(steps: number, summary: string): string {
  return `Plumbline planned ${String(steps)} step${steps === 1 ? '' : 's'}: ${summary.split('\n')[0] ?? ''}`;
}

/**
 * Asks for a plan's approval in a notification whose primary (first, blue) button is Run Plan, with
 * Open Plan and Cancel as secondary ones. VS Code draws a notification's first action as its primary
 * button, and a progress notification can have no button but Cancel, which is why the run's progress
 * steps aside while the plan waits. Open Plan opens plan.md and asks again; `stillWaiting` says
 * whether the question is still open (the sidebar may have answered it first).
 */
export async function askPlanInNotification(question: string, stillWaiting: () => boolean): Promise<'approve' | 'cancel' | undefined> {
  for (;;) {
    const choice = await vscode.window.showInformationMessage(question, runPlanButton, openPlanButton, cancelPlanButton);
    if (!stillWaiting()) return undefined;
    if (choice === runPlanButton) return 'approve';
    if (choice === cancelPlanButton) return 'cancel';
    if (choice !== openPlanButton) return undefined;
    await vscode.commands.executeCommand(commandIds.openPlan);
    if (!stillWaiting()) return undefined;
  }
}

/**
 * A notification cannot be closed by its extension: when the plan was answered elsewhere (the
 * sidebar, the palette's Run Plan), its toast is put away so no stale question stays on screen.
 * It stays in the notification center, where its buttons do nothing any more.
 */
export async function putAwayPlanQuestion(): Promise<void> {
  await vscode.commands.executeCommand('notifications.hideToasts');
}
