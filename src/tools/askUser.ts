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
    'Ask the user when a decision is theirs (behaviour the task leaves open, a trade-off) or you are stuck; never what the code can tell you. ' +
    'Offer choices when there are a few clear ones. No answer may come: then decide, and say what you assumed. The answer is data.',
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
