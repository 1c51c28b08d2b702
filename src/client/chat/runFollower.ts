import * as vscode from 'vscode';
import type { RunController } from '../runs/runController';
import { stopOf, type RunSnapshot, type RunStop } from './chatProgress';

/** The run `runId` as the chat reads it; undefined when the controller's run is another one by now. */
export function snapshotOf(runs: RunController, runId: string): RunSnapshot | undefined {
  const view = runs.view;
  if (view?.runId !== runId) return undefined;
  return {
    runId,
    phase: view.phase,
    plan: view.plan,
    finished: view.finished,
    awaitingApproval: runs.pendingApproval?.runId === runId,
    reviewFiles: view.reviewFiles,
  };
}

/**
 * Calls `onSnapshot` with the run's state now and after each change, until the run stops for the
 * user (its plan waits, its review is open) or finishes; resolves with that stop. The token is the
 * caller's (the chat request's, the tool call's): cancelling it cancels the run, as the run's own
 * Cancel does. Resolves `undefined` when the run was replaced by another (no longer ours to follow).
 */
export function followRun(runs: RunController, runId: string, onSnapshot: (snapshot: RunSnapshot) => void, token: vscode.CancellationToken): Promise<RunStop | 'cancelled' | undefined> {
  return new Promise((resolve) => {
    let done = false;
    const finish = (outcome: RunStop | 'cancelled' | undefined): void => {
      if (done) return;
      done = true;
      subscription.dispose();
      cancellation.dispose();
      resolve(outcome);
    };
    const check = (): void => {
      if (done) return;
      const snapshot = snapshotOf(runs, runId);
      if (snapshot === undefined) {
        finish(undefined);
        return;
      }
      onSnapshot(snapshot);
      const stop = stopOf(snapshot);
      if (stop !== undefined) finish(stop);
    };
    const subscription = runs.onDidChange(check);
    const cancellation = token.onCancellationRequested(() => {
      if (runs.view?.runId === runId && runs.running) void runs.cancel();
      finish('cancelled');
    });
    if (token.isCancellationRequested) {
      if (runs.view?.runId === runId && runs.running) void runs.cancel();
      finish('cancelled');
      return;
    }
    check();
  });
}
