/**
 * The figures that need the real VS Code (7b, 9b): runs the opt-in bench suite
 * (test/vscode/bench/, PLUMBLINE_VSCODE_SUITE=bench) in code-server + headless Chromium through
 * test/vscode/runInVsCodeWeb.mjs and turns its samples into figures.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from './repo';
import { measured, median, notMeasured, type Figure } from './stats';

export const vscodeFigureIds = ['plan.toScreenWebview', 'review.inline1000', 'review.inline1000CodeLens'] as const;

const names: Record<(typeof vscodeFigureIds)[number], string> = {
  'plan.toScreenWebview': 'submit_plan response complete → first plan step in the sidebar webview DOM',
  'review.inline1000': 'Inline review of a 1,000-line change: request → proposal shown and decorated (DOM)',
  'review.inline1000CodeLens': 'Inline review of a 1,000-line change: request → first CodeLens (DOM)',
};

const targets: Record<(typeof vscodeFigureIds)[number], number> = { 'plan.toScreenWebview': 100, 'review.inline1000': 200, 'review.inline1000CodeLens': 200 };

const howToMeasure = 'needs the VS Code harness (code-server + Chromium): npm run bench:vscode, or npm run bench -- --vscode';

/** The rows as "not measured", saying how to get them. */
export function vscodeNotMeasured(reason = howToMeasure): Figure[] {
  return vscodeFigureIds.map((id) => notMeasured(id, names[id], 'ms', targets[id], 'max', `not measured: ${reason}`));
}

interface PlanSample {
  readonly fromComplete: number;
  readonly fromFirstByte: number;
  readonly toFrame: number;
  readonly streamMs: number;
}

interface ReviewSample {
  readonly decorated: number;
  readonly decoratedFrame: number;
  readonly parse: number;
  /** null when the extension host did not see it (JSON has no NaN). */
  readonly editorShown: number | null;
  readonly text: number;
  readonly overlay: number;
  readonly inline: number;
  readonly codeLens: number;
  /** The same text as an untitled document, shown and given one whole-line decoration type. */
  readonly floor: number;
  /** The same, painted with the review's own decorations (HunkDecorations). */
  readonly floorReviewDecorations: number;
}

interface BenchOutput {
  readonly runs: number;
  readonly warmUps: number;
  readonly 'plan.toScreenWebview'?: PlanSample[];
  readonly 'review.inline1000'?: ReviewSample[];
}

const ms = (values: readonly (number | null)[]): string => `${median(values.filter((value): value is number => value !== null)).toFixed(0)} ms`;
const spread = (values: readonly number[]): string => `${Math.min(...values).toFixed(0)}–${Math.max(...values).toFixed(0)} ms`;

function figuresOf(output: BenchOutput): Figure[] {
  const runs = `${output.runs} runs after ${output.warmUps} warm-up`;
  const figures: Figure[] = [];
  const plan = output['plan.toScreenWebview'];
  if (plan !== undefined && plan.length > 0) {
    const samples = plan.map((sample) => sample.fromComplete);
    figures.push(measured({
      id: 'plan.toScreenWebview',
      name: names['plan.toScreenWebview'],
      unit: 'ms',
      target: targets['plan.toScreenWebview'],
      comparison: 'max',
      samples,
      note: `fake server's completedAt of the orchestrator's submit_plan response (as plan.toScreen) → MutationObserver in the sidebar webview frame sees the first li.step (Date.now() in the browser); range ${spread(samples)}; the next animation frame after it: median ${ms(plan.map((sample) => sample.toFrame))}; from the response's first byte: ${ms(plan.map((sample) => sample.fromFirstByte))} (of which streaming the tool call at 2,000 tokens/s: ${ms(plan.map((sample) => sample.streamMs))}); ${runs}`,
    }));
  }
  const review = output['review.inline1000'];
  if (review !== undefined && review.length > 0) {
    const samples = review.map((sample) => sample.decorated);
    figures.push(measured({
      id: 'review.inline1000',
      name: names['review.inline1000'],
      unit: 'ms',
      target: targets['review.inline1000'],
      comparison: 'max',
      samples,
      note: `2,000-line file, 100 hunks × 10 replaced lines; from the plumbline/review params in the extension host (zod parse as RunController does, median ${ms(review.map((sample) => sample.parse))}) → the last of: proposal text in a .view-line (${ms(review.map((sample) => sample.text))}), whole-line decorations in .view-overlays (${ms(review.map((sample) => sample.overlay))}), removed-line decorations in the line (${ms(review.map((sample) => sample.inline))}), seen by a MutationObserver in the workbench; range ${spread(samples)}; next animation frame: ${ms(review.map((sample) => sample.decoratedFrame))}; cursor on the first change (extension host): ${ms(review.map((sample) => sample.editorShown))}. VS Code's floor in the same runs: the same text as an untitled document shown and given one decoration type ${ms(review.map((sample) => sample.floor))}, or the review's decorations ${ms(review.map((sample) => sample.floorReviewDecorations))}; ${runs}`,
    }));
    const lenses = review.map((sample) => sample.codeLens);
    figures.push(measured({
      id: 'review.inline1000CodeLens',
      name: names['review.inline1000CodeLens'],
      unit: 'ms',
      target: targets['review.inline1000CodeLens'],
      comparison: 'max',
      samples: lenses,
      note: `same runs, to the first .codelens-decoration link; range ${spread(lenses)}. VS Code asks CodeLens providers no sooner than its CodeLens debounce after an editor gets a model (min 250 ms, editor.contrib codelensController), so this cannot reach 200 ms whatever the provider does`,
    }));
  }
  return figures;
}

/** Builds the test bundles and runs the bench suite in VS Code; the figures, or why they are missing. */
export function vscodeFigures(runs: number): Figure[] {
  const build = spawnSync(process.execPath, ['esbuild.mjs', '--tests'], { cwd: repoRoot, stdio: ['ignore', 'inherit', 'inherit'] });
  if (build.status !== 0) throw new Error('node esbuild.mjs --tests failed');
  const folder = mkdtempSync(join(tmpdir(), 'plumbline-bench-vscode-'));
  const out = join(folder, 'bench.json');
  try {
    const harness = spawnSync(process.execPath, [join('test', 'vscode', 'runInVsCodeWeb.mjs')], {
      cwd: repoRoot,
      // The harness's output (mocha's) goes to stderr: stdout stays the table.
      stdio: ['ignore', process.stderr, process.stderr],
      env: { ...process.env, PLUMBLINE_VSCODE_SUITE: 'bench', PLUMBLINE_BENCH_RUNS: String(runs), PLUMBLINE_BENCH_OUT: out },
      timeout: 900_000,
    });
    let output: BenchOutput;
    try {
      output = JSON.parse(readFileSync(out, 'utf8')) as BenchOutput;
    } catch {
      throw new Error(`the VS Code bench suite wrote no results (harness exit ${harness.status ?? harness.signal ?? '?'})`);
    }
    const figures = figuresOf(output);
    const missing = vscodeFigureIds.filter((id) => !figures.some((figure) => figure.id === id));
    return [...figures, ...vscodeNotMeasured(`the VS Code bench suite failed (harness exit ${harness.status ?? harness.signal ?? '?'})`).filter((figure) => missing.includes(figure.id as (typeof vscodeFigureIds)[number]))];
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}
