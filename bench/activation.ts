/**
 * Extension activation without VS Code: the production (minified) extension bundle is loaded in a
 * fresh Node process with a stand-in `vscode` module (bench/activateProbe.mjs) and activate() is
 * called. What VS Code calls activation time is the same two parts, "load code" and "call activate";
 * the stand-in's APIs do nothing, so VS Code's own work for each registration is not in it.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as esbuild from 'esbuild';
import { repoRoot } from './repo';
import { measured, median, type Figure } from './stats';

interface Probe {
  readonly loadMs: number;
  readonly activateMs: number;
  /** Loading dist/languageClient.js, which happens after activate() returns (null: no such bundle). */
  readonly deferredMs: number | null;
}

export async function activationFigure(runs: number): Promise<Figure> {
  const folder = mkdtempSync(join(tmpdir(), 'plumbline-bench-activation-'));
  try {
    const bundle = join(folder, 'dist', 'extension.js');
    const deferred = join(folder, 'dist', 'languageClient.js');
    const { version } = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string };
    // As `node esbuild.mjs --production` builds it for the VSIX.
    await esbuild.build({
      // The language client is its own bundle, required when the server first starts (after activate()).
      entryPoints: { extension: join(repoRoot, 'src', 'extension.ts'), languageClient: join(repoRoot, 'src', 'client', 'agentServer', 'languageClient.ts') },
      outdir: join(folder, 'dist'),
      bundle: true,
      minify: true,
      platform: 'node',
      target: 'node20',
      format: 'cjs',
      external: ['vscode'],
      define: { PLUMBLINE_VERSION: JSON.stringify(version) },
      logLevel: 'silent',
    });
    const probes: Probe[] = [];
    for (let i = 0; i < runs; i += 1) {
      const result = spawnSync(process.execPath, [join(repoRoot, 'bench', 'activateProbe.mjs'), bundle], { encoding: 'utf8', timeout: 30_000 });
      const line = result.stdout.trim().split('\n').at(-1) ?? '';
      if (result.status !== 0 || !line.startsWith('{')) throw new Error(`the activation probe failed: ${result.stderr.slice(-300)}`);
      probes.push(JSON.parse(line) as Probe);
    }
    const kb = statSync(bundle).size / 1024;
    const deferredKb = statSync(deferred).size / 1024;
    const deferredMs = median(probes.map((probe) => probe.deferredMs ?? 0));
    return measured({
      id: 'vscode.activation',
      name: 'Extension activation: load the bundle + activate() (stand-in vscode)',
      unit: 'ms',
      target: 50,
      comparison: 'max',
      samples: probes.map((probe) => probe.loadMs + probe.activateMs),
      note: `production bundle (${kb.toFixed(0)} KB, minified) in a fresh node per run: load median ${median(probes.map((probe) => probe.loadMs)).toFixed(1)} ms + activate() median ${median(probes.map((probe) => probe.activateMs)).toFixed(1)} ms; not counted: the language client bundle (${deferredKb.toFixed(0)} KB), required when the server first starts after activate() has returned, loads in a further ${deferredMs.toFixed(1)} ms (median); vscode APIs are no-op stand-ins (bench/activateProbe.mjs), so VS Code's own registration work is not included; the VS Code suite's "Plumbline activation time" (activate() only, real APIs) is printed by npm run test:vscode; ${runs} runs`,
    });
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}
