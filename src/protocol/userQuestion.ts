import * as z from 'zod';

/**
 * A question the run puts to the user (`plumbline/user/ask`): one a model asked with `ask_user`,
 * or the engine's own before a step fails for good. The question is model output shown to a person
 * (rendered as text, capped); the answer is the user's words given to a model as data (capped).
 */

/** The caps of a question as it crosses the wire; `ask_user`'s schema holds the model to the same. */
export const maxQuestionChars = 2000;
export const maxChoices = 6;
export const maxChoiceChars = 200;
export const maxAnswerChars = 4000;

/** What a model is told when nobody answered: no terminal, no client, a timeout, a cancelled question. */
export const noAnswerText = 'No answer is available: decide, and say what you assumed.';

/** Why a question got no answer, for people (the plan, the transcript). */
export const unansweredReasons = ['no-client', 'timeout', 'cancelled'] as const;
export type UnansweredReason = (typeof unansweredReasons)[number];

export const userQuestionKinds = ['question', 'lastAttempt'] as const;
export type UserQuestionKind = (typeof userQuestionKinds)[number];

export const userQuestionParamsSchema = z.strictObject({
  runId: z.string(),
  /** Unique within the run: the client's handle on the question while it is open. */
  questionId: z.string().min(1).max(64),
  /** The step that asks; absent: the orchestrator. */
  stepId: z.string().optional(),
  /** `question`: a model's ask_user; `lastAttempt`: the engine's, before a step fails for good. */
  kind: z.enum(userQuestionKinds),
  question: z.string().min(1).max(maxQuestionChars),
  choices: z.array(z.string().min(1).max(maxChoiceChars)).max(maxChoices),
  /** How long the run waits before it goes on without an answer; absent: no limit. For people. */
  timeoutSeconds: z.number().int().positive().optional(),
});
export type UserQuestionParams = z.infer<typeof userQuestionParamsSchema>;

/** `answer: null`: the client cannot ask (no terminal, `--json`) or the user dismissed the question. */
export const userAnswerSchema = z.strictObject({ answer: z.string().max(maxAnswerChars).nullable() });
export type UserAnswer = z.infer<typeof userAnswerSchema>;
