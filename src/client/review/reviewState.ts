import type { FileChange, ReviewDecisions } from '../../protocol/run';

/**
 * The decisions of one review, per hunk id (the change set's). A file without hunks (binary content)
 * is one unit, named by its path, decided as a whole. Undecided hunks count as rejected in the
 * result. No vscode here.
 */
export type HunkStatus = 'pending' | 'accepted' | 'rejected';

export interface Tally {
  readonly accepted: number;
  readonly rejected: number;
  readonly pending: number;
  readonly total: number;
}

/** The units a file is decided in: its hunks' ids, or its path when it is reviewed as a whole. */
export function unitsOf(file: Pick<FileChange, 'path' | 'hunks'>): string[] {
  return file.hunks.length === 0 ? [file.path] : file.hunks.map((hunk) => hunk.id);
}

export class ReviewState {
  private readonly statuses = new Map<string, Map<string, HunkStatus>>();

  constructor(files: readonly FileChange[]) {
    for (const file of files) this.statuses.set(file.path, new Map(unitsOf(file).map((unit) => [unit, 'pending'])));
  }

  get paths(): readonly string[] {
    return [...this.statuses.keys()];
  }

  status(path: string, unit: string): HunkStatus | undefined {
    return this.statuses.get(path)?.get(unit);
  }

  /** False when the file or hunk is not part of this review. */
  decideHunk(path: string, unit: string, status: HunkStatus): boolean {
    const statuses = this.statuses.get(path);
    if (statuses?.has(unit) !== true) return false;
    statuses.set(unit, status);
    return true;
  }

  decideFile(path: string, status: HunkStatus): boolean {
    const statuses = this.statuses.get(path);
    if (statuses === undefined) return false;
    for (const unit of statuses.keys()) statuses.set(unit, status);
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
      for (const [unit, current] of statuses) {
        if (current !== 'pending') continue;
        statuses.set(unit, status);
        decided += 1;
      }
    }
    return decided;
  }

  tally(path?: string): Tally {
    const maps = path === undefined ? [...this.statuses.values()] : [this.statuses.get(path) ?? new Map<string, HunkStatus>()];
    const all = maps.flatMap((statuses) => [...statuses.values()]);
    const count = (status: HunkStatus): number => all.filter((entry) => entry === status).length;
    return { accepted: count('accepted'), rejected: count('rejected'), pending: count('pending'), total: all.length };
  }

  isComplete(): boolean {
    return this.tally().pending === 0;
  }

  /** Per file, the accepted hunk ids (`all` when every unit is); files with none accepted are left out. */
  decisions(): ReviewDecisions {
    const decisions: ReviewDecisions['decisions'] = [];
    for (const [path, statuses] of this.statuses) {
      const accepted = [...statuses].flatMap(([unit, status]) => (status === 'accepted' ? [unit] : []));
      if (accepted.length === 0) continue;
      decisions.push({ path, hunks: accepted.length === statuses.size ? 'all' : accepted });
    }
    return { decisions };
  }
}
