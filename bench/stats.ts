/** Small shared helpers: timing, medians and the shape of one benchmark figure. */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** Epoch milliseconds with sub-millisecond precision (the fake model server records the same clock). */
export function now(): number {
  return performance.timeOrigin + performance.now();
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] ?? Number.NaN) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

export type Comparison = 'max' | 'min';

/** One row of the table: a measured figure (median of `samples`) against its target. */
export interface Figure {
  readonly id: string;
  readonly name: string;
  readonly unit: string;
  /** null: not measured (see `note`). */
  readonly value: number | null;
  readonly target: number;
  /** `max`: the value must not exceed the target; `min`: it must reach it. */
  readonly comparison: Comparison;
  readonly samples: readonly number[];
  readonly note: string;
  /** An alternative target that was met (e.g. a relative bound beside an absolute one). */
  readonly alsoPassIf?: boolean;
  /** Figures taken with it, machine-readable (the real-repository runs: waves, share of time in tests). */
  readonly details?: Readonly<Record<string, number | string>>;
}

export type Mark = 'pass' | 'MISS' | 'not measured';

export function markOf(figure: Figure): Mark {
  if (figure.value === null || Number.isNaN(figure.value)) return 'not measured';
  if (figure.alsoPassIf === true) return 'pass';
  return (figure.comparison === 'max' ? figure.value <= figure.target : figure.value >= figure.target) ? 'pass' : 'MISS';
}

export function measured(base: Omit<Figure, 'value'>): Figure {
  return { ...base, value: base.samples.length === 0 ? null : median(base.samples) };
}

export function notMeasured(id: string, name: string, unit: string, target: number, comparison: Comparison, note: string): Figure {
  return { id, name, unit, value: null, target, comparison, samples: [], note };
}

/** Total bytes of the files under a folder. */
export function folderBytes(path: string): number {
  let total = 0;
  for (const entry of readdirSync(path, { withFileTypes: true })) {
    const full = join(path, entry.name);
    total += entry.isDirectory() ? folderBytes(full) : statSync(full).size;
  }
  return total;
}

/** Length of the union of [start, end] intervals (model time when requests overlap). */
export function unionLength(intervals: readonly (readonly [number, number])[]): number {
  const sorted = [...intervals].sort((a, b) => a[0] - b[0]);
  let total = 0;
  let curStart = Number.NEGATIVE_INFINITY;
  let curEnd = Number.NEGATIVE_INFINITY;
  for (const [start, end] of sorted) {
    if (start > curEnd) {
      if (curEnd > curStart) total += curEnd - curStart;
      curStart = start;
      curEnd = end;
    } else curEnd = Math.max(curEnd, end);
  }
  if (curEnd > curStart) total += curEnd - curStart;
  return total;
}
