/**
 * A simulated GitHub runner for a composite action: reads action.yml, evaluates its inputs,
 * `if:` conditions and `env:` the way the runner does (actionExpressions.ts), runs each `run:`
 * step with the runner's bash command line in its own process (asynchronously, so a fake model
 * server in the test's process keeps answering), and gives each step the runner's files:
 * GITHUB_OUTPUT (one per step, parsed into `steps.<id>.outputs`), GITHUB_STEP_SUMMARY, GITHUB_ENV,
 * GITHUB_PATH. `::add-mask::` is honoured as the runner does, and the raw output is kept too, so a
 * test can prove a secret was never printed at all. `uses:` steps are not run (the runner's
 * Node is already set up); the test says which ones it expects to skip.
 */
import { spawn } from 'node:child_process';
import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import * as z from 'zod';
import { condition, interpolate, type ExpressionContexts, type ExpressionValue } from './actionExpressions';

// js-yaml is a devDependency without types here; only its load() is used, and its result is checked with zod.
const jsYaml = createRequire(__filename)('js-yaml') as { load: (text: string) => unknown };
const loadYaml = (text: string): unknown => jsYaml.load(text);

const stringMap = z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]).transform(String));
const stepSchema = z.object({
  name: z.string().optional(),
  id: z.string().optional(),
  if: z.union([z.string(), z.boolean()]).transform(String).optional(),
  uses: z.string().optional(),
  run: z.string().optional(),
  shell: z.string().optional(),
  env: stringMap.optional(),
  with: stringMap.optional(),
  'working-directory': z.string().optional(),
});
const actionSchema = z.object({
  inputs: z.record(z.string(), z.object({ default: z.union([z.string(), z.number(), z.boolean()]).transform(String).optional() })).default({}),
  outputs: z.record(z.string(), z.object({ value: z.string() })).default({}),
  runs: z.object({ using: z.literal('composite'), steps: z.array(stepSchema) }),
});
export type ActionStep = z.infer<typeof stepSchema>;

/** Parses a YAML file (action or workflow) into plain data. */
export function readYaml(path: string): unknown {
  return loadYaml(readFileSync(path, 'utf8'));
}

/** The runner's GITHUB_OUTPUT format: `name=value` lines and `name<<DELIMITER` blocks. */
export function parseOutputFile(text: string): Record<string, string> {
  const outputs: Record<string, string> = {};
  const lines = text.split('\n');
  for (let index = 0; index < lines.length; index += 1) {
    const line = lines[index] ?? '';
    if (line === '') continue;
    const block = /^([^=<]+)<<(.+)$/.exec(line);
    if (block) {
      const [, name = '', delimiter = ''] = block;
      const value: string[] = [];
      index += 1;
      while (index < lines.length && lines[index] !== delimiter) {
        value.push(lines[index] ?? '');
        index += 1;
      }
      if (index >= lines.length) throw new Error(`GITHUB_OUTPUT: the block "${name}" never ends (no line "${delimiter}")`);
      outputs[name] = value.join('\n');
      continue;
    }
    const pair = /^([^=]+)=(.*)$/.exec(line);
    if (!pair) throw new Error(`GITHUB_OUTPUT: a line that is neither name=value nor name<<DELIMITER: ${line}`);
    outputs[pair[1] ?? ''] = pair[2] ?? '';
  }
  return outputs;
}

export interface StepRecord {
  readonly name: string;
  readonly id: string | undefined;
  readonly status: 'success' | 'failure' | 'skipped';
  readonly exitCode: number | null;
  readonly outputs: Record<string, string>;
  /** What the step printed (stdout and stderr), as the runner received it, before masking. */
  readonly raw: string;
  /** The environment the step's process was given. */
  readonly env: Record<string, string>;
}

export interface ActionRun {
  readonly steps: StepRecord[];
  readonly outputs: Record<string, string>;
  /** Every step's output as the runner received it, before masking (a secret here was printed). */
  readonly raw: string;
  /** The log a user would read: workflow commands consumed, masked values as `***`. */
  readonly log: string;
  readonly masks: string[];
  readonly summary: string;
  readonly failed: boolean;
}

export interface RunActionOptions {
  /** The folder holding action.yml (GITHUB_ACTION_PATH). */
  readonly actionPath: string;
  readonly inputs: Record<string, string>;
  /** GITHUB_WORKSPACE: where steps run by default. */
  readonly workspace: string;
  /** The base environment of every step (PATH with the fake gh first, and so on). */
  readonly env: NodeJS.ProcessEnv;
  readonly eventName: string;
  readonly event: Record<string, unknown>;
  readonly repository?: string;
  /** The job's token (github.token). */
  readonly token?: string;
  /** Steps whose `uses:` the test expects the simulation to skip (anything else fails the run). */
  readonly skipUses?: readonly string[];
}

function runBash(script: string, cwd: string, env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  return new Promise((resolvePromise, reject) => {
    // The runner's `shell: bash`: bash --noprofile --norc -eo pipefail {0}
    const child = spawn('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', script], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => resolvePromise({ code, output }));
  });
}

/** The runner's handling of workflow commands in a step's output: masks collected, the log masked. */
function readLog(raw: string, masks: string[]): string {
  const lines: string[] = [];
  for (const line of raw.split('\n')) {
    const mask = /^::add-mask::(.*)$/.exec(line);
    if (mask) {
      if ((mask[1] ?? '') !== '') masks.push(mask[1] ?? '');
      continue;
    }
    lines.push(masks.reduce((text, secret) => text.split(secret).join('***'), line));
  }
  return lines.join('\n');
}

function readEnvFile(text: string): Record<string, string> {
  return parseOutputFile(text);
}

/** Runs the composite action in `actionPath` as a runner would, step by step. */
export async function runCompositeAction(options: RunActionOptions): Promise<ActionRun> {
  const action = actionSchema.parse(readYaml(join(options.actionPath, 'action.yml')));
  const home = mkdtempSync(join(options.workspace, '..', 'runner-'));
  const runnerTemp = join(home, 'temp');
  mkdirSync(runnerTemp);
  const eventPath = join(home, 'event.json');
  writeFileSync(eventPath, JSON.stringify(options.event));
  const summaryPath = join(home, 'step_summary.md');
  writeFileSync(summaryPath, '');
  const repository = options.repository ?? 'octo-org/octo-repo';
  const token = options.token ?? '';

  const github: ExpressionValue = {
    action_path: options.actionPath,
    repository,
    token,
    event_name: options.eventName,
    event: options.event as ExpressionValue,
    workspace: options.workspace,
    server_url: 'https://github.com',
  };
  const runner: ExpressionValue = { os: 'Linux', temp: runnerTemp };
  const baseContexts: ExpressionContexts = { github, runner, env: {}, steps: {}, inputs: {} };
  const inputs: Record<string, ExpressionValue> = {};
  for (const [name, spec] of Object.entries(action.inputs)) {
    inputs[name] = options.inputs[name] ?? interpolate(spec.default ?? '', baseContexts);
  }
  for (const name of Object.keys(options.inputs)) {
    if (!(name in action.inputs)) throw new Error(`The test passes the input "${name}", which action.yml does not declare.`);
  }
  const steps: Record<string, ExpressionValue> = {};
  const contexts: ExpressionContexts = { ...baseContexts, inputs, steps };

  const runnerEnv: Record<string, string> = {
    ...(Object.fromEntries(Object.entries(options.env).filter((entry): entry is [string, string] => entry[1] !== undefined))),
    CI: 'true',
    GITHUB_ACTIONS: 'true',
    GITHUB_ACTION_PATH: options.actionPath,
    GITHUB_WORKSPACE: options.workspace,
    GITHUB_EVENT_NAME: options.eventName,
    GITHUB_EVENT_PATH: eventPath,
    GITHUB_STEP_SUMMARY: summaryPath,
    GITHUB_REPOSITORY: repository,
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_RUN_ID: '4242',
    RUNNER_OS: 'Linux',
    RUNNER_TEMP: runnerTemp,
  };
  const masks: string[] = [];
  const records: StepRecord[] = [];
  let raw = '';
  let log = '';
  let failed = false;
  for (const [index, step] of action.runs.steps.entries()) {
    const name = step.name ?? step.id ?? `step ${index + 1}`;
    const skipped = (): void => {
      records.push({ name, id: step.id, status: 'skipped', exitCode: null, outputs: {}, raw: '', env: {} });
      if (step.id !== undefined) steps[step.id] = { outputs: {}, outcome: 'skipped', conclusion: 'skipped' };
    };
    if (!condition(step.if, contexts, { failed })) {
      skipped();
      continue;
    }
    if (step.uses !== undefined) {
      if (!(options.skipUses ?? []).includes(step.uses)) throw new Error(`The step "${name}" uses ${step.uses}, which the simulation cannot run and the test did not expect.`);
      skipped();
      continue;
    }
    if (step.run === undefined) throw new Error(`The step "${name}" has neither run nor uses.`);
    if (step.shell !== 'bash') throw new Error(`The step "${name}" uses shell ${String(step.shell)}; the simulation runs bash only.`);
    const outputPath = join(home, `output-${index}`);
    const envPath = join(home, `env-${index}`);
    const pathPath = join(home, `path-${index}`);
    for (const file of [outputPath, envPath, pathPath]) writeFileSync(file, '');
    const stepEnv: Record<string, string> = { ...runnerEnv, GITHUB_OUTPUT: outputPath, GITHUB_ENV: envPath, GITHUB_PATH: pathPath };
    for (const [key, value] of Object.entries(step.env ?? {})) stepEnv[key] = interpolate(value, contexts, { failed });
    const cwd = resolve(options.workspace, interpolate(step['working-directory'] ?? '.', contexts, { failed }));
    // The script itself goes through the same expressions (none should be in a run: of ours: a test checks).
    const script = interpolate(step.run, contexts, { failed });
    const result = await runBash(script, cwd, stepEnv);
    raw += result.output;
    log += `## ${name}\n${readLog(result.output, masks)}\n`;
    const outputs = parseOutputFile(readFileSync(outputPath, 'utf8'));
    Object.assign(runnerEnv, readEnvFile(readFileSync(envPath, 'utf8')));
    const added = readFileSync(pathPath, 'utf8').split('\n').filter((line) => line !== '');
    if (added.length > 0) runnerEnv.PATH = [...added.reverse(), runnerEnv.PATH ?? ''].join(':');
    const status = result.code === 0 ? 'success' : 'failure';
    if (status === 'failure') failed = true;
    records.push({ name, id: step.id, status, exitCode: result.code, outputs, raw: result.output, env: stepEnv });
    if (step.id !== undefined) steps[step.id] = { outputs, outcome: status, conclusion: status };
  }
  const outputs = Object.fromEntries(Object.entries(action.outputs).map(([name, spec]) => [name, interpolate(spec.value, contexts)]));
  appendFileSync(summaryPath, '');
  return { steps: records, outputs, raw, log, masks, summary: readFileSync(summaryPath, 'utf8'), failed };
}
