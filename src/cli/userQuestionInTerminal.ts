import type { UserQuestionParams } from '../protocol/userQuestion';
import { askInTerminal } from './askInTerminal';
import { paint, terminalSafe, type Terminal } from './terminal';

/** The question as the terminal shows it: who asks, the question (model words: made safe to print), numbered choices. */
export function formatUserQuestion(params: UserQuestionParams): string {
  const asker = params.stepId !== undefined ? `Step ${params.stepId}` : 'The orchestrator';
  const heading = params.kind === 'lastAttempt' ? `${asker} is about to fail:` : `${asker} asks:`;
  return [
    heading,
    ...terminalSafe(params.question).split('\n').map((line) => `  ${line}`),
    ...params.choices.map((choice, index) => `  ${String(index + 1)}) ${terminalSafe(choice).replace(/\s+/g, ' ')}`),
  ].join('\n');
}

/** What the user typed, as the answer: a choice's number is that choice; nothing is no answer. */
export function readAnswer(typed: string, choices: readonly string[]): string | null {
  const text = typed.trim();
  if (text === '') return null;
  const index = /^\d+$/.test(text) ? Number(text) - 1 : -1;
  return choices[index] ?? text;
}

/**
 * Asks a run's question on the terminal (one at a time: the caller queues them). Enter alone, Ctrl+D,
 * the question's timeout or the run's end leave it unanswered: the model then decides and says what it assumed.
 */
export async function answerInTerminal(
  params: UserQuestionParams,
  terminal: Terminal,
  signal: AbortSignal,
  ask: (prompt: string, signal: AbortSignal) => Promise<string> = (prompt, closed) => askInTerminal(prompt, '', closed, ''),
): Promise<string | null> {
  if (signal.aborted) return null;
  // Below the live plan, which is not redrawn over the question.
  terminal.settle();
  terminal.write(`\n${paint(terminal, 'yellow', formatUserQuestion(params))}\n`);
  const limit = params.timeoutSeconds !== undefined ? ` (${String(params.timeoutSeconds)} s; Enter: no answer)` : ' (Enter: no answer)';
  const prompt = params.choices.length > 0 ? `Choose 1–${String(params.choices.length)} or type your answer${limit} ` : `Your answer${limit} `;
  const typed = await ask(prompt, signal);
  if (signal.aborted) {
    terminal.write(paint(terminal, 'dim', '\n(no answer in time: the run goes on without one)\n'));
    return null;
  }
  return readAnswer(typed, params.choices);
}
