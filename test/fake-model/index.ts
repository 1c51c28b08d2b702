/** Public entry point of the fake model server (see README.md). */
export { startFakeModelServer, type FakeModelServer, type StartOptions } from './server.js';
export { loadScenarioFile, parseScenario, ScenarioError, type Scenario, type ScenarioInput } from './scenario.js';
export type { Fault, FaultInput } from './faults.js';
export type { RecordedRequest } from './recorder.js';
export { ROLE_HEADER } from './selector.js';
