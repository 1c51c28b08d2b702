import * as z from 'zod';
import { defineTool } from './defineTool';
import type { WorkerContext } from './toolContexts';

export const finishTool = defineTool({
  name: 'finish',
  description:
    'End your step. Summarise what you changed and anything the orchestrator must know. Set blocked: true when the step cannot be done ' +
    'as planned (for example a file outside your step must change first); the orchestrator will re-plan. Call it alone, after your edits.',
  input: z.object({ summary: z.string().min(1).max(4000), blocked: z.boolean().optional() }).strict(),
  run(input, context: WorkerContext) {
    context.finish(input.summary, input.blocked === true);
    return Promise.resolve({ isError: false, content: 'Step finished.', stop: true });
  },
});
