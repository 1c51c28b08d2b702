/**
 * Standalone fake model server for demos and manual runs:
 *   node --import tsx test/fake-model/cli.ts --scenario FILE [--port N] [--host H] [--quiet]
 * Prints the base URLs, then one line per request. Ctrl-C to stop.
 */
import { parseArgs } from 'node:util';
import { ScenarioError } from './scenario.js';
import { startFakeModelServer } from './server.js';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      scenario: { type: 'string', short: 's' },
      port: { type: 'string', short: 'p', default: '0' },
      host: { type: 'string', default: '127.0.0.1' },
      quiet: { type: 'boolean', short: 'q', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log('usage: node --import tsx test/fake-model/cli.ts --scenario FILE [--port N] [--host H] [--quiet]');
    return;
  }
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ScenarioError(`--port must be an integer 0-65535, got ${values.port}`);

  const server = await startFakeModelServer({
    scenario: values.scenario,
    port,
    host: values.host,
    log: values.quiet ? undefined : (line) => console.log(line),
  });
  // The first line is machine-readable so scripts can grab the URL.
  console.log(`fake-model listening on ${server.url}`);
  console.log(`  OpenAI base URL:    ${server.openaiBaseUrl}`);
  console.log(`  Anthropic base URL: ${server.anthropicBaseUrl}`);
  console.log(`  scenario:           ${values.scenario ?? '(built-in greeting)'}`);

  const stop = (): void => {
    void server.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((err: unknown) => {
  console.error(err instanceof ScenarioError ? err.message : err);
  process.exit(1);
});
