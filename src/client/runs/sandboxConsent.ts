import type { SandboxConsentParams } from '../../protocol/sandbox';

/** The buttons of the no-sandbox question; anything else (Cancel, Escape, closing it) cancels the run. */
export const reviewFirstButton = 'Review First';
export const runUnsandboxedButton = 'Run Tests Unsandboxed';

export type SandboxConsentDecision = 'run' | 'review-first' | 'cancel';

/**
 * The modal warning asked once per run where this machine has no sandbox: what is missing, what
 * running anyway means (the tests run on changes nobody has reviewed, with the user's access), what
 * each button does, and how to get a sandbox. Plain words; the remedy is the engine's own sentence.
 */
export function sandboxConsentMessage(params: SandboxConsentParams): { message: string; detail: string } {
  return {
    message: 'Plumbline: there is no sandbox for the tests on this machine',
    detail: [
      params.reason,
      '',
      "Running them now means the tests (and the commands workers ask to run) execute on changes you have not reviewed yet, with full access to your files, keys and network.",
      '',
      `${reviewFirstButton}: nothing runs before you accept the changes; the steps are verified after your review.`,
      `${runUnsandboxedButton}: run them now, unconfined, for this run only.`,
      'Cancel: stop the run.',
      '',
      `To get a sandbox: ${params.remedy}`,
    ].join('\n'),
  };
}

/** What the handler needs from VS Code, so it is tested without it. */
export interface ConsentUi {
  /** A modal warning; resolves with the chosen button, or undefined when dismissed. */
  showModal(message: string, detail: string, buttons: readonly string[]): PromiseLike<string | undefined>;
  readonly log: { info(message: string): void; warn(message: string): void };
}

/** The request's cancellation, as VS Code's `CancellationToken` offers it. */
export interface ConsentCancellation {
  readonly isCancellationRequested: boolean;
  onCancellationRequested(listener: () => void): { dispose(): unknown };
}

/**
 * Answers `plumbline/sandbox/consent`. The server waits on this answer before anything runs, so it
 * always comes: a dismissed or refused dialog is `cancel` (the run stops, nothing ran; malformed
 * params are `cancel` too, answered by the wire before this is called), and when the server
 * withdraws the question (the run was cancelled) the answer is `cancel` at once even while the
 * dialog is still open or queued behind another modal.
 */
export async function answerSandboxConsent(question: SandboxConsentParams, token: ConsentCancellation, ui: ConsentUi): Promise<{ decision: SandboxConsentDecision }> {
  if (token.isCancellationRequested) return { decision: 'cancel' };
  const { message, detail } = sandboxConsentMessage(question);
  ui.log.info(`Run ${question.runId}: no sandbox (${question.reason}); asking whether to run the tests of unreviewed changes.`);
  let subscription: { dispose(): unknown } | undefined;
  const withdrawn = new Promise<undefined>((resolve) => {
    subscription = token.onCancellationRequested(() => resolve(undefined));
  });
  try {
    const choice = await Promise.race([Promise.resolve(ui.showModal(message, detail, [reviewFirstButton, runUnsandboxedButton])), withdrawn]);
    const decision: SandboxConsentDecision = token.isCancellationRequested ? 'cancel' : choice === runUnsandboxedButton ? 'run' : choice === reviewFirstButton ? 'review-first' : 'cancel';
    ui.log.info(`Run ${question.runId}: the answer about running without a sandbox is ${decision}.`);
    return { decision };
  } catch (error) {
    ui.log.warn(`Could not ask whether to run the tests without a sandbox (${error instanceof Error ? error.message : String(error)}); the run stops.`);
    return { decision: 'cancel' };
  } finally {
    subscription?.dispose();
  }
}
