import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const repoRoot = resolve(__dirname, '../../..');

/** Path of a built bundle; the unit tier runs after `npm run build` and tests the real artifacts. */
export function bundle(name: 'server.js' | 'cli.js' | 'extension.js' | 'languageClient.js'): string {
  const path = join(repoRoot, 'dist', name);
  if (!existsSync(path)) throw new Error(`${path} is missing: run "npm run build" before the unit tests.`);
  return path;
}

export const packageVersion = (JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string }).version;
