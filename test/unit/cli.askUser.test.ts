import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { answerInTerminal, formatUserQuestion, readAnswer } from '../../src/cli/userQuestionInTerminal';
import type { UserQuestionParams } from '../../src/protocol/userQuestion';

const question: UserQuestionParams = { runId: 'r1', questionId: 'q1', stepId: 's1', kind: 'question', question: 'Tabs or spaces?\x1b]0;pwned\x07', choices: ['Tabs', 'Spaces'], timeoutSeconds: 300 };

function terminal() {
  const written: string[] = [];
  return { written, terminal: { interactive: true, colors: false, write: (text: string) => void written.push(text), redraw: () => undefined, settle: () => undefined } };
}

describe('ask_user on a terminal', () => {
  test('the question names its step, shows its choices numbered, and cannot drive the terminal', () => {
    const text = formatUserQuestion(question);
    assert.match(text, /^Step s1 asks:\n {2}Tabs or spaces\?⟦U\+001B⟧\]0;pwned⟦U\+0007⟧\n {2}1\) Tabs\n {2}2\) Spaces$/);
    assert.match(formatUserQuestion({ ...question, stepId: undefined, kind: 'lastAttempt' }), /^The orchestrator is about to fail:/);
  });

  test('a number picks a choice, words are the answer, Enter alone is no answer', async () => {
    assert.equal(readAnswer('2', question.choices), 'Spaces');
    assert.equal(readAnswer('  use tabs ', question.choices), 'use tabs');
    assert.equal(readAnswer('', question.choices), null);
    const { terminal: shown, written } = terminal();
    const prompts: string[] = [];
    const answer = await answerInTerminal(question, shown, new AbortController().signal, (prompt) => {
      prompts.push(prompt);
      return Promise.resolve('1');
    });
    assert.equal(answer, 'Tabs');
    assert.deepEqual(prompts, ['Choose 1–2 or type your answer (300 s; Enter: no answer) ']);
    assert.match(written.join(''), /Step s1 asks:/);
  });

  test('a question closed while it is asked (its timeout, the run\'s end) has no answer', async () => {
    const { terminal: shown, written } = terminal();
    const closed = new AbortController();
    const answer = await answerInTerminal(question, shown, closed.signal, () => {
      closed.abort();
      return Promise.resolve('');
    });
    assert.equal(answer, null);
    assert.match(written.join(''), /no answer in time/);
  });
});
