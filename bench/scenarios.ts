/** A generated fake-model scenario: one plan of N independent one-file steps. */
import type { ScenarioInput } from '../test/fake-model/index';

export interface IndependentOptions {
  readonly steps: number;
  readonly workerTtftMs: number;
  /** Extra read_file turns per worker before its edit (longer transcripts for the memory run). */
  readonly readsPerWorker: number;
}

export function independentSteps(options: IndependentOptions): ScenarioInput {
  const ids = Array.from({ length: options.steps }, (_, index) => index + 1);
  const plan = {
    summary: `Change the value of each of ${options.steps} files.`,
    steps: ids.map((k) => ({ id: `s${k}`, title: `Bump value${k}`, instructions: `In src/f${k}.js set value${k} to ${k * 10}.`, files: [`src/f${k}.js`] })),
  };
  const roles: Record<string, unknown> = {
    orchestrator: { match: { system: "Plumbline's orchestrator" }, turns: [{ content: [{ tool: 'submit_plan', arguments: plan }], ttftMs: 0 }] },
  };
  for (const k of ids) {
    // Each read asks for a different range: identical calls would trip the worker's repeated-call guard.
    const reads = Array.from({ length: options.readsPerWorker }, (_, r) => ({ content: [{ text: 'Checking the file again.' }, { tool: 'read_file', arguments: { path: `src/f${k}.js`, start_line: 1, end_line: r + 1 } }] }));
    roles[`worker-s${k}`] = {
      match: { system: 'Plumbline worker', firstUser: `<step id="s${k}">` },
      turns: [
        ...reads,
        { content: [{ tool: 'edit_file', arguments: { path: `src/f${k}.js`, patch: `-exports.value${k} = ${k};\n+exports.value${k} = ${k * 10};` } }] },
        { content: [{ tool: 'finish', arguments: { summary: `value${k} is now ${k * 10}.` } }] },
      ],
    };
  }
  return { name: `independent-${options.steps}`, onExhausted: 'error', latency: { ttftMs: options.workerTtftMs, tokensPerSecond: 5000 }, roles } as ScenarioInput;
}
