/** Agent server start to ready (spawn + LSP initialize), VSIX size, and VS Code activation time if logged. */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServerSession } from '../src/cli/serverConnection';
import { repoRoot } from './repo';
import { measured, notMeasured, now, type Figure } from './stats';

export async function serverStartFigure(runs: number): Promise<Figure> {
  const folder = mkdtempSync(join(tmpdir(), 'plumbline-bench-start-'));
  const samples: number[] = [];
  const spawnToReady: number[] = [];
  try {
    for (let i = 0; i < runs; i += 1) {
      const start = now();
      const session = await startServerSession({ serverPath: join(repoRoot, 'dist', 'server.js'), workspaceFolder: folder, timeoutMs: 20000 });
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

/** Finds "Plumbline activation time: X ms" in logs under test-artifacts (the VS Code test tier prints it). */
export function activationFigure(): Figure {
  const pattern = /Plumbline activation time: ([\d.]+) ms/;
  const visit = (dir: string): number[] => {
    if (!existsSync(dir)) return [];
    return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
      const full = join(dir, entry.name);
      if (entry.isDirectory()) return visit(full);
      if (!/\.(log|txt)$/.test(entry.name)) return [];
      const match = pattern.exec(readFileSync(full, 'utf8'));
      return match?.[1] !== undefined ? [Number(match[1])] : [];
    });
  };
  const found = visit(join(repoRoot, 'test-artifacts'));
  if (found.length === 0) {
    return notMeasured('vscode.activation', 'Extension activation (VS Code)', 'ms', 300, 'max', 'not measured here: no VS Code test log with "Plumbline activation time" under test-artifacts/ (npm run test:vscode prints it)');
  }
  return measured({ id: 'vscode.activation', name: 'Extension activation (VS Code, from test logs)', unit: 'ms', target: 300, comparison: 'max', samples: found, note: 'read from test-artifacts logs, not measured by this run' });
}
