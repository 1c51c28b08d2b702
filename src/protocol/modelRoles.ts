import * as z from 'zod';

/**
 * The model roles, written down once: settings (`plumbline.<role>.*`), the status report, the ping,
 * Configure Models and the engine take the list from here, so a new role is added in one place.
 * The orchestrator plans (and is the "strong" model a step may be routed or escalated to), workers
 * carry out steps (the "fast" model), the reviewer grades a step's verified change.
 */
export const modelRoleSchema = z.enum(['orchestrator', 'worker', 'reviewer']);
export type ModelRole = z.infer<typeof modelRoleSchema>;
export const modelRoles: readonly ModelRole[] = modelRoleSchema.options;

/** How each role reads in a picker. */
export const modelRoleLabels: Readonly<Record<ModelRole, string>> = {
  orchestrator: 'Orchestrator (plans the run)',
  worker: 'Workers (carry out the steps)',
  reviewer: 'Reviewer (grades each step; plumbline.review.mode)',
};
