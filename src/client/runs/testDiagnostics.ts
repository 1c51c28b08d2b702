import { existsSync } from 'node:fs';
import * as vscode from 'vscode';
import type { TestEvidence } from '../../protocol/testEvidence';
import type { RunController, RunView } from './runController';
import { mapTestLocation } from './testLocations';

export const testDiagnosticSource = 'Plumbline tests';

/**
 * Failing tests in the Problems panel: the locations of the latest failed verification of the run
 * (or of "Fix Failing Tests"' test run), mapped from the isolated copy to the workspace folder.
 * A passing verification of the same run clears them, and so does the start of a new run.
 */
export class TestDiagnostics implements vscode.Disposable {
  private readonly collection = vscode.languages.createDiagnosticCollection('plumbline');
  private readonly subscription: vscode.Disposable;
  private runId: string | undefined;
  private seen = 0;
  /** Set by `showBeforeRun`: the next run is the one fixing what is shown, so its start keeps it. */
  private keepForNextRun = false;

  constructor(runs: RunController) {
    this.subscription = runs.onDidChange((view) => this.follow(view));
  }

  /** What the collection holds now, for tests and the status report. */
  get entries(): [vscode.Uri, readonly vscode.Diagnostic[]][] {
    const entries: [vscode.Uri, readonly vscode.Diagnostic[]][] = [];
    this.collection.forEach((uri, diagnostics) => entries.push([uri, diagnostics]));
    return entries;
  }

  /** Shows the failures of `evidence` (replacing what was shown); a pass clears them. */
  show(evidence: TestEvidence): void {
    this.collection.clear();
    if (evidence.verdict === 'passed') return;
    const root = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    if (root === undefined) return;
    const byFile = new Map<string, vscode.Diagnostic[]>();
    for (const location of evidence.locations) {
      const file = mapTestLocation(location.file, root, existsSync);
      if (file === undefined) continue;
      const line = Math.max(0, (location.line ?? 1) - 1);
      const message = `${location.name}${location.message !== undefined ? `: ${location.message}` : ' failed'}`;
      const diagnostic = new vscode.Diagnostic(new vscode.Range(line, 0, line, Number.MAX_SAFE_INTEGER), message, vscode.DiagnosticSeverity.Error);
      diagnostic.source = testDiagnosticSource;
      if (evidence.command !== null) diagnostic.code = evidence.command;
      byFile.set(file, [...(byFile.get(file) ?? []), diagnostic]);
    }
    for (const [file, diagnostics] of byFile) this.collection.set(vscode.Uri.file(file), diagnostics);
  }

  /** Shows failures a run is about to fix ("Fix Failing Tests"): they stay until that run's verifications say otherwise. */
  showBeforeRun(evidence: TestEvidence): void {
    this.show(evidence);
    this.keepForNextRun = true;
  }

  clear(): void {
    this.keepForNextRun = false;
    this.collection.clear();
  }

  dispose(): void {
    this.subscription.dispose();
    this.collection.dispose();
  }

  private follow(view: RunView): void {
    if (view.runId !== this.runId) {
      // A new run: what an earlier run (or a test run) reported is stale.
      this.runId = view.runId;
      this.seen = 0;
      if (!this.keepForNextRun) this.collection.clear();
      this.keepForNextRun = false;
    }
    if (view.evidence.length <= this.seen) return;
    this.seen = view.evidence.length;
    const latest = view.evidence[view.evidence.length - 1];
    if (latest !== undefined) this.show(latest);
  }
}
