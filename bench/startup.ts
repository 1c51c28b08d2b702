/** Agent server start to ready (spawn + LSP initialize) and VSIX size. */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServerSession } from '../src/cli/serverConnection';
import { repoRoot } from './repo';
import { distDir } from './cli';
import { measured, notMeasured, now, type Figure } from './stats';

export async function serverStartFigure(runs: number): Promise<Figure> {
  const folder = mkdtempSync(join(tmpdir(), 'plumbline-bench-start-'));
  const samples: number[] = [];
  const spawnToReady: number[] = [];
  try {
    for (let i = 0; i < runs; i += 1) {
      const start = now();
      const session = await startServerSession({ serverPath: join(distDir(), 'server.js'), workspaceFolder: folder, timeoutMs: 20000 });
      spawnToReady.push(now() - start);
      samples.push(session.initializeMs);
      await session.close();
    }
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
  const sorted = [...spawnToReady].sort((a, b) => a - b);
  return measured({ id: 'server.ready', name: 'Agent server start → initialize answered (stdio)', unit: 'ms', target: 300, comparison: 'max', samples, note: `startServerSession initializeMs; spawn call included: median ${(sorted[Math.floor(sorted.length / 2)] ?? 0).toFixed(0)} ms; ${runs} runs` });
}

export function vsixFigure(): Figure {
  const path = join(repoRoot, 'dist', 'plumbline.vsix');
  let note = 'dist/plumbline.vsix as found';
  if (!existsSync(path)) {
    const result = spawnSync('npm', ['run', '--silent', 'package'], { cwd: repoRoot, encoding: 'utf8' });
    note = 'built now with npm run package';
    if (result.status !== 0 || !existsSync(path)) return notMeasured('vsix.size', 'VSIX size', 'MB', 2, 'max', `npm run package failed: ${result.stderr.slice(-300)}`);
  }
  const mb = statSync(path).size / (1024 * 1024);
  return measured({ id: 'vsix.size', name: 'VSIX size', unit: 'MB', target: 2, comparison: 'max', samples: [mb], note: `${note} (${statSync(path).mtime.toISOString()})` });
}
