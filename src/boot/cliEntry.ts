/**
 * `dist/cli.js`, the `plumbline` command: loads the CLI's bundle (`dist/cli-main.js`) through the
 * code cache (bundleLoader.ts). The CLI's first module starts the agent server (earlyServer.ts), so
 * the sooner the bundle runs, the sooner the server starts.
 */
import { loadBundle } from './bundleLoader';

loadBundle(__dirname, 'cli-main.js');
