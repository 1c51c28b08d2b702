/**
 * The plan's schemas live in src/protocol (the plan crosses to clients and the submit_plan tool's
 * input is the model-facing contract); the plan module imports them from here.
 */
export * from '../../protocol/plan';
