import { submittedPlanSchema, type SubmittedPlan } from '../protocol/plan';
import { defineTool } from './defineTool';
import type { PlanningContext } from './toolContexts';

/** The plan as the model submits it: the model-facing contract documented in docs/model-contract.md. */
export const submitPlanInput = submittedPlanSchema;
export type PlanSubmission = SubmittedPlan;

export const submitPlanTool = defineTool({
  name: 'submit_plan',
  description:
    'Submit the plan. Each step owns the files it lists: only that step may change them, and steps that can run at the same time must not share a file ' +
    '(add a depends_on or merge the steps). List every file a step will create, edit or delete. ' +
    'A step that removes or renames tests lists them in removes_tests (by name as the test output shows them, or a test file for all of its tests): ' +
    'a test that passed before the run and no longer runs fails the step\'s verification unless it is listed. Problems come back for you to fix and resubmit.',
  input: submitPlanInput,
  async run(input, context: PlanningContext) {
    const problems = await context.submitPlan(input);
    if (problems.length > 0) {
      return { isError: true, content: `The plan was not accepted. Fix these and call submit_plan again:\n${problems.map((p) => `- ${p}`).join('\n')}` };
    }
    return { isError: false, content: 'Plan accepted.', stop: true };
  },
});
