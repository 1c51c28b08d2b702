/**
 * `dist/server.js`, the agent server the CLI and the extension start (`node dist/server.js --stdio`):
 * loads its bundle (`dist/server-main.js`) through the code cache (bundleLoader.ts).
 */
import { loadBundle } from './bundleLoader';

loadBundle(__dirname, 'server-main.js');
