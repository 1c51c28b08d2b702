import * as z from 'zod';

/**
 * The model roles, written down once: settings (`plumbline.<role>.*`), the status report, the ping,
 * Configure Models and the engine take the list from here, so a new role is added in one place.
 */
export const modelRoleSchema = z.enum(['orchestrator', 'worker']);
export type ModelRole = z.infer<typeof modelRoleSchema>;
export const modelRoles: readonly ModelRole[] = modelRoleSchema.options;

/** How each role reads in a picker. */
export const modelRoleLabels: Readonly<Record<ModelRole, string>> = {
  orchestrator: 'Orchestrator (plans the run)',
  worker: 'Workers (carry out the steps)',
};
