/**
 * `npm run bench`: Plumbline's performance figures against their targets. Benchmarks, not tests:
 * a miss is reported, never fatal. Writes bench/results.json. BENCH_RUNS sets repetitions (default 3).
 *   --vscode       also the figures that need the real VS Code (code-server + Chromium, bench/vscode.ts)
 *   --vscode-only  only those (npm run bench:vscode), merged into the existing bench/results.json
 *   --only WORD    only the groups whose label holds WORD (e.g. "real", "startup"); the others keep their last figures
 * Without either, the VS Code figures of the last --vscode run are carried over (with when they were taken).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { editsFigure } from './edits';
import { sandboxFigure } from './sandbox';
import { fanoutFigures } from './fanout';
import { greeterFigures } from './greeter';
import { memoryFigure } from './memory';
import { repoRoot } from './repo';
import { activationFigure } from './activation';
import { serverStartFigure, vsixFigure } from './startup';
import { firstRequestFigure } from './firstRequest';
import { realRepoFigureIds, realRepoFigures } from './realRepos';
import { markOf, notMeasured, type Figure } from './stats';
import { vscodeFigureIds, vscodeFigures, vscodeNotMeasured } from './vscode';

const runs = Math.max(1, Number(process.env.BENCH_RUNS ?? '3') || 3);
/** Each real-repository run takes a minute or more on a loaded machine: one unless BENCH_REAL_RUNS says more. */
const realRuns = Math.max(1, Number(process.env.BENCH_REAL_RUNS ?? '1') || 1);
const vscodeMode = process.argv.includes('--vscode-only') ? 'only' : process.argv.includes('--vscode') ? 'also' : 'carry';
const resultsPath = join(repoRoot, 'bench', 'results.json');

/** A figure as bench/results.json stores it; VS Code figures also say when they were taken. */
type StoredFigure = Figure & { readonly result?: string; readonly measuredAt?: string; readonly loadAverage?: readonly number[] };

function previousFigures(): StoredFigure[] {
  try {
    return (JSON.parse(readFileSync(resultsPath, 'utf8')) as { figures?: StoredFigure[] }).figures ?? [];
  } catch {
    return [];
  }
}

const isVscodeFigure = (figure: Figure): boolean => (vscodeFigureIds as readonly string[]).includes(figure.id);

/** The VS Code figures of an earlier run, where there are some; else rows saying how to take them. */
function carriedVscodeFigures(): StoredFigure[] {
  const earlier = previousFigures().filter((figure) => isVscodeFigure(figure) && figure.value !== null && figure.measuredAt !== undefined);
  return vscodeNotMeasured().map((missing) => {
    const found = earlier.find((figure) => figure.id === missing.id);
    if (found === undefined) return missing;
    const { result: _result, ...figure } = found;
    return { ...figure, note: figure.note.startsWith('carried over') ? figure.note : `carried over from npm run bench:vscode at ${figure.measuredAt ?? '?'}: ${figure.note}` };
  });
}

function ensureBuilt(): void {
  if (['cli.js', 'server.js'].every((file) => existsSync(join(repoRoot, 'dist', file)))) return;
  process.stderr.write('dist/ is missing: building (node esbuild.mjs)…\n');
  const result = spawnSync(process.execPath, ['esbuild.mjs'], { cwd: repoRoot, stdio: 'inherit' });
  if (result.status !== 0) throw new Error('the build failed');
}

/** `--only WORD`: only the groups whose label holds WORD are measured; the others keep their last figures. */
const onlyIndex = process.argv.indexOf('--only');
const only = onlyIndex >= 0 ? process.argv[onlyIndex + 1] : undefined;

/** Runs one group; a failure becomes "not measured" rows instead of stopping the bench. */
async function group(label: string, ids: readonly string[], measure: () => Promise<Figure[]> | Figure[]): Promise<Figure[]> {
  if (only !== undefined && !label.includes(only)) {
    const earlier = previousFigures();
    return ids.map((id) => earlier.find((figure) => figure.id === id) ?? notMeasured(id, label, '', 0, 'max', `not measured (npm run bench -- --only ${only})`));
  }
  process.stderr.write(`bench: ${label}…\n`);
  try {
    const measured = await measure();
    // A group may measure only some of its figures (BENCH_REAL_ONLY): the others keep their last values.
    const earlier = previousFigures();
    const kept = ids.filter((id) => !measured.some((figure) => figure.id === id)).flatMap((id) => earlier.filter((figure) => figure.id === id));
    return [...measured, ...kept].sort((one, other) => ids.indexOf(one.id) - ids.indexOf(other.id));
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`bench: ${label} failed: ${message}\n`);
    return ids.map((id) => notMeasured(id, label, '', 0, 'max', `not measured: ${message.slice(0, 200)}`));
  }
}

function format(value: number | null, unit: string): string {
  if (value === null || Number.isNaN(value)) return '—';
  const digits = unit === '%' ? 2 : unit === '×' || unit === 'MB' ? 2 : Math.abs(value) < 10 ? 2 : 0;
  return `${value.toFixed(digits)} ${unit}`.trim();
}

function table(figures: readonly Figure[]): string {
  const rows = figures.map((figure) => [
    figure.name,
    format(figure.value, figure.unit),
    `${figure.comparison === 'max' ? '≤' : '≥'} ${format(figure.target, figure.unit)}`,
    markOf(figure),
  ]);
  const header = ['Benchmark', 'Median', 'Target', 'Result'];
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)));
  const line = (cells: readonly string[]): string => `| ${cells.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join(' | ')} |`;
  return [line(header), line(widths.map((width) => '-'.repeat(width))), ...rows.map(line)].join('\n');
}

async function main(): Promise<void> {
  ensureBuilt();
  const started = Date.now();
  // Other work on the machine moves every timing: the load is recorded beside the figures.
  const loadAtStart = loadavg();
  const vscodeGroup = async (): Promise<StoredFigure[]> => {
    const taken = await group('VS Code (code-server + Chromium: plan in the webview, inline review)', vscodeFigureIds, () => vscodeFigures(Math.max(5, runs)));
    const measuredAt = new Date().toISOString();
    return taken.map((figure) => (figure.value === null ? figure : { ...figure, measuredAt, loadAverage: loadavg() }));
  };
  const figures: StoredFigure[] =
    vscodeMode === 'only'
      ? await vscodeGroup()
      : [
          ...(await group('greeter run (prompt, prefix reuse, overhead, verification, plan latency)', ['edits.outputTokens', 'prompt.orchestrator', 'prompt.worker', 'prefix.sameRole', 'prefix.crossWorker', 'overhead.perStep', 'verify.overhead', 'plan.toScreen'], () => greeterFigures(runs))),
          ...(await group('fan-out', ['fanout.p2', 'fanout.p4', 'fanout.p8', 'overhead.perStepNoTests'], () => fanoutFigures(runs))),
          ...(await group('server start', ['server.ready'], async () => [await serverStartFigure(Math.max(5, runs))])),
          ...(await group('startup (plumbline run → first model request)', ['startup.toFirstRequest'], async () => [await firstRequestFigure(Math.max(15, 5 * runs))])),
          ...(await group('VSIX and activation', ['vsix.size', 'vscode.activation'], async () => [vsixFigure(), await activationFigure(Math.max(5, runs))])),
          ...(await group('edits', ['edits.apply'], () => [editsFigure(Math.max(10, runs))])),
          ...(await group('sandbox', ['sandbox.perRun'], async () => [await sandboxFigure(runs)])),
          ...(await group('real repositories (scripted refactors of vendored projects)', realRepoFigureIds, () => realRepoFigures(realRuns))),
          ...(await group('memory', ['memory.heap'], async () => [await memoryFigure()])),
          ...(await group('reviewer', ['review.tokensPerStep', 'review.msPerStep'], async () => (await import('./review')).reviewFigures(runs))),
          ...(vscodeMode === 'also' ? await vscodeGroup() : carriedVscodeFigures()),
        ];
  process.stdout.write(`${table(figures)}\n\n${cpus().length} cores, node ${process.version}, load average ${loadAtStart.map((load) => load.toFixed(1)).join(' ')} at the start\n\nNotes:\n${figures.map((figure) => `- ${figure.name}: ${figure.note}`).join('\n')}\n`);
  if (vscodeMode === 'carry') process.stdout.write('\nThe webview and inline-review figures need the VS Code harness (code-server + Chromium): npm run bench:vscode takes them alone, npm run bench -- --vscode with the rest.\n');
  // --vscode-only: the other figures stay as the last full run left them.
  const earlier = previousFigures();
  const merged: StoredFigure[] = vscodeMode === 'only' ? [...earlier.filter((figure) => !isVscodeFigure(figure)), ...figures] : figures;
  const previous = vscodeMode === 'only' && existsSync(resultsPath) ? (JSON.parse(readFileSync(resultsPath, 'utf8')) as Record<string, unknown>) : {};
  const results = {
    ...previous,
    ...(vscodeMode === 'only'
      ? { vscodeGeneratedAt: new Date().toISOString() }
      : {
          generatedAt: new Date().toISOString(),
          node: process.version,
          platform: `${process.platform} ${process.arch}, ${cpus().length} CPUs`,
          machine: { cores: cpus().length, cpu: cpus()[0]?.model ?? 'unknown', node: process.version, platform: process.platform, arch: process.arch, loadAverageAtStart: loadAtStart, loadAverageAtEnd: loadavg() },
          runs,
          durationSeconds: (Date.now() - started) / 1000,
        }),
    figures: merged.map((figure) => ({ ...figure, result: markOf(figure) })),
  };
  writeFileSync(resultsPath, `${JSON.stringify(results, null, 2)}\n`);
  process.stdout.write(`\n${vscodeMode === 'only' ? 'Merged the VS Code figures into' : 'Wrote'} bench/results.json (${((Date.now() - started) / 1000).toFixed(0)} s).\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
