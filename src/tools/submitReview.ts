import * as z from 'zod';
import { maxFindings, maxSummaryChars, reviewFindingSchema } from '../protocol/plan';
import { defineTool } from './defineTool';
import type { ReviewContext } from './toolContexts';

/** The reviewer's verdict as it submits it: the model-facing contract documented in docs/model-contract.md. */
export const submitReviewInput = z.strictObject({
  verdict: z.enum(['approve', 'revise']).describe('"revise" sends the findings back to the worker; "approve" accepts the step'),
  findings: z.array(reviewFindingSchema).max(maxFindings).describe('What must change; empty when approving'),
  summary: z.string().trim().min(1, 'summary must not be empty').max(maxSummaryChars).describe('One or two sentences: the verdict and why'),
});
export type ReviewSubmission = z.output<typeof submitReviewInput>;

export const submitReviewTool = defineTool({
  name: 'submit_review',
  description:
    'End your review with your verdict. "approve" when the change does what the step asks, and nothing else, in the project\'s style; ' +
    '"revise" with findings (file, line, the problem, what to do instead) when it must change: they go back to the worker, and its fix is tested and reviewed again. ' +
    'A failing objective check is a revision whatever your verdict. Call it alone, once, at the end.',
  input: submitReviewInput,
  run(input, context: ReviewContext) {
    if (input.verdict === 'revise' && input.findings.length === 0) {
      return Promise.resolve({ isError: true, content: 'A "revise" verdict needs at least one finding saying what to change. Call submit_review again.' });
    }
    context.submitReview(input);
    return Promise.resolve({ isError: false, content: 'Review submitted.', stop: true });
  },
});
