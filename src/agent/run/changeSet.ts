import type { ChangedFile, FileChange } from '../../protocol/run';
import { identifyHunks } from '../review/hunkIds';
import { reviewCodec, type ReviewCodec } from '../review/reviewCodec';
import type { ProposedFile } from '../review/selectHunks';
import { protectedChangeReason } from '../workspace/protectedPaths';
import type { StagedChange } from '../workspace/stagedWorkspace';
import { describeSteering, describeStepSteering, steeringInChanges, type SteeringFinding } from '../verify/verdictSteering';

/**
 * One file of a change set: the staged bytes and the decoded base that landing needs, and `file`,
 * what the review and every client see (texts, hunks with ids). `hunks` and `file.hunks` are the
 * same array: the review's decisions name these ids and landing applies these hunks.
 */
export interface ChangeSetFile extends ProposedFile {
  readonly kind: StagedChange['kind'];
  readonly file: FileChange;
}

/**
 * Computes a review's change set once: each side of each file decoded once, diffed once into hunks
 * with stable ids. The `changes` event, the review request, the clients and landing all use it.
 */
export function computeChangeSet(changes: readonly StagedChange[], stepsByFile: ReadonlyMap<string, readonly string[]>, codec: ReviewCodec = reviewCodec): ChangeSetFile[] {
  // Judged over the whole change set, so code moved from one file to another is not new.
  const steeringFound = steeringInChanges(changes);
  // A step whose change can steer its tests proved nothing with its green run, so none of its files
  // lands unasked: the broken code usually sits beside the weakened test, not in it.
  const steeredSteps = new Map<string, SteeringFinding>();
  for (const finding of steeringFound) for (const stepId of stepsByFile.get(finding.path) ?? []) if (!steeredSteps.has(stepId)) steeredSteps.set(stepId, finding);
  return changes.map((change) => {
    const before = change.before === undefined ? undefined : codec.decode(change.before);
    const after = change.after === undefined ? undefined : codec.decode(change.after);
    const beforeText = before?.kind === 'text' ? before.text : null;
    const afterText = after?.kind === 'text' ? after.text : null;
    // Binary content has no lines to show: it is reviewed as a whole.
    const text = before?.kind !== 'unsupported' && after?.kind !== 'unsupported';
    const hunks = text ? identifyHunks(change.path, codec.diff(beforeText ?? '', afterText ?? '')) : [];
    // Binary content of a package.json counts as unparseable, hence protected: pass '' for it.
    // So does a file that can steer its own test results (verdictSteering.ts): its green run proved nothing.
    const steering = steeringFound.filter((finding) => finding.path === change.path);
    const fromStep = (stepsByFile.get(change.path) ?? []).map((stepId) => steeredSteps.get(stepId)).find((finding) => finding !== undefined);
    const reason =
      protectedChangeReason(change.path, change.before === undefined ? null : (beforeText ?? ''), change.after === undefined ? null : (afterText ?? '')) ??
      (steering.length > 0 ? describeSteering(steering) : fromStep !== undefined ? describeStepSteering(fromStep) : undefined);
    const file: FileChange = {
      path: change.path,
      kind: change.kind,
      hunks,
      beforeText,
      afterText,
      stepIds: [...(stepsByFile.get(change.path) ?? [])],
      ...(reason !== undefined ? { protectedReason: reason } : {}),
    };
    return { path: change.path, kind: change.kind, before: change.before, after: change.after, hunks, base: before?.kind === 'text' ? before : undefined, file };
  });
}

/** What a reviewer reads about staged changes (the change set's `file`s). */
export function describeChanges(changes: readonly StagedChange[], stepsByFile: ReadonlyMap<string, readonly string[]>): FileChange[] {
  return computeChangeSet(changes, stepsByFile).map((entry) => entry.file);
}

/** A change set's file for the `changes` event: the same hunks and ids, without the full texts. */
export function changedFile(file: FileChange): ChangedFile {
  return { path: file.path, kind: file.kind, hunks: file.hunks, stepIds: file.stepIds, ...(file.protectedReason !== undefined ? { protectedReason: file.protectedReason } : {}) };
}
