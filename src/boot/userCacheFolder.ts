import { homedir } from 'node:os';
import { isAbsolute, join } from 'node:path';

/**
 * Plumbline's folder in the user's cache: XDG_CACHE_HOME (or ~/.cache) on Linux, ~/Library/Caches
 * on macOS, LOCALAPPDATA on Windows. What may be thrown away and rebuilt lives under it (code
 * caches, baselines), never in a workspace.
 */
export function userCacheFolder(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform, home: string = homedir()): string {
  if (platform === 'win32') return join(env.LOCALAPPDATA ?? join(home, 'AppData', 'Local'), 'plumbline');
  if (platform === 'darwin') return join(home, 'Library', 'Caches', 'plumbline');
  const xdg = env.XDG_CACHE_HOME;
  return join(xdg !== undefined && isAbsolute(xdg) ? xdg : join(home, '.cache'), 'plumbline');
}
