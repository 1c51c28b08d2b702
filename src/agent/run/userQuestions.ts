import { addNote } from '../plan/planState';
import { maxAnswerChars, type UnansweredReason, type UserQuestionKind } from '../../protocol/userQuestion';
import type { LivePlan } from './livePlan';
import type { RunHost } from './runHost';

/** A question as the engine asks it; the run adds its id and the timeout. */
export interface UserQuestion {
  /** The asking step; absent: the orchestrator. */
  readonly stepId?: string;
  readonly kind: UserQuestionKind;
  readonly question: string;
  readonly choices: readonly string[];
}

export type QuestionOutcome = { readonly kind: 'answered'; readonly answer: string } | { readonly kind: 'unanswered'; readonly reason: UnansweredReason };

const whyUnanswered: Record<UnansweredReason, string> = {
  'no-client': 'nobody could be asked (no terminal, --json, or a client without questions)',
  timeout: 'no answer before the timeout',
  cancelled: 'the question was closed',
};

/** Model text as it goes into plan.md's notes: one line, quoted, capped. */
export function quoted(text: string, max = 300): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return `"${line.length > max ? `${line.slice(0, max - 1)}…` : line}"`;
}

/**
 * The run's questions to the user. Each goes to the client (the sidebar, a terminal) as its own
 * request, so several steps can wait at once without blocking each other; each is closed by the
 * answer, the user's timeout, or the run's cancellation, and each lands in the plan's notes with
 * its answer or the model's assumption. Its own room because the tool, the fix loop's last-attempt
 * question and the transcript must agree on what was asked and what came back.
 */
export class UserQuestions {
  #next = 1;
  /** Unanswered `ask_user` questions whose assumption (the model's next words) is still to be recorded, by asker. */
  readonly #awaitingAssumption = new Map<string, string>();

  /** Notes made before the orchestrator submitted a plan: the plan starts with them. */
  #early: string[] = [];

  constructor(
    private readonly runId: string,
    private readonly host: RunHost,
    private readonly plan: LivePlan,
    private readonly signal: AbortSignal,
    /** `plumbline.askUser.timeoutSeconds`; 0 or absent: wait until the run stops. */
    private readonly timeoutSeconds: number | undefined,
  ) {}

  async ask(question: UserQuestion): Promise<QuestionOutcome> {
    const questionId = `q${String(this.#next++)}`;
    const step = question.stepId !== undefined ? { stepId: question.stepId } : {};
    const timeout = this.timeoutSeconds !== undefined && this.timeoutSeconds > 0 ? this.timeoutSeconds : undefined;
    this.host.emit({ type: 'question/asked', runId: this.runId, ...step, questionId, kind: question.kind, question: question.question, choices: [...question.choices] });
    const outcome = await this.put(questionId, question, timeout);
    this.host.emit({
      type: 'question/closed',
      runId: this.runId,
      ...step,
      questionId,
      ...(outcome.kind === 'answered' ? { answer: outcome.answer } : { unanswered: outcome.reason }),
    });
    if (question.kind === 'question' && !this.signal.aborted) {
      const asker = question.stepId ?? 'the orchestrator';
      if (outcome.kind === 'answered') {
        await this.note(`${asker} asked ${quoted(question.question)}; you answered ${quoted(outcome.answer)}.`);
      } else {
        await this.note(`${asker} asked ${quoted(question.question)}: ${whyUnanswered[outcome.reason]}; it decides and says what it assumed.`);
        this.#awaitingAssumption.set(question.stepId ?? '', asker);
      }
    }
    return outcome;
  }

  /**
   * What a model said after an unanswered question (its next words, or its closing summary): its
   * assumption, recorded once in the plan beside the question.
   */
  async recordAssumption(stepId: string | undefined, text: string): Promise<void> {
    const key = stepId ?? '';
    const asker = this.#awaitingAssumption.get(key);
    if (asker === undefined || text.trim() === '') return;
    this.#awaitingAssumption.delete(key);
    await this.note(`${asker} assumed: ${quoted(text, 600)}`);
  }

  /** The notes made while there was no plan yet, once: the lifecycle puts them in the first plan. */
  takeEarlyNotes(): string[] {
    const early = this.#early;
    this.#early = [];
    return early;
  }

  private async note(text: string): Promise<void> {
    if (this.plan.value === undefined) this.#early.push(text);
    else await this.plan.update(addNote(this.plan.current(), text));
  }

  private async put(questionId: string, question: UserQuestion, timeout: number | undefined): Promise<QuestionOutcome> {
    const host = this.host;
    if (host.askUser === undefined) return { kind: 'unanswered', reason: 'no-client' };
    const controller = new AbortController();
    let timedOut = false;
    const timer =
      timeout !== undefined
        ? setTimeout(() => {
            timedOut = true;
            controller.abort();
          }, timeout * 1000)
        : undefined;
    const stop = (): void => controller.abort();
    this.signal.addEventListener('abort', stop, { once: true });
    try {
      const params = { questionId, ...(question.stepId !== undefined ? { stepId: question.stepId } : {}), kind: question.kind, question: question.question, choices: [...question.choices], ...(timeout !== undefined ? { timeoutSeconds: timeout } : {}) };
      // A client that does not let go when the question is cancelled must not hold the step.
      const closed = new Promise<null>((resolve) => controller.signal.addEventListener('abort', () => resolve(null), { once: true }));
      const answer = await Promise.race([host.askUser(params, controller.signal), closed]);
      if (timedOut) return { kind: 'unanswered', reason: 'timeout' };
      if (controller.signal.aborted) return { kind: 'unanswered', reason: 'cancelled' };
      const trimmed = answer?.trim().slice(0, maxAnswerChars);
      return trimmed === undefined || trimmed === '' ? { kind: 'unanswered', reason: 'no-client' } : { kind: 'answered', answer: trimmed };
    } catch {
      return { kind: 'unanswered', reason: timedOut ? 'timeout' : this.signal.aborted ? 'cancelled' : 'no-client' };
    } finally {
      if (timer !== undefined) clearTimeout(timer);
      this.signal.removeEventListener('abort', stop);
    }
  }
}
