import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { plumblineVersion } from '../protocol/version';
import { formatDoctorReport, runDoctor } from './doctor';

/** Exit statuses scripts can rely on; documented in the README. */
export const exitCodes = { ok: 0, failed: 1, usage: 2 } as const;

const help = `Plumbline ${plumblineVersion}: a coding agent that plans, delegates and verifies.

Usage:
  plumbline doctor [--cwd DIR] [--ping] [--json] [--timeout MS] [--verbose]
  plumbline --version
  plumbline --help

Commands:
  doctor     Start the agent server, complete an LSP initialize round trip, and report the server
             version, Node, git, the workspace folder, which model providers have a key
             and which model each role uses. Keys come from OPENAI_API_KEY and
             ANTHROPIC_API_KEY, base URLs from OPENAI_BASE_URL and ANTHROPIC_BASE_URL.

Options:
  --cwd DIR      Workspace folder (default: the current directory)
  --ping         Also make a one-token call to each configured model
  --json         Print the report as JSON
  --timeout MS   How long to wait for the agent server (default: 15000)
  --verbose      Copy the agent server's log to stderr
  -v, --version  Print the version
  -h, --help     Print this help

Exit status: 0 success, 1 a check failed, 2 a usage error.
`;

function usageError(message: string): number {
  process.stderr.write(`plumbline: ${message}\nRun "plumbline --help" for usage.\n`);
  return exitCodes.usage;
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
  if (command !== 'doctor') return usageError(`unknown command "${command}"`);
  if (rest.length > 0) return usageError(`unexpected argument "${rest[0] ?? ''}"`);

  const workspaceFolder = resolve(values.cwd ?? process.cwd());
  if (!existsSync(workspaceFolder) || !statSync(workspaceFolder).isDirectory()) {
    return usageError(`--cwd ${workspaceFolder} is not a folder`);
  }
  const timeoutMs = values.timeout === undefined ? 15000 : Number(values.timeout);
  if (!Number.isInteger(timeoutMs) || timeoutMs <= 0) return usageError('--timeout takes a positive whole number of milliseconds');

  const onLog = values.verbose === true ? (line: string) => process.stderr.write(`[server] ${line}\n`) : undefined;
  const report = await runDoctor({ workspaceFolder, timeoutMs, ping: values.ping === true, ...(onLog !== undefined ? { onLog } : {}) });
  process.stdout.write(values.json === true ? `${JSON.stringify(report, null, 2)}\n` : `${formatDoctorReport(report)}\n`);
  return report.ok ? exitCodes.ok : exitCodes.failed;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`plumbline: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = exitCodes.failed;
  },
);
