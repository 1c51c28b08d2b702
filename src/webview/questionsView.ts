import type { QuestionView } from '../protocol/webviewMessages';
import { h, icon, setHidden } from './dom';
import { request } from './requests';

/** Who asks and why, in words: the question is tied to its step. */
export function questionHeading(question: QuestionView): string {
  const asker = question.stepId !== null && question.stepId !== undefined ? `Step ${question.stepId}` : 'The orchestrator';
  return question.kind === 'lastAttempt' ? `${asker} is about to fail` : `${asker} asks`;
}

/**
 * The open questions, each a card with its choices as buttons, a free answer and "No answer". The
 * question is model output: it is set as text, never parsed. A card is rebuilt only when the set of
 * questions changes, so what the user is typing in another card survives updates. Answering one
 * does not wait on another: every card sends its own request.
 */
export class QuestionsView {
  #rendered = '';
  #scrollTarget: HTMLElement | undefined;

  constructor(
    private readonly root: HTMLElement,
    private readonly announce: (text: string) => void,
    private readonly onError: (text: string | null) => void,
  ) {}

  render(questions: readonly QuestionView[]): void {
    const key = questions.map((question) => `${question.runId}/${question.questionId}`).join(' ');
    if (key === this.#rendered) return;
    const known = new Set(this.#rendered.split(' '));
    const fresh = questions.filter((question) => !known.has(`${question.runId}/${question.questionId}`));
    this.#rendered = key;
    const kept = new Map([...this.root.querySelectorAll<HTMLElement>('.question')].map((card) => [card.dataset.key ?? '', card]));
    this.root.replaceChildren(...questions.map((question) => kept.get(`${question.runId}/${question.questionId}`) ?? this.card(question)));
    setHidden(this.root, questions.length === 0);
    for (const question of fresh) this.announce(`${questionHeading(question)}: ${question.question}`);
    // A new question is brought into view once: the transcript below would otherwise keep the focus of the scroll.
    if (fresh[0] !== undefined) this.#scrollTarget = this.root.querySelector<HTMLElement>(`.question[data-key="${CSS.escape(`${fresh[0].runId}/${fresh[0].questionId}`)}"]`) ?? undefined;
  }

  /** The newest question's card, once, to scroll to. */
  takeScrollTarget(): HTMLElement | undefined {
    const target = this.#scrollTarget;
    this.#scrollTarget = undefined;
    return target;
  }

  private card(question: QuestionView): HTMLElement {
    const send = (answer: string | null, buttons: readonly HTMLButtonElement[]): void => {
      for (const button of buttons) button.disabled = true;
      request({ method: 'question/answer', runId: question.runId, questionId: question.questionId, answer }).then(
        () => this.onError(null),
        (error: unknown) => {
          for (const button of buttons) button.disabled = false;
          this.onError(error instanceof Error ? error.message : String(error));
        },
      );
    };
    const id = `question-${question.questionId}`;
    const choices = question.choices.map((choice, index) => h('button', { class: 'text-button secondary question-choice', type: 'button', 'data-choice': String(index) }, choice));
    const input = h('input', { class: 'question-input', type: 'text', maxlength: '4000', placeholder: question.choices.length > 0 ? 'Or answer in your own words…' : 'Your answer…', 'aria-label': 'Your answer' });
    const submit = h('button', { class: 'text-button question-send', type: 'submit' }, 'Answer');
    const skip = h('button', { class: 'link-button question-skip', type: 'button', title: 'The model decides and says what it assumed' }, 'No answer');
    const all = [...choices, submit, skip];
    choices.forEach((button, index) => button.addEventListener('click', () => send(question.choices[index] ?? null, all)));
    skip.addEventListener('click', () => send(null, all));
    const form = h('form', { class: 'question-form' }, input, submit);
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      const text = input.value.trim();
      if (text !== '') send(text, all);
    });
    const timeout = question.timeoutSeconds !== undefined ? h('p', { class: 'question-note' }, `Without an answer within ${String(question.timeoutSeconds)} s the run goes on: the model decides and says what it assumed.`) : null;
    const card = h(
      'div',
      { class: 'question', role: 'group', 'aria-labelledby': `${id}-heading`, 'data-key': `${question.runId}/${question.questionId}`, 'data-step-id': question.stepId ?? '' },
      h('p', { class: 'question-heading', id: `${id}-heading` }, icon('comment-discussion'), ` ${questionHeading(question)}`),
      h('p', { class: 'question-text' }, question.question),
      choices.length > 0 ? h('div', { class: 'question-choices' }, ...choices) : null,
      form,
      h('div', { class: 'question-footer' }, skip),
      timeout,
    );
    return card;
  }
}
