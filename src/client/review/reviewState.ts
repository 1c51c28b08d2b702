import type { FileChange, ReviewDecisions } from '../../protocol/run';

/**
 * The decisions of one review, per hunk. A file without hunks (binary content) is one unit, hunk 0,
 * decided as a whole. Undecided hunks count as rejected in the result. No vscode here.
 */
export type HunkStatus = 'pending' | 'accepted' | 'rejected';

export interface Tally {
  readonly accepted: number;
  readonly rejected: number;
  readonly pending: number;
  readonly total: number;
}

export class ReviewState {
  private readonly statuses = new Map<string, HunkStatus[]>();

  constructor(files: readonly FileChange[]) {
    for (const file of files) {
      const units = Math.max(1, file.hunks.length, ...file.hunks.map((hunk) => hunk.index + 1));
      this.statuses.set(file.path, new Array<HunkStatus>(units).fill('pending'));
    }
  }

  get paths(): readonly string[] {
    return [...this.statuses.keys()];
  }

  status(path: string, hunk: number): HunkStatus | undefined {
    return this.statuses.get(path)?.[hunk];
  }

  /** False when the file or hunk is not part of this review. */
  decideHunk(path: string, hunk: number, status: HunkStatus): boolean {
    const statuses = this.statuses.get(path);
    if (statuses === undefined || hunk < 0 || hunk >= statuses.length) return false;
    statuses[hunk] = status;
    return true;
  }

  decideFile(path: string, status: HunkStatus): boolean {
    const statuses = this.statuses.get(path);
    if (statuses === undefined) return false;
    statuses.fill(status);
    return true;
  }

  /**
   * Accept All / Reject All: decides every hunk still undecided. A hunk or file the user has already
   * decided keeps that decision (Accept All after Reject File must not land the rejected file).
   * Returns how many hunks it decided.
   */
  decideAll(status: HunkStatus): number {
    let decided = 0;
    for (const statuses of this.statuses.values()) {
      statuses.forEach((current, index) => {
        if (current !== 'pending') return;
        statuses[index] = status;
        decided += 1;
      });
    }
    return decided;
  }

  tally(path?: string): Tally {
    const all = path === undefined ? [...this.statuses.values()].flat() : (this.statuses.get(path) ?? []);
    const count = (status: HunkStatus): number => all.filter((entry) => entry === status).length;
    return { accepted: count('accepted'), rejected: count('rejected'), pending: count('pending'), total: all.length };
  }

  isComplete(): boolean {
    return this.tally().pending === 0;
  }

  /** Per file, the accepted hunks (`all` when every one is); files with none accepted are left out. */
  decisions(): ReviewDecisions {
    const decisions: ReviewDecisions['decisions'] = [];
    for (const [path, statuses] of this.statuses) {
      const accepted = statuses.flatMap((status, index) => (status === 'accepted' ? [index] : []));
      if (accepted.length === 0) continue;
      decisions.push({ path, hunks: accepted.length === statuses.length ? 'all' : accepted });
    }
    return { decisions };
  }
}
