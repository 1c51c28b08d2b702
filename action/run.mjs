// The action's run step: checks who started the run, hides the key, and runs `plumbline run --ci`
// (or `plumbline resume --from DIR --ci`). The CLI itself writes the step's outputs (branch,
// run-id, verdict, commits, report) and the job summary; this script adds `exit-code` and
// `artifacts`. A run that ends partial or failed (exit 1) is not this step's failure: the
// publish step still pushes what was verified, and the conclude step applies `fail-on`.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { choiceInput, fail, input, inputPrefix, listInput, mask, readEvent, setOutput } from './lib.mjs';

/** Credentials of the workflow that the run (and the tests it runs) has no use for. */
const withheldVariables = [
  'GITHUB_TOKEN', 'GH_TOKEN', 'GH_ENTERPRISE_TOKEN', 'GITHUB_ENTERPRISE_TOKEN',
  'ACTIONS_RUNTIME_TOKEN', 'ACTIONS_ID_TOKEN_REQUEST_TOKEN', 'ACTIONS_ID_TOKEN_REQUEST_URL',
];

const keyVariable = { openai: 'OPENAI_API_KEY', anthropic: 'ANTHROPIC_API_KEY' };
const baseUrlVariable = { openai: 'OPENAI_BASE_URL', anthropic: 'ANTHROPIC_BASE_URL' };

/**
 * Who may start a run from a comment. The workflow should check this before a runner is spent
 * (docs/github-actions/plumbline-issue.yml does); this is the same check again, inside the action,
 * so a workflow that forgets it still cannot be driven by any commenter.
 */
function checkTrigger(eventName, event) {
  if (eventName === 'pull_request_target' || eventName === 'pull_request') {
    fail(`Plumbline does not run on ${eventName} events: the checkout may be a fork's code and the run would get this repository's tokens. Trigger it from an issue (label or /plumbline comment) or workflow_dispatch instead.`);
  }
  if (eventName !== 'issue_comment') return;
  const allowed = listInput('allowed-associations').map((value) => value.toUpperCase());
  const association = String(event?.comment?.author_association ?? 'NONE');
  const login = String(event?.comment?.user?.login ?? 'someone');
  if (!allowed.includes(association.toUpperCase())) {
    fail(`@${login} may not start a Plumbline run: their association with the repository is ${association}, and the action's allowed-associations are ${allowed.join(', ') || '(none)'}. Ask a maintainer to comment /plumbline, or widen allowed-associations.`);
  }
}

function taskArguments(runnerTemp) {
  const task = process.env[`${inputPrefix}TASK`] ?? '';
  const taskFile = input('task-file');
  if (task.trim() !== '' && taskFile !== '') fail('Give the action either "task" or "task-file", not both.');
  if (taskFile !== '') return ['--task-file', taskFile];
  if (task.trim() === '') return []; // the CLI reads the task from the event (GITHUB_EVENT_PATH)
  // Through a file, not argv: a task may be long, start with "-", or hold anything a shell would read.
  const path = join(runnerTemp, `plumbline-task-${randomBytes(6).toString('hex')}.md`);
  writeFileSync(path, task);
  return ['--task-file', path];
}

function numberFlag(flag, name) {
  const value = input(name);
  if (value === '') return [];
  if (!Number.isFinite(Number(value)) || Number(value) <= 0) fail(`The input "${name}" must be a positive number, not "${value}".`);
  return [flag, value];
}

function stringFlag(flag, name) {
  const value = input(name);
  return value === '' ? [] : [flag, value];
}

function modelArguments() {
  return [
    ...stringFlag('--provider', 'provider'),
    ...stringFlag('--model', 'model'),
    ...stringFlag('--worker-model', 'worker-model'),
    ...stringFlag('--reviewer-model', 'reviewer-model'),
    ...stringFlag('--base-url', 'base-url'),
    ...stringFlag('--review', 'review'),
    ...stringFlag('--test-cmd', 'test-command'),
    ...numberFlag('--max-cost', 'max-cost'),
    ...numberFlag('--max-tokens', 'max-tokens'),
    ...numberFlag('--max-calls', 'max-calls'),
    ...numberFlag('--parallel', 'parallel'),
    ...listInput('allow-commands', /\n/).flatMap((prefix) => ['--allow-command', prefix]),
  ];
}

/** The CLI's environment: the job's, minus the action's inputs and the workflow's tokens, plus the key. */
function cliEnvironment(provider) {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !name.startsWith(inputPrefix) && !withheldVariables.includes(name)),
  );
  const key = process.env[`${inputPrefix}API_KEY`] ?? '';
  if (key.trim() !== '') env[keyVariable[provider]] = key.trim();
  const name = input('git-user-name');
  const email = input('git-user-email');
  // The branch's commits need an author; a runner has no git identity of its own.
  if (name !== '') env.GIT_AUTHOR_NAME = env.GIT_COMMITTER_NAME = name;
  if (email !== '') env.GIT_AUTHOR_EMAIL = env.GIT_COMMITTER_EMAIL = email;
  return env;
}

function main() {
  const key = process.env[`${inputPrefix}API_KEY`] ?? '';
  if (key.trim() !== '') mask(key.trim());
  const eventName = process.env.GITHUB_EVENT_NAME ?? '';
  checkTrigger(eventName, readEvent());

  const cli = input('cli');
  if (cli === '') fail('No Plumbline CLI to run: the install step gave no path (set "plumbline-path" or let the action build it).');
  const provider = choiceInput('provider', ['openai', 'anthropic'], 'anthropic');
  const runnerTemp = process.env.RUNNER_TEMP || process.env.TMPDIR || '/tmp';
  const workingDirectory = resolve(input('working-directory') || '.');
  const artifacts = resolve(input('artifacts') || join(runnerTemp, 'plumbline-artifacts'));
  const report = join(runnerTemp, 'plumbline-report.md');
  mkdirSync(artifacts, { recursive: true });
  setOutput('artifacts', artifacts);

  const resumeFrom = input('resume-from');
  const env = cliEnvironment(provider);
  let args;
  if (resumeFrom !== '') {
    // The resumed run keeps what it was started with (task, branch, models, budgets): its journal says.
    if (input('branch') !== '' || input('task') !== '' || input('task-file') !== '') {
      fail('With "resume-from" the task and the branch are the interrupted run\'s (its journal has them); leave "task", "task-file" and "branch" empty.');
    }
    const baseUrl = input('base-url');
    if (baseUrl !== '') env[baseUrlVariable[provider]] = baseUrl;
    args = ['resume', '--from', resolve(resumeFrom), '--cwd', workingDirectory, '--report', report, '--artifacts', artifacts];
  } else {
    args = [
      'run', '--ci', ...taskArguments(runnerTemp),
      '--cwd', workingDirectory,
      ...stringFlag('--commit-branch', 'branch'),
      '--report', report,
      '--artifacts', artifacts,
      ...modelArguments(),
      ...(choiceInput('unsandboxed', ['run', 'no'], 'no') === 'run' ? ['--unsandboxed', 'run'] : []),
    ];
  }
  process.stdout.write(`Running plumbline ${args.slice(0, 2).join(' ')} in ${workingDirectory}\n`);
  const result = spawnSync(process.execPath, [cli, ...args], { cwd: workingDirectory, env, stdio: 'inherit' });
  if (result.error !== undefined) fail(`The Plumbline CLI (${cli}) could not start: ${result.error.message}`);
  const code = result.status ?? 1;
  setOutput('exit-code', code);
  // 0: verified or empty; 1: partial or failed (published as far as verified, judged by fail-on).
  if (code === 0 || code === 1) return;
  fail(`plumbline exited with ${result.signal ?? code}${code === 2 ? ' (a usage error: check the action\'s inputs)' : ''}; nothing was published. The run's journal is in ${artifacts}.`);
}

main();
