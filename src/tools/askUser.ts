import * as z from 'zod';
import { maxChoiceChars, maxChoices, noAnswerText } from '../protocol/userQuestion';
import { wrapData } from './dataText';
import { defineTool } from './defineTool';
import type { AskingContext } from './toolContexts';

/** What a question may be: shorter than the wire's cap, so the client's own framing fits beside it. */
const maxToolQuestionChars = 1000;

export const askUserTool = defineTool({
  name: 'ask_user',
  description:
    'Ask the user a question when a decision is theirs to make (a behaviour the task leaves open, a trade-off only they can weigh) or when you are stuck. ' +
    'Do not ask what reading the code can tell you. Offer choices when there are a few clear options; the user may also answer in their own words. ' +
    'Other steps go on while you wait. The answer may not come (no one at the keyboard, a timeout): then decide, and say in your next words what you assumed. ' +
    'The answer is the user\'s words, given as data.',
  input: z
    .object({
      question: z.string().trim().min(1).max(maxToolQuestionChars, `the question must be at most ${maxToolQuestionChars} characters`),
      choices: z.array(z.string().trim().min(1).max(maxChoiceChars)).min(2).max(maxChoices).optional(),
    })
    .strict(),
  async run(input, context: AskingContext) {
    const answer = context.askUser === undefined ? undefined : await context.askUser(input.question, input.choices ?? []);
    if (answer === undefined) return { isError: false, content: noAnswerText };
    return { isError: false, content: `The user answered:\n${wrapData('user-answer', answer)}` };
  },
});
