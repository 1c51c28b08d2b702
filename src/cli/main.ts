// First: starts the agent server while the rest of the CLI loads (see earlyServer.ts).
import { discardEarlyServer } from './earlyServer';
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { approveModeSchema } from '../protocol/run';
import { keyedProviderSchema } from '../protocol/provider';
import { commandPrefixSchema, reviewModeSchema } from '../protocol/settings';
import { plumblineVersion } from '../protocol/version';
import { formatDoctorReport, runDoctor } from './doctor';
import { runTaskCommand, type RunTaskOptions } from './runTask';
import { branchNameSchema } from '../protocol/branchCommit';
import { ciRunCommand } from './ciRun';
import { ciTask, TaskSourceError } from './ciTask';
import { ArtifactsError, importRunArtifacts } from './resumeFrom';
import { runsCommand, undoCommand } from './runsCommand';
import { listBranchesCommand } from './reviewBranchCommand';
import { branchNameProblem } from '../protocol/branchReview';
import { createTerminal } from './terminal';

/** Exit statuses scripts can rely on; documented in the README. */
export const exitCodes = { ok: 0, failed: 1, usage: 2, cancelled: 3 } as const;

const help = `Plumbline ${plumblineVersion}: a coding agent that plans, delegates and verifies.

Usage:
  plumbline run "<task>" [--cwd DIR] [--provider openai|anthropic] [--model M] [--worker-model M]
                [--reviewer-model M] [--review off|steps|end] [--no-escalation] [--base-url URL] [--approve step|end|auto|never] [--test-cmd CMD] [--max-cost USD]
                [--max-tokens N] [--max-calls N] [--parallel N] [--allow-command PREFIX]...
                [--deny-command PREFIX]... [--yes] [--json] [--unsandboxed run|review-first]
                [--ask-timeout SECONDS] [--context-window N] [--mcp-config FILE] [--allow-mcp-tool NAME]...
  plumbline run --ci [TASK | --task-file FILE] [--commit-branch NAME] [--report FILE]
                [--artifacts DIR] [run options except --approve]
  plumbline runs [--cwd DIR] [--json]
  plumbline resume <run-id> [--cwd DIR] [--yes] [--json]
  plumbline resume --from DIR [--cwd DIR] [--report FILE] [--artifacts DIR] [--json]
  plumbline undo <run-id> [--cwd DIR] [--json]
  plumbline review-branch [NAME] [--cwd DIR] [--approve end|auto|never] [--json]
  plumbline doctor [--cwd DIR] [--ping] [--json] [--timeout MS] [--verbose] [--mcp-config FILE]
  plumbline acp [--approve step|end|auto|never] [--yes] [--mcp-config FILE] [the model, limit and command options of run]
  plumbline --version | --help

Commands:
  run        Plan the task in the open, run its steps with parallel workers that may write only
             the files their step owns, show the live plan and the diffs, and apply what the
             approval mode allows. The plan is kept in .plumbline/runs/<run-id>/plan.md; edit it
             while the run goes on and the run follows your edit.
  runs       List the workspace's past runs.
  resume     Continue a run that stopped before it finished (the editor closed, the machine
             crashed) from its journal: its plan, approved and verified work are kept. With
             --from DIR, a CI run's artifact folder, on another machine: in a checkout of the
             commit the run started from (it refuses any other).
  undo       Restore the files a run changed to their bytes before the run. A file edited since
             the run wrote it is left as it is and reported (exit 1). Git history is not touched.
  review-branch
             Review a run's branch (plumbline/<run-id>, or a fetched origin/plumbline/<run-id>,
             as plumbline run --ci commits it): its commits are the plan, with their test
             evidence, and merge-base(HEAD, NAME)..NAME is offered hunk by hunk over your files
             as they are now (hunks that no longer fit a file you changed are named, not
             offered). What you accept lands as a run's changes do: listed by plumbline runs,
             undone by plumbline undo. Without NAME: lists the plumbline/* branches. Without a
             terminal (or with --json) nothing is applied unless --approve auto.
  acp        Speak the Agent Client Protocol on stdin/stdout, for editors that host agents (Zed,
             JetBrains IDEs, Neovim's CodeCompanion; see the README). Each prompt is a run in the
             session's folder: the plan, tool calls and diffs stream to the editor, which asks
             you to run the plan, to run commands and to accept each changed file (--approve
             auto applies them; never is a dry run). Logs go to stderr.
  doctor     Start the agent server, complete an LSP initialize round trip, and report the server
             version, Node, git, the workspace folder, which model providers have a key
             and which model each role uses. Keys come from OPENAI_API_KEY and
             ANTHROPIC_API_KEY, base URLs from OPENAI_BASE_URL and ANTHROPIC_BASE_URL.

Options:
  --cwd DIR          Workspace folder (default: the current directory)
  --provider P       openai (or any OpenAI-compatible server) or anthropic, for both roles
  --model M          Model for the orchestrator (and the workers, unless --worker-model)
  --worker-model M   Model for the workers: the "fast" model a plan's step may be routed to (steps
                     not marked fast run on the orchestrator's, "strong", model)
  --reviewer-model M Model for the reviewer (default: the orchestrator's)
  --review MODE      off: no review; steps: the reviewer grades each step after its tests pass and
                     may send it back to its worker; end: one review of the whole change before
                     you review it (plumbline.review.mode; default off)
  --no-escalation    Retry a failed attempt on the step's own model instead of the strong one
                     (plumbline.escalation)
  --base-url URL     Endpoint, e.g. http://localhost:11434/v1 for Ollama
  --approve MODE     step: review each step's changes; end: review once at the end; auto: apply
                     them; never: dry run, apply nothing. Default: step on a terminal, never otherwise
  --test-cmd CMD     The command that runs the project's tests (default: detected, e.g. npm test);
                     every step is verified with it in an isolated, sandboxed copy (bubblewrap on
                     Linux, Seatbelt on macOS), from its exit status and the tests it ran
  --unsandboxed WHAT Where there is no sandbox (see plumbline doctor): review-first verifies steps
                     only after you accept them; run runs the tests unconfined for this run.
                     Without it a terminal asks once; without a terminal the run stops
  --max-cost USD     Stop the run when it has cost this much. A model without a known price cannot
                     be counted: the run is refused unless --max-tokens is set too (or its price
                     in plumbline.prices)
  --max-tokens N     Stop the run when its model calls have used this many tokens (input, output,
                     cache; plumbline.budget.maxTokens)
  --max-calls N      Stop the run after this many model requests (default 400;
                     plumbline.budget.maxCalls)
  --parallel N       Workers at once (default 4)
  --verify-parallel N  Test runs at once, each in its own copy (default: one per core;
                     plumbline.verification.parallel)
  --allow-command P  Workers may run commands starting with these words without asking, e.g.
                     --allow-command "npm run lint" (repeatable; plumbline.commands.allow). Commands
                     run in a throw-away copy of the workspace. Anything else is asked about on a
                     terminal and denied without one; destructive commands are always asked about
  --deny-command P   Never run commands starting with these words (repeatable; plumbline.commands.deny)
  --yes              Run the plan without asking for approval first
  --ask-timeout S    How long a question from the run (ask_user, more attempts for a failing
                     step) waits for your answer on the terminal before the run goes on without
                     one (default 300; 0: no limit; plumbline.askUser.timeoutSeconds). Without a
                     terminal (or with --json) questions go unanswered at once
  --context-window N The models' context window in tokens, for both roles (default: known per
                     model; plumbline.<role>.contextWindow). A conversation nearing 80% of it is
                     compacted: old tool results become short summaries
  --ci               Unattended (CI): nothing is asked (the plan runs as planned, commands not
                     allowed are denied, questions go unanswered), nothing in the working tree,
                     the index or HEAD is written. Each verified step is committed to a new branch
                     (git plumbing); nothing unverified is. Without TASK or --task-file, the task is
                     the GitHub event's (GITHUB_EVENT_PATH): an issue's title and body, or a
                     comment starting /plumbline. Exit 0: verified (every step committed) or empty
                     (nothing to change); 1: partial or failed; 2: a usage error
  --task-file FILE   (--ci) Read the task from this file (at most 256 KiB)
  --commit-branch N  (--ci) The branch to create (default plumbline/<run-id>); it must not exist
  --report FILE      (--ci, resume --from) Write the markdown report (a pull request's body) here
  --artifacts DIR    (--ci, resume --from) Keep the run's journal.jsonl, plan.md, run.json and
                     report.md in DIR as the run goes (upload it; resume --from DIR continues it)
  --from DIR         (resume) Continue the CI run whose artifacts are in DIR
  --mcp-config FILE  MCP servers of your own, in the .mcp.json shape ({"mcpServers": {...}}); they
                     start without the approval the workspace's .mcp.json and .vscode/mcp.json need
  --allow-mcp-tool T An MCP tool that is not read-only but may run without asking, e.g.
                     mcp__tracker__create_issue or mcp__tracker__* (repeatable; plumbline.mcp.allow)
  --json             One JSON event per line (run), or JSON output (runs, doctor)
  --ping             (doctor) also make a one-token call to each configured model
  --timeout MS       How long to wait for the agent server to start (default: 15000)
  --verbose          (doctor) copy the agent server's log to stderr
  -v, --version      Print the version
  -h, --help         Print this help

Exit status: 0 success (run: the task was completed), 1 a check failed or the run did not
complete, 2 a usage error, 3 the run was cancelled.
`;

function usageError(message: string): number {
  process.stderr.write(`plumbline: ${message}\nRun "plumbline --help" for usage.\n`);
  return exitCodes.usage;
}

function positiveNumber(value: string | undefined, flag: string): number | undefined | Error {
  if (value === undefined) return undefined;
  const number = Number(value);
  return Number.isFinite(number) && number > 0 ? number : new Error(`${flag} takes a positive number`);
}

async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean', short: 'v' },
        cwd: { type: 'string' },
        json: { type: 'boolean' },
        timeout: { type: 'string' },
        verbose: { type: 'boolean' },
        ping: { type: 'boolean' },
        provider: { type: 'string' },
        model: { type: 'string' },
        'worker-model': { type: 'string' },
        'reviewer-model': { type: 'string' },
        review: { type: 'string' },
        'no-escalation': { type: 'boolean' },
        'base-url': { type: 'string' },
        approve: { type: 'string' },
        'max-cost': { type: 'string' },
        'max-tokens': { type: 'string' },
        'max-calls': { type: 'string' },
        parallel: { type: 'string' },
        yes: { type: 'boolean' },
        'test-cmd': { type: 'string' },
        'allow-command': { type: 'string', multiple: true },
        'deny-command': { type: 'string', multiple: true },
        unsandboxed: { type: 'string' },
        'ask-timeout': { type: 'string' },
        'context-window': { type: 'string' },
        'verify-parallel': { type: 'string' },
        ci: { type: 'boolean' },
        'task-file': { type: 'string' },
        'commit-branch': { type: 'string' },
        report: { type: 'string' },
        artifacts: { type: 'string' },
        from: { type: 'string' },
        'mcp-config': { type: 'string' },
        'allow-mcp-tool': { type: 'string', multiple: true },
      },
    });
  } catch (error) {
    return usageError(error instanceof Error ? error.message : String(error));
  }
  const { values, positionals } = parsed;
  if (values.version === true) {
    process.stdout.write(`${plumblineVersion}\n`);
    return exitCodes.ok;
  }
  const [command, ...rest] = positionals;
  if (values.help === true || command === undefined || command === 'help') {
    process.stdout.write(help);
    return command === undefined && values.help !== true ? exitCodes.usage : exitCodes.ok;
  }
  const workspaceFolder = resolve(values.cwd ?? process.cwd());
  if (!existsSync(workspaceFolder) || !statSync(workspaceFolder).isDirectory()) return usageError(`--cwd ${workspaceFolder} is not a folder`);
  const timeoutMs = values.timeout === undefined ? 15000 : Number(values.timeout);
  if (!Number.isInteger(timeoutMs) || timeoutMs <= 0) return usageError('--timeout takes a positive whole number of milliseconds');
  const mcpConfigFile = values['mcp-config'] === undefined ? undefined : resolve(values['mcp-config']);
  if (mcpConfigFile !== undefined && !(existsSync(mcpConfigFile) && statSync(mcpConfigFile).isFile())) return usageError(`--mcp-config ${mcpConfigFile} is not a file`);
  if (mcpConfigFile !== undefined && command !== 'run' && command !== 'resume' && command !== 'doctor' && command !== 'acp') return usageError('--mcp-config goes with "plumbline run", "resume", "acp" or "doctor"');
  const unattended = values.ci === true || values.from !== undefined;
  // Unattended: a terminal that is never asked anything (no prompt, no redrawn plan), even on a TTY.
  const terminal = unattended ? createTerminal({ write: (text) => process.stdout.write(text) }) : createTerminal();
  const runOnly = ['provider', 'model', 'worker-model', 'reviewer-model', 'review', 'no-escalation', 'base-url', 'approve', 'max-cost', 'max-tokens', 'max-calls', 'parallel', 'yes', 'test-cmd', 'allow-command', 'deny-command', 'unsandboxed', 'ask-timeout', 'context-window', 'verify-parallel', 'allow-mcp-tool'] as const;
  if (command !== 'run' && command !== 'acp') {
    const misplaced = runOnly.find((flag) => values[flag] !== undefined && !(command === 'resume' && flag === 'yes') && !(command === 'review-branch' && flag === 'approve'));
    if (misplaced !== undefined) return usageError(`--${misplaced} goes with "plumbline run"`);
  }
  const ciMisplaced = ciFlagMisplaced(command, values);
  if (ciMisplaced !== undefined) return usageError(ciMisplaced);

  switch (command) {
    case 'doctor': {
      if (rest.length > 0) return usageError(`unexpected argument "${rest[0] ?? ''}"`);
      const onLog = values.verbose === true ? (line: string) => process.stderr.write(`[server] ${line}\n`) : undefined;
      const report = await runDoctor({ workspaceFolder, timeoutMs, ping: values.ping === true, ...(onLog !== undefined ? { onLog } : {}), ...(mcpConfigFile !== undefined ? { mcpConfigFile } : {}) });
      process.stdout.write(values.json === true ? `${JSON.stringify(report, null, 2)}\n` : `${formatDoctorReport(report)}\n`);
      return report.ok ? exitCodes.ok : exitCodes.failed;
    }
    case 'runs':
      if (rest.length > 0) return usageError(`unexpected argument "${rest[0] ?? ''}"`);
      return runsCommand({ cwd: workspaceFolder, json: values.json === true, timeoutMs }, terminal);
    case 'resume': {
      if (values.from !== undefined) {
        if (rest.length > 0) return usageError('resume --from DIR takes no run id: the folder names the run');
        const from = resolve(values.from);
        let imported;
        try {
          imported = importRunArtifacts(from, workspaceFolder);
        } catch (error) {
          if (error instanceof ArtifactsError) return usageError(error.message);
          throw error;
        }
        return ciRunCommand(
          {
            run: { task: '', resumeRunId: imported.runId, cwd: workspaceFolder, approve: 'never', json: values.json === true, yes: true, timeoutMs },
            taskSource: 'the resumed run',
            ...(values.report !== undefined ? { report: values.report } : {}),
            artifacts: values.artifacts ?? from,
            env: process.env,
          },
          terminal,
        );
      }
      const [runId, extra] = rest;
      if (runId === undefined || extra !== undefined) return usageError('resume takes one run id, as "plumbline runs" lists it');
      return runTaskCommand({ task: '', resumeRunId: runId, cwd: workspaceFolder, approve: 'step', json: values.json === true, yes: values.yes === true, timeoutMs, ...(mcpConfigFile !== undefined ? { mcpConfigFile } : {}) }, terminal);
    }
    case 'undo': {
      const [runId, extra] = rest;
      if (runId === undefined || extra !== undefined) return usageError('undo takes one run id, as "plumbline runs" lists it');
      return undoCommand({ cwd: workspaceFolder, runId, json: values.json === true, timeoutMs }, terminal);
    }
    case 'review-branch': {
      const [branch, extra] = rest;
      if (extra !== undefined) return usageError('review-branch takes one branch name, as "plumbline review-branch" lists them');
      if (branch === undefined) return listBranchesCommand({ cwd: workspaceFolder, json: values.json === true, timeoutMs }, terminal);
      const problem = branchNameProblem(branch);
      if (problem !== undefined) return usageError(`cannot review ${JSON.stringify(branch)}: ${problem}`);
      const interactive = terminal.interactive && process.stdin.isTTY && values.json !== true;
      const approve = approveModeSchema.safeParse(values.approve ?? (interactive ? 'end' : 'never'));
      if (!approve.success) return usageError('--approve is one of end, auto, never');
      if ((approve.data === 'step' || approve.data === 'end') && !interactive) {
        return usageError(`--approve ${approve.data} reviews the branch's hunks interactively, which needs a terminal (and no --json); use --approve auto to apply them or --approve never to see them`);
      }
      return runTaskCommand({ task: '', reviewBranch: branch, cwd: workspaceFolder, approve: approve.data, json: values.json === true, yes: true, timeoutMs }, terminal);
    }
    case 'acp':
    case 'run': {
      // acp takes run's options; its tasks come from the editor's prompts, its questions go to the editor.
      const acp = command === 'acp';
      if (acp && rest.length > 0) return usageError(`unexpected argument "${rest[0] ?? ''}": acp takes its tasks from the editor`);
      let task = rest.join(' ').trim();
      let taskSource = 'the argument';
      const ci = values.ci === true;
      if (ci) {
        try {
          ({ task, source: taskSource } = ciTask({ argument: task, ...(values['task-file'] !== undefined ? { taskFile: values['task-file'] } : {}), env: process.env }));
        } catch (error) {
          if (error instanceof TaskSourceError) return usageError(error.message);
          throw error;
        }
        if (values.approve !== undefined) return usageError('--ci decides what lands: nothing in the working tree, each verified step on the branch; leave out --approve');
        if (values.unsandboxed === 'review-first') return usageError('--unsandboxed review-first verifies only what a person accepted, and in --ci nobody does: use --unsandboxed run on a disposable runner, or install a sandbox (plumbline doctor)');
        const branch = values['commit-branch'] === undefined ? undefined : branchNameSchema.safeParse(values['commit-branch']);
        if (branch !== undefined && !branch.success) return usageError(`--commit-branch ${JSON.stringify(values['commit-branch']).slice(0, 120)}: ${branch.error.issues[0]?.message ?? 'not a branch name'}`);
      } else if (task === '' && !acp) return usageError('run needs a task, e.g. plumbline run "rename loadConfig to readConfig"');
      const provider = values.provider === undefined ? undefined : keyedProviderSchema.safeParse(values.provider).data;
      if (values.provider !== undefined && provider === undefined) return usageError(`--provider is ${keyedProviderSchema.options.join(' or ')}`);
      const interactive = acp || (terminal.interactive && process.stdin.isTTY && values.json !== true);
      const approve = approveModeSchema.safeParse(values.approve ?? (interactive && !ci ? 'step' : 'never'));
      if (!approve.success) return usageError('--approve is one of step, end, auto, never');
      if ((approve.data === 'step' || approve.data === 'end') && !interactive) {
        return usageError(`--approve ${approve.data} reviews changes interactively, which needs a terminal (and no --json); use --approve auto to apply them or --approve never for a dry run`);
      }
      const review = values.review === undefined ? undefined : reviewModeSchema.safeParse(values.review).data;
      if (values.review !== undefined && review === undefined) return usageError('--review is one of off, steps, end');
      const prefixes = { allow: values['allow-command'] ?? [], deny: values['deny-command'] ?? [] };
      const badPrefix = [...prefixes.allow, ...prefixes.deny].find((entry) => !commandPrefixSchema.safeParse(entry).success);
      if (badPrefix !== undefined) return usageError(`"${badPrefix}" is not a command prefix: give plain words such as "npm run lint" (no ; & | < > ( ) $ \` # * ?)`);
      const unsandboxed = values.unsandboxed;
      if (unsandboxed !== undefined && unsandboxed !== 'run' && unsandboxed !== 'review-first') return usageError('--unsandboxed is run or review-first');
      const maxCost = positiveNumber(values['max-cost'], '--max-cost');
      const parallel = positiveNumber(values.parallel, '--parallel');
      if (maxCost instanceof Error) return usageError(maxCost.message);
      const maxTokens = positiveNumber(values['max-tokens'], '--max-tokens');
      const maxCalls = positiveNumber(values['max-calls'], '--max-calls');
      for (const [flag, value] of [['--max-tokens', maxTokens], ['--max-calls', maxCalls]] as const) {
        if (value instanceof Error || (value !== undefined && !Number.isInteger(value))) return usageError(`${flag} takes a positive whole number`);
      }
      if (parallel instanceof Error || (parallel !== undefined && (!Number.isInteger(parallel) || parallel > 16))) return usageError('--parallel takes a whole number from 1 to 16');
      const askTimeout = values['ask-timeout'] === undefined ? undefined : Number(values['ask-timeout']);
      if (askTimeout !== undefined && (!Number.isInteger(askTimeout) || askTimeout < 0 || askTimeout > 86_400)) return usageError('--ask-timeout takes a whole number of seconds from 0 (no limit) to 86400');
      const contextWindow = values['context-window'] === undefined ? undefined : Number(values['context-window']);
      if (contextWindow !== undefined && (!Number.isInteger(contextWindow) || contextWindow < 1024)) return usageError('--context-window takes a whole number of tokens, at least 1024');
      const verifyParallel = positiveNumber(values['verify-parallel'], '--verify-parallel');
      if (verifyParallel instanceof Error || (verifyParallel !== undefined && (!Number.isInteger(verifyParallel) || verifyParallel > 64))) return usageError('--verify-parallel takes a whole number from 1 to 64');
      const runOptions: RunTaskOptions = {
          task,
          cwd: workspaceFolder,
          approve: approve.data,
          json: values.json === true,
          yes: values.yes === true || ci,
          timeoutMs,
          ...(provider !== undefined ? { provider } : {}),
          ...(values.model !== undefined ? { model: values.model } : {}),
          ...(values['worker-model'] !== undefined ? { workerModel: values['worker-model'] } : {}),
          ...(values['reviewer-model'] !== undefined ? { reviewerModel: values['reviewer-model'] } : {}),
          ...(review !== undefined ? { review } : {}),
          ...(values['no-escalation'] === true ? { escalation: false } : {}),
          ...(values['base-url'] !== undefined ? { baseUrl: values['base-url'] } : {}),
          ...(values['test-cmd'] !== undefined && values['test-cmd'].trim() !== '' ? { testCommand: values['test-cmd'] } : {}),
          ...(maxCost !== undefined ? { maxCostUsd: maxCost } : {}),
          ...(typeof maxTokens === 'number' ? { maxTokens } : {}),
          ...(typeof maxCalls === 'number' ? { maxCalls } : {}),
          ...(prefixes.allow.length > 0 ? { allowCommands: prefixes.allow } : {}),
          ...(prefixes.deny.length > 0 ? { denyCommands: prefixes.deny } : {}),
          ...(parallel !== undefined ? { parallel } : {}),
          ...(verifyParallel !== undefined ? { verifyParallel } : {}),
          ...(unsandboxed !== undefined ? { unsandboxed } : {}),
          ...(askTimeout !== undefined ? { askTimeoutSeconds: askTimeout } : {}),
          ...(contextWindow !== undefined ? { contextWindow } : {}),
          ...(mcpConfigFile !== undefined ? { mcpConfigFile } : {}),
          ...(values['allow-mcp-tool'] !== undefined ? { allowMcpTools: values['allow-mcp-tool'] } : {}),
      };
      // The ACP side (and its SDK, a bundle of its own: esbuild.mjs) is loaded only for acp.
      if (acp) return (await import('./acp/acpCommand')).acpCommand(runOptions);
      if (!ci) return runTaskCommand(runOptions, terminal);
      return ciRunCommand(
        {
          run: runOptions,
          taskSource,
          ...(values['commit-branch'] !== undefined ? { commitBranch: values['commit-branch'] } : {}),
          ...(values.report !== undefined ? { report: values.report } : {}),
          ...(values.artifacts !== undefined ? { artifacts: values.artifacts } : {}),
          env: process.env,
        },
        terminal,
      );
    }
    default:
      return usageError(`unknown command "${command}"`);
  }
}

/** A CI flag given where it means nothing: the message, or undefined. */
function ciFlagMisplaced(command: string, values: { ci?: boolean; 'task-file'?: string; 'commit-branch'?: string; report?: string; artifacts?: string; from?: string }): string | undefined {
  const ciRun = command === 'run' && values.ci === true;
  const resumeFrom = command === 'resume' && values.from !== undefined;
  if (values.ci === true && command !== 'run') return '--ci goes with "plumbline run" (resume --from DIR is unattended already)';
  if (values.from !== undefined && command !== 'resume') return '--from goes with "plumbline resume"';
  for (const flag of ['task-file', 'commit-branch'] as const) if (values[flag] !== undefined && !ciRun) return `--${flag} goes with "plumbline run --ci"`;
  for (const flag of ['report', 'artifacts'] as const) if (values[flag] !== undefined && !ciRun && !resumeFrom) return `--${flag} goes with "plumbline run --ci" or "plumbline resume --from DIR"`;
  return undefined;
}

main(process.argv.slice(2))
  .then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`plumbline: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = exitCodes.failed;
    },
  )
  .finally(discardEarlyServer);
