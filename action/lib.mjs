// What the action's steps share: reading inputs from the environment (never from `${{ }}` spliced
// into a script, so issue text cannot become shell code), GitHub's workflow-command files
// (GITHUB_OUTPUT, GITHUB_STEP_SUMMARY), masking, the event payload, and running git and gh with
// arguments as arrays (no shell between us and them).
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { appendFileSync, existsSync, readFileSync } from 'node:fs';

/** Environment variables that carry the action's inputs to its scripts (never passed on to the CLI). */
export const inputPrefix = 'PLUMBLINE_INPUT_';

/** An input of the action, passed by action.yml as `PLUMBLINE_INPUT_<NAME>` (empty when unset). */
export function input(name) {
  return (process.env[`${inputPrefix}${name.toUpperCase().replace(/-/g, '_')}`] ?? '').trim();
}

/** `true`/`false` inputs; anything else is a usage error naming the input. */
export function booleanInput(name, fallback) {
  const value = input(name).toLowerCase();
  if (value === '') return fallback;
  if (value === 'true') return true;
  if (value === 'false') return false;
  return fail(`The input "${name}" must be true or false, not "${value}".`);
}

/** One of a few words, or a usage error that lists them. */
export function choiceInput(name, choices, fallback) {
  const value = input(name).toLowerCase();
  if (value === '') return fallback;
  if (choices.includes(value)) return value;
  return fail(`The input "${name}" must be one of ${choices.join(', ')}, not "${value}".`);
}

/** A list input: one item per line or comma; blanks dropped. */
export function listInput(name, separators = /[\n,]/) {
  return input(name)
    .split(separators)
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

/** Tells the runner to hide a value in every later log line (each line of it: masks are per line). */
export function mask(value) {
  for (const line of String(value).split(/\r?\n/)) {
    if (line.trim() !== '') process.stdout.write(`::add-mask::${line}\n`);
  }
}

/** Appends `name` to the step's outputs; a random delimiter, so a value cannot end the block early. */
export function setOutput(name, value) {
  const file = process.env.GITHUB_OUTPUT;
  if (file === undefined || file === '') return;
  const text = String(value);
  let delimiter;
  do delimiter = `plumbline_${randomBytes(12).toString('hex')}`;
  while (text.includes(delimiter));
  appendFileSync(file, `${name}<<${delimiter}\n${text}\n${delimiter}\n`);
}

/** Appends markdown to the job's summary page. */
export function appendSummary(markdown) {
  const file = process.env.GITHUB_STEP_SUMMARY;
  if (file === undefined || file === '') return;
  appendFileSync(file, markdown.endsWith('\n') ? markdown : `${markdown}\n`);
}

/** Workflow commands take the rest of the line as data: newlines and `%` are escaped as the runner expects. */
function escapeCommandData(text) {
  return String(text).replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

export function warn(message) {
  process.stdout.write(`::warning::${escapeCommandData(message)}\n`);
}

/** Ends the step with an error annotation: what happened and what to do next. */
export function fail(message) {
  process.stdout.write(`::error::${escapeCommandData(message)}\n`);
  process.exit(1);
}

/** The event that started the workflow, or undefined (workflow_dispatch without a payload file, tests). */
export function readEvent() {
  const path = process.env.GITHUB_EVENT_PATH;
  if (path === undefined || path === '' || !existsSync(path)) return undefined;
  try {
    const event = JSON.parse(readFileSync(path, 'utf8'));
    return event !== null && typeof event === 'object' ? event : undefined;
  } catch (error) {
    return fail(`The event payload ${path} is not JSON (${error instanceof Error ? error.message : String(error)}).`);
  }
}

/** Runs a program (never a shell) and returns what it printed; throws with its stderr when it fails. */
export function run(program, args, options = {}) {
  const result = spawnSync(program, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, ...options });
  if (result.error !== undefined) throw new Error(`${program} could not start: ${result.error.message}`);
  if (result.status !== 0) {
    const detail = (result.stderr || result.stdout || '').trim();
    throw new Error(`${program} ${args[0] ?? ''} exited with ${String(result.status ?? result.signal)}${detail !== '' ? `: ${detail}` : ''}`);
  }
  return result.stdout;
}

export function git(args, options = {}) {
  return run('git', args, options).trim();
}
