/** Run events are defined once, as zod schemas in src/protocol/run.ts; the engine uses their types. */
export type { FileChange, RunEvent, RunPhase, RunStatus } from '../../protocol/run';
