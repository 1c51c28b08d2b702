/**
 * Benchmarks that need the real VS Code (bench/README.md, 7b and 9b). Not part of the integration
 * suite: test/vscode/index.ts loads this folder only with PLUMBLINE_VSCODE_SUITE=bench, which
 * `npm run bench:vscode` (bench/vscode.ts) sets. Every time is Date.now() on this machine: the
 * extension host's, the fake model server's (converted) and the browser's (the driver's DOM marks).
 * Writes every sample to PLUMBLINE_BENCH_OUT (default test-artifacts/vscode/bench.json).
 */
import * as assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import * as vscode from 'vscode';
import { describeChanges } from '../../../src/agent/run/changeSet';
import { HunkDecorations } from '../../../src/client/review/hunkDecorations';
import { reviewDocument } from '../../../src/client/review/hunkLayout';
import { reviewRequest } from '../../../src/protocol/methods';
import type { ReviewDecisions } from '../../../src/protocol/run';
import { startFakeModelServer, type FakeModelServer, type ScenarioInput } from '../../fake-model/index';
import type { DomMark, Driver, MarkTarget } from '../support/driver';
import { driver } from '../support/driver';
import { clearFakeModelSettings, useFakeModel } from '../support/fakeModelSettings';
import { plumbline, waitFor, waitForPhase } from '../support/plumbline';

const repoRoot = join(__dirname, '..', '..', '..', '..');
const outFile = process.env.PLUMBLINE_BENCH_OUT ?? join(repoRoot, 'test-artifacts', 'vscode', 'bench.json');
const runs = Math.max(1, Number(process.env.PLUMBLINE_BENCH_RUNS ?? '5') || 5);
/** One unmeasured run first: the first plan and the first proposal editor pay for loading code. */
const warmUps = 1;

/** Every sample of every figure, written once at the end (and after each figure, in case a later one fails). */
const results: Record<string, unknown> = { runs, warmUps };
function save(): void {
  mkdirSync(dirname(outFile), { recursive: true });
  writeFileSync(outFile, `${JSON.stringify(results, null, 2)}\n`);
  console.log(`PLUMBLINE_BENCH ${JSON.stringify(results)}`);
}

/** The fake server's clock (performance.timeOrigin + performance.now()) as Date.now(). */
const wallOffset = (): number => Date.now() - (performance.timeOrigin + performance.now());

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A DOM mark, read after the measured work is over: asking the driver runs script in the page, so
 * polling while the workbench renders would slow down what is being measured.
 */
async function mark(page: Driver, target: MarkTarget, name: string, timeoutMs = 30000): Promise<DomMark> {
  return waitFor(`"${name}" in the ${target} DOM`, async () => {
    const found = await page.readMark(target, name);
    // Wait for the frame after it too (the driver polls every 100 ms, so it is there by then).
    return found !== null && found.frameAt !== null ? found : undefined;
  }, timeoutMs);
}

const round = (value: number): number => Math.round(value * 10) / 10;

describe('benchmarks in VS Code', function () {
  this.timeout(300000);

  describe('7b: first plan token → first plan line in the sidebar webview', () => {
    let server: FakeModelServer;

    /** An orchestrator that answers the task with a plan straight away; step ids unique per run. */
    const scenario = (run: number): ScenarioInput => ({
      name: `bench-plan-${run}`,
      onExhausted: 'error',
      latency: { ttftMs: 20, tokensPerSecond: 2000 },
      roles: {
        orchestrator: {
          match: { system: "Plumbline's orchestrator" },
          turns: [{
            content: [{
              tool: 'submit_plan',
              arguments: {
                summary: `Rename greet to welcome and farewell to goodbye (bench run ${run}).`,
                steps: [
                  { id: `r${run}-s1`, title: 'Rename greet to welcome', instructions: 'In src/greet.js rename greet to welcome.', files: ['src/greet.js'] },
                  { id: `r${run}-s2`, title: 'Rename farewell to goodbye', instructions: 'In src/farewell.js rename farewell to goodbye.', files: ['src/farewell.js'] },
                  { id: `r${run}-s3`, title: 'Update the tests', instructions: 'Use welcome and goodbye in test/greet.test.js.', files: ['test/greet.test.js'], depends_on: [`r${run}-s1`, `r${run}-s2`] },
                ],
              },
            }],
          }],
        },
      },
    });

    before(async () => {
      server = await startFakeModelServer({ scenario: scenario(0) });
      await useFakeModel(server, { approvalMode: 'step', reviewPlan: true });
    });

    after(async () => {
      await clearFakeModelSettings();
      await vscode.commands.executeCommand('notifications.clearAll');
      await server.close();
    });

    it('measures', async function () {
      const page = driver;
      if (page === undefined) return this.skip();
      const api = await plumbline();
      await waitForPhase(api, 'ready');
      await vscode.commands.executeCommand('workbench.view.extension.plumbline');
      await waitFor('the sidebar to show the ready server', async () => ((await page.query('#server-title')).text?.startsWith('Agent server ready') ? true : undefined));

      const samples: { fromComplete: number; fromFirstByte: number; toFrame: number; streamMs: number }[] = [];
      for (let run = 0; run < warmUps + runs; run += 1) {
        server.reset();
        server.setScenario(scenario(run));
        await page.watchMark('sidebar', 'plan', `#plan-steps li.step[data-step-id="r${run}-s1"]`);
        const runId = await api.runs.start(`Rename greet to welcome and farewell to goodbye (bench run ${run})`);
        await waitFor('the plan to wait for approval', () => (api.runs.pendingApproval?.runId === runId ? true : undefined), 60000);
        await sleep(500);
        const shown = await mark(page, 'sidebar', 'plan');
        assert.equal(shown.present, false, 'the plan step appeared after the watch started');
        const submit = server.requests().filter((request) => request.role === 'orchestrator').at(-1);
        assert.ok(submit?.completedAt != null && submit.firstByteAt != null, 'the fake server timed the submit_plan response');
        const offset = wallOffset();
        const completedAt = submit.completedAt + offset;
        const firstByteAt = submit.firstByteAt + offset;
        if (run >= warmUps) {
          samples.push({ fromComplete: round(shown.at - completedAt), fromFirstByte: round(shown.at - firstByteAt), toFrame: round((shown.frameAt ?? Number.NaN) - completedAt), streamMs: round(completedAt - firstByteAt) });
        }
        api.runs.answerApproval(runId, 'cancel');
        await api.runs.whenFinished();
        await vscode.commands.executeCommand('notifications.clearAll');
      }
      results['plan.toScreenWebview'] = samples;
      save();
      console.log(`plan.toScreenWebview samples (ms from submit_plan response complete): ${samples.map((sample) => sample.fromComplete).join(', ')}`);
    });
  });

  describe('9b: a 1,000-line change in the inline review', () => {
    /** 2,000 lines; 100 hunks, each replacing 10 lines with 10 others: 1,000 lines changed. */
    const hunks = 100;
    const linesPerHunk = 10;
    const path = 'src/bench-review.js';

    function change(run: number): { raw: unknown; marker: string; firstLine: number; added: number[]; text: string } {
      const before: string[] = [];
      const after: string[] = [];
      let firstLine = -1;
      const added: number[] = [];
      for (let hunk = 0; hunk < hunks; hunk += 1) {
        for (let line = 0; line < linesPerHunk; line += 1) {
          const kept = `const kept_${hunk}_${line} = ${hunk * linesPerHunk + line};`;
          before.push(kept);
          after.push(kept);
        }
        if (firstLine < 0) firstLine = after.length;
        for (let line = 0; line < linesPerHunk; line += 1) {
          added.push(after.length);
          before.push(`let total_${hunk}_${line} = compute(${hunk}, ${line});`);
          after.push(`const changed_r${run}_h${hunk}_l${line} = computeAgain(${hunk}, ${line}, 'run ${run}');`);
        }
      }
      const encode = (lines: string[]): Uint8Array => new TextEncoder().encode(`${lines.join('\n')}\n`);
      const files = describeChanges([{ path, kind: 'modify', before: encode(before), after: encode(after) }], new Map([[path, ['s1']]]));
      assert.equal(files[0]?.hunks.length, hunks, 'the change has one hunk per block');
      // What the server sends: JSON, as the request reaches the extension.
      const raw: unknown = JSON.parse(JSON.stringify({ runId: `bench-review-${run}`, files }));
      return { raw, marker: `changed_r${run}_h0_l0`, firstLine, added, text: `${after.join('\n')}\n` };
    }

    it('measures', async function () {
      const page = driver;
      if (page === undefined) return this.skip();
      const api = await plumbline();
      await vscode.commands.executeCommand('workbench.action.closePanel');
      const samples: Record<string, number>[] = [];
      // The floor: the same text as an untitled document, shown and given one whole-line decoration
      // on the added lines by the shortest code VS Code allows.
      const floorType = vscode.window.createTextEditorDecorationType({ isWholeLine: true, backgroundColor: new vscode.ThemeColor('diffEditor.insertedLineBackground') });
      for (let run = 0; run < warmUps + runs; run += 1) {
        await vscode.commands.executeCommand('workbench.action.closeAllEditors');
        const { raw, marker, firstLine, added, text: proposed } = change(run);
        await page.watchMark('workbench', 'floorText', '.monaco-editor .view-line', `floor_r${run}_h0_l0`);
        await page.watchMark('workbench', 'floorOverlay', '.monaco-editor .view-overlays [class*="ced-"]');
        const floorStart = Date.now();
        const floorEditor = await vscode.window.showTextDocument(await vscode.workspace.openTextDocument({ language: 'javascript', content: proposed.replaceAll(`changed_r${run}_`, `floor_r${run}_`) }), { preview: false });
        floorEditor.setDecorations(floorType, added.map((line) => new vscode.Range(line, 0, line, 0)));
        await sleep(1000);
        const floorText = await mark(page, 'workbench', 'floorText');
        const floorOverlay = await mark(page, 'workbench', 'floorOverlay');
        const floor = Math.max(floorText.at, floorOverlay.at) - floorStart;
        // Reverted and closed while it is the active editor: an untitled document left dirty would
        // make closeAllEditors ask to save it, and the next run would wait behind that dialog.
        await vscode.window.showTextDocument(floorEditor.document, { preview: false });
        await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
        await vscode.commands.executeCommand('workbench.action.closeAllEditors');
        // The same untitled document painted with the review's own decorations (all six types).
        await page.watchMark('workbench', 'fullText', '.monaco-editor .view-line', `full_r${run}_h0_l0`);
        await page.watchMark('workbench', 'fullOverlay', '.monaco-editor .view-overlays [class*="ced-"]');
        const fullDecorations = new HunkDecorations();
        const fullStart = Date.now();
        const shown = reviewDocument(reviewRequest.params.parse(raw).files[0]!)!;
        const fullEditor = await vscode.window.showTextDocument(await vscode.workspace.openTextDocument({ language: 'javascript', content: shown.text.replaceAll(`changed_r${run}_`, `full_r${run}_`) }), { preview: false });
        fullDecorations.apply(fullEditor, shown.layouts, () => 'pending');
        await sleep(1000);
        const fullMarks = [await mark(page, 'workbench', 'fullText'), await mark(page, 'workbench', 'fullOverlay')];
        const floorReviewDecorations = Math.max(...fullMarks.map((found) => found.at)) - fullStart;
        await vscode.window.showTextDocument(fullEditor.document, { preview: false });
        await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
        await vscode.commands.executeCommand('workbench.action.closeAllEditors');
        fullDecorations.dispose();
        // The proposal's text (the removed lines are lines of it), its whole-line decorations (view
        // overlays) and its CodeLenses, as the workbench's DOM gets them.
        await page.watchMark('workbench', 'text', '.monaco-editor .view-line', marker);
        await page.watchMark('workbench', 'overlay', '.monaco-editor .view-overlays [class*="ced-"]');
        await page.watchMark('workbench', 'lens', '.monaco-editor .codelens-decoration a');
        const source = new vscode.CancellationTokenSource();
        // When the extension host sees the proposal active with the cursor on its first change.
        let shownAt = Number.NaN;
        const check = (editor: vscode.TextEditor | undefined): void => {
          if (Number.isNaN(shownAt) && editor?.document.uri.scheme === 'plumbline-proposal' && editor.selection.active.line === firstLine) shownAt = Date.now();
        };
        const listeners = [vscode.window.onDidChangeTextEditorSelection((event) => check(event.textEditor)), vscode.window.onDidChangeActiveTextEditor(check)];
        // The request reaching the extension: what RunController.review does with it.
        const start = Date.now();
        const parsed = reviewRequest.params.parse(raw);
        const parsedAt = Date.now();
        const result: Promise<ReviewDecisions> = api.review.review({ runId: parsed.runId, files: parsed.files, evidence: [] }, source.token);
        await waitFor('the review on its first change', () => (Number.isNaN(shownAt) ? undefined : true));
        // CodeLenses come at least 250 ms after the editor (VS Code's debounce).
        await sleep(1500);
        const text = await mark(page, 'workbench', 'text');
        const overlay = await mark(page, 'workbench', 'overlay');
        const lens = await mark(page, 'workbench', 'lens');
        for (const listener of listeners) listener.dispose();
        for (const found of [text, overlay, lens]) assert.equal(found.present, false, 'the review painted after the watch started');
        const painted = Math.max(text.at, overlay.at);
        if (run >= warmUps) {
          samples.push({
            decorated: painted - start,
            decoratedFrame: Math.max(text.frameAt ?? 0, overlay.frameAt ?? 0) - start,
            parse: parsedAt - start,
            editorShown: shownAt - start,
            text: text.at - start,
            overlay: overlay.at - start,
            codeLens: lens.at - start,
            floor,
            floorReviewDecorations,
          });
        }
        if (run === warmUps) console.log(`Screenshot of the 1,000-line review: ${await page.screenshot('bench-review-1000')}`);
        source.cancel();
        await result;
        source.dispose();
      }
      floorType.dispose();
      results['review.inline1000'] = samples;
      save();
      console.log(`review.inline1000 samples (ms to decorated): ${samples.map((sample) => sample.decorated).join(', ')}; CodeLens: ${samples.map((sample) => sample.codeLens).join(', ')}`);
    });
  });
});
