/** A small project and the scripted turns that change it, shared by the in-process engine tests. */
import { calls, finish, type ScriptedTurn } from './scriptedModel';

export const greeterFiles = {
  'src/greet.js': 'function greet(name) {\n  return `Hello, ${name}!`;\n}\n\nmodule.exports = { greet };\n',
  'src/farewell.js': 'function farewell(name) {\n  return `Goodbye, ${name}.`;\n}\n\nmodule.exports = { farewell };\n',
  'test/greet.test.js': "const { greet } = require('../src/greet');\nconst { farewell } = require('../src/farewell');\n\nassert.equal(greet('Ada'), 'Hello, Ada!');\nassert.equal(farewell('Ada'), 'Goodbye, Ada.');\n",
} as const;

export interface SubmittedStepInput {
  readonly id: string;
  readonly title: string;
  readonly instructions: string;
  readonly files: readonly string[];
  readonly depends_on?: readonly string[];
  readonly model?: 'fast' | 'strong';
  readonly estimated_lines?: number;
}

export function submitPlan(summary: string, steps: readonly SubmittedStepInput[]): ScriptedTurn {
  return calls(['submit_plan', { summary, steps }]);
}

export const renameGreet: SubmittedStepInput = { id: 's1', title: 'Rename greet to welcome', instructions: 'Rename greet to welcome in src/greet.js.', files: ['src/greet.js'] };
export const renameFarewell: SubmittedStepInput = { id: 's2', title: 'Rename farewell to goodbye', instructions: 'Rename farewell to goodbye in src/farewell.js.', files: ['src/farewell.js'] };
export const updateTests: SubmittedStepInput = { id: 's3', title: 'Update the tests', instructions: 'Use welcome and goodbye in test/greet.test.js.', files: ['test/greet.test.js'], depends_on: ['s1', 's2'] };

export const editGreet = calls(['edit_file', { path: 'src/greet.js', patch: '-function greet(name) {\n+function welcome(name) {\n@@\n-module.exports = { greet };\n+module.exports = { welcome };' }]);
export const editFarewell = calls(['edit_file', { path: 'src/farewell.js', patch: '-function farewell(name) {\n+function goodbye(name) {\n@@\n-module.exports = { farewell };\n+module.exports = { goodbye };' }]);
export const editTests = calls([
  'edit_file',
  {
    path: 'test/greet.test.js',
    patch:
      "-const { greet } = require('../src/greet');\n-const { farewell } = require('../src/farewell');\n+const { welcome } = require('../src/greet');\n+const { goodbye } = require('../src/farewell');\n@@\n-assert.equal(greet('Ada'), 'Hello, Ada!');\n-assert.equal(farewell('Ada'), 'Goodbye, Ada.');\n+assert.equal(welcome('Ada'), 'Hello, Ada!');\n+assert.equal(goodbye('Ada'), 'Goodbye, Ada.');",
  },
]);

export { finish };

/** A meeting point for parallel workers: each `arrive` resolves true once all have arrived, false if they never do. */
export class Barrier {
  readonly #waiting: (() => void)[] = [];
  #arrived = 0;

  constructor(
    private readonly parties: number,
    private readonly timeoutMs = 5000,
  ) {}

  arrive(): Promise<boolean> {
    this.#arrived += 1;
    if (this.#arrived >= this.parties) {
      for (const release of this.#waiting.splice(0)) release();
      return Promise.resolve(true);
    }
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), this.timeoutMs);
      this.#waiting.push(() => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }
}

/** The same turn, made to wait at `barrier` first; records whether the others came. */
export function atBarrier(turn: ScriptedTurn, barrier: Barrier, met: boolean[]): ScriptedTurn {
  return {
    ...turn,
    before: async () => {
      met.push(await barrier.arrive());
    },
  };
}
