// Myers' O(ND) difference algorithm in its linear-space form (find the middle of the optimal path,
// split there, recurse), after Myers 1986 and the bisect of Neil Fraser's diff-match-patch. Linear
// space matters: the greedy form keeps one vector per edit and runs out of memory on big rewrites.

/** Which elements of `a` are removed and which of `b` are added in one shortest edit script. */
export interface EditMarks {
  readonly removed: Uint8Array;
  readonly added: Uint8Array;
}

/**
 * Diagonal steps allowed for one diff (roughly 0.1–0.2 s). Near-total rewrites of big files cost O(N²);
 * past the budget the remaining ranges are marked as replaced wholesale: still a correct diff, just
 * not a minimal one, and the agent never stalls on a diff.
 */
const defaultBudget = 10_000_000;

interface Work {
  readonly marks: EditMarks;
  budget: number;
}

/** Compares sequences of interned ids (equal lines ⇔ equal numbers). */
export function myersMarks(a: Int32Array, b: Int32Array, budget = defaultBudget): EditMarks {
  const work: Work = { marks: { removed: new Uint8Array(a.length), added: new Uint8Array(b.length) }, budget };
  compare(a, 0, a.length, b, 0, b.length, work);
  return work.marks;
}

function compare(a: Int32Array, aLo: number, aHi: number, b: Int32Array, bLo: number, bHi: number, work: Work): void {
  const marks = work.marks;
  // Common prefix and suffix cost nothing and shrink the search to where the changes are.
  while (aLo < aHi && bLo < bHi && a[aLo] === b[bLo]) {
    aLo++;
    bLo++;
  }
  while (aLo < aHi && bLo < bHi && a[aHi - 1] === b[bHi - 1]) {
    aHi--;
    bHi--;
  }
  if (aLo === aHi || bLo === bHi) {
    marks.added.fill(1, bLo, bHi);
    marks.removed.fill(1, aLo, aHi);
    return;
  }
  const split = bisect(a, aLo, aHi, b, bLo, bHi, work);
  // No split, or one that would not shrink the problem: mark the whole range as replaced (still correct).
  if (split === undefined || (split.x === aLo && split.y === bLo) || (split.x === aHi && split.y === bHi)) {
    marks.added.fill(1, bLo, bHi);
    marks.removed.fill(1, aLo, aHi);
    return;
  }
  compare(a, aLo, split.x, b, bLo, split.y, work);
  compare(a, split.x, aHi, b, split.y, bHi, work);
}

/** A point (absolute indexes) on a shortest edit path, found by searching from both ends at once. */
function bisect(a: Int32Array, aLo: number, aHi: number, b: Int32Array, bLo: number, bHi: number, work: Work): { x: number; y: number } | undefined {
  const n = aHi - aLo;
  const m = bHi - bLo;
  const maxD = Math.ceil((n + m) / 2);
  const offset = maxD;
  const size = 2 * maxD + 2;
  // vf[k]: furthest x on diagonal k (x - y = k) going forward; vb: the same going backward from the end.
  const vf = new Int32Array(size).fill(-1);
  const vb = new Int32Array(size).fill(-1);
  vf[offset + 1] = 0;
  vb[offset + 1] = 0;
  const delta = n - m;
  // With an odd delta the paths can only meet on a forward step, with an even one on a backward step.
  const front = delta % 2 !== 0;
  let kfStart = 0;
  let kfEnd = 0;
  let kbStart = 0;
  let kbEnd = 0;
  const at = (v: Int32Array, i: number): number => v[i] ?? -1;

  for (let d = 0; d < maxD; d++) {
    work.budget -= 2 * d + 2;
    if (work.budget < 0) return undefined;
    for (let k = -d + kfStart; k <= d - kfEnd; k += 2) {
      const i = offset + k;
      let x = k === -d || (k !== d && at(vf, i - 1) < at(vf, i + 1)) ? at(vf, i + 1) : at(vf, i - 1) + 1;
      let y = x - k;
      while (x < n && y < m && a[aLo + x] === b[bLo + y]) {
        x++;
        y++;
      }
      vf[i] = x;
      if (x > n) kfEnd += 2; // ran off the right edge: stop exploring those diagonals
      else if (y > m) kfStart += 2; // ran off the bottom edge
      else if (front) {
        const j = offset + delta - k;
        if (j >= 0 && j < size && at(vb, j) !== -1 && x >= n - at(vb, j)) return { x: aLo + x, y: bLo + y };
      }
    }
    for (let k = -d + kbStart; k <= d - kbEnd; k += 2) {
      const i = offset + k;
      let x = k === -d || (k !== d && at(vb, i - 1) < at(vb, i + 1)) ? at(vb, i + 1) : at(vb, i - 1) + 1;
      let y = x - k;
      while (x < n && y < m && a[aHi - 1 - x] === b[bHi - 1 - y]) {
        x++;
        y++;
      }
      vb[i] = x;
      if (x > n) kbEnd += 2;
      else if (y > m) kbStart += 2;
      else if (!front) {
        const j = offset + delta - k;
        if (j >= 0 && j < size && at(vf, j) !== -1) {
          const fx = at(vf, j);
          const fy = fx - (j - offset);
          if (fx >= n - x) return { x: aLo + fx, y: bLo + fy };
        }
      }
    }
  }
  return undefined;
}
