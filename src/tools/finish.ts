import * as z from 'zod';
import { defineTool } from './defineTool';
import type { WorkerContext } from './toolContexts';

export const finishTool = defineTool({
  name: 'finish',
  description:
    'End your step with a summary of what you changed and what the orchestrator must know; blocked: true if the step cannot be done ' +
    'as planned (it is re-planned). Call it alone, after your edits.',
  input: z.object({ summary: z.string().min(1).max(4000), blocked: z.boolean().optional() }).strict(),
  run(input, context: WorkerContext) {
    context.finish(input.summary, input.blocked === true);
    return Promise.resolve({ isError: false, content: 'Step finished.', stop: true });
  },
});
