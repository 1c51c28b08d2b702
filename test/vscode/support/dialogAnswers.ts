import * as vscode from 'vscode';

/** Warning dialogs answered by the test: what each was asked with, and the answer it gets. */
export interface PlayedWarnings {
  readonly asked: unknown[][];
  answer: string;
  /** Puts VS Code's own showWarningMessage back. */
  restore(): void;
}

/**
 * VS Code refuses real (modal) dialogs under test, so the window's answer is played here instead:
 * every showWarningMessage call is recorded and answered with `answer` (changeable as the test
 * goes). Undefined where the API cannot be replaced: the caller skips.
 */
export function playWarningAnswers(answer: string): PlayedWarnings | undefined {
  const window = vscode.window as { showWarningMessage: (...args: unknown[]) => Thenable<unknown> };
  const original = window.showWarningMessage;
  const played: PlayedWarnings = { asked: [], answer, restore: () => (window.showWarningMessage = original) };
  try {
    window.showWarningMessage = (...args: unknown[]) => {
      played.asked.push(args);
      return Promise.resolve(played.answer);
    };
  } catch {
    return undefined;
  }
  return played;
}
