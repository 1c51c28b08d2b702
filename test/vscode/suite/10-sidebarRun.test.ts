import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { startFakeModelServer, type FakeModelServer, type ScenarioInput } from '../../fake-model/index';
import { driver, type Driver, type LaidOutElement } from '../support/driver';
import { clearFakeModelSettings, useFakeModel } from '../support/fakeModelSettings';
import { plumbline, waitFor, waitForPhase } from '../support/plumbline';

const repoRoot = join(__dirname, '..', '..', '..', '..');
const stepIds = ['s1', 's2', 's3'];
const task = 'Rename greet to welcome and farewell to goodbye';

/** The orchestrator's first words: markdown worth rendering, and things the sanitizer must refuse. */
const orchestratorText = [
  'Let me look at the project. **Plan of attack:** rename `greet`, then `farewell`.',
  '',
  '```js',
  "const { welcome } = require('./src/greet');",
  '```',
  '',
  '[docs](https://example.com/docs) [bad](javascript:alert(1)) [quit](command:workbench.action.quit) ![pixel](https://example.com/pixel.png) <img src=x onerror=alert(1)> <script>alert(2)</script>',
  '',
].join('\n');

/** refactor-greeter, with a richer first message from the orchestrator. */
function scenario(): ScenarioInput {
  const base = JSON.parse(readFileSync(join(repoRoot, 'test', 'fixtures', 'scenarios', 'refactor-greeter.json'), 'utf8')) as {
    roles: { orchestrator: { turns: { content: Record<string, unknown>[] }[] } };
  };
  const first = base.roles.orchestrator.turns[0];
  if (first?.content[0] !== undefined) first.content[0] = { text: orchestratorText };
  return base;
}

const hidden = (element: { attributes?: Record<string, string> }): boolean => 'hidden' in (element.attributes ?? {});

async function stepStatuses(page: Driver): Promise<string[]> {
  return Promise.all(stepIds.map(async (id) => (await page.query(`#plan-steps li[data-step-id="${id}"]`)).attributes?.['data-status'] ?? 'absent'));
}

async function openSidebar(): Promise<void> {
  await vscode.commands.executeCommand('workbench.view.extension.plumbline');
}

describe('a task from the sidebar, end to end', () => {
  let server: FakeModelServer;
  let folder: vscode.Uri;
  let runId: string | undefined;

  before(async () => {
    server = await startFakeModelServer({ scenario: scenario() });
    const workspace = vscode.workspace.workspaceFolders?.[0];
    assert.ok(workspace);
    folder = workspace.uri;
    await useFakeModel(server, { approvalMode: 'auto', reviewPlan: true });
  });

  after(async () => {
    // Later suites run the same scenario on the same files: put them back.
    if (runId !== undefined) await vscode.commands.executeCommand('plumbline.undoRun', runId);
    await vscode.workspace.getConfiguration('workbench').update('colorTheme', undefined, vscode.ConfigurationTarget.Global);
    await clearFakeModelSettings();
    await vscode.commands.executeCommand('notifications.clearAll');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vscode.commands.executeCommand('workbench.view.explorer');
    await server.close();
  });

  const disk = (path: string): string => readFileSync(join(folder.fsPath, path), 'utf8');

  it('sends a task, shows the live plan, is approved in the sidebar, completes, and survives hide and show', async function () {
    this.timeout(180000);
    const page = driver;
    if (page === undefined) return this.skip();
    const api = await plumbline();
    await waitForPhase(api, 'ready');
    const original = disk('src/greet.js');
    await openSidebar();
    await waitFor('the sidebar to show the ready server', async () => ((await page.query('#server-title')).text?.startsWith('Agent server ready') ? true : undefined));
    assert.equal((await page.query('#approval-mode')).value, 'auto', 'the approval mode shows the setting');

    await page.type('#task-input', task);
    await page.click('#send');

    // The plan appears in the sidebar and waits for the user there.
    await waitFor('the plan in the sidebar', async () => ((await page.query('#plan-steps li[data-step-id="s3"]')).exists === true ? true : undefined), 60000);
    await waitFor('the approval buttons', async () => (!hidden(await page.query('#plan-approval')) ? true : undefined));
    runId = api.runs.view?.runId;
    assert.ok(runId !== undefined && api.runs.pendingApproval?.runId === runId, 'the run waits for approval');
    assert.deepEqual(await stepStatuses(page), ['pending', 'pending', 'pending']);
    assert.equal((await page.query('#plan-summary')).text, 'Rename greet to welcome and farewell to goodbye, then update the tests.');
    assert.match((await page.query('#plan-steps li[data-step-id="s3"]')).text ?? '', /Update the tests.*test\/greet\.test\.js.*After s1, s2/s);
    assert.equal((await page.query('#transcript .item-task')).text?.trim(), task);
    assert.equal((await page.query('#task-input')).value, '', 'the draft is cleared once the task started');

    // The orchestrator's markdown is rendered and sanitized.
    await waitFor('the rendered orchestrator text', async () => ((await page.query('#transcript .item-text pre.code-block code')).exists === true ? true : undefined));
    assert.match((await page.query('#transcript .item-text pre code')).text ?? '', /require\('\.\/src\/greet'\)/);
    assert.equal((await page.query('#transcript .item-text strong')).text, 'Plan of attack:');
    assert.equal((await page.query('#transcript .item-text a[href="https://example.com/docs"]')).exists, true, 'https links stay');
    for (const refused of ['a[href^="javascript"]', 'a[href^="command"]', 'img', 'script', '[onerror]']) {
      assert.equal((await page.query(`#transcript ${refused}`)).exists, false, `no ${refused} in the transcript`);
    }
    assert.match((await page.query('#transcript .item-text')).text ?? '', /<img src=x onerror=alert\(1\)>/, 'raw HTML is shown as text');
    await page.click('#transcript .item-text .copy-code');
    await waitFor('the code block on the clipboard', async () => ((await vscode.env.clipboard.readText()).includes("require('./src/greet')") ? true : undefined));
    console.log(`Screenshot of the sidebar with the plan awaiting approval: ${await page.screenshot('sidebar-run')}`);

    // Approve in the sidebar; the notification offering the same then closes (12-userJourney checks it).
    await page.click('#approve-plan');
    const seen = new Set<string>();
    await waitFor(
      'every step done in the sidebar',
      async () => {
        const statuses = await stepStatuses(page);
        for (const status of statuses) seen.add(status);
        return statuses.every((status) => status === 'done') ? true : undefined;
      },
      120000,
    );
    console.log(`Step statuses seen in the sidebar: ${[...seen].join(', ')}`);
    assert.equal(api.runs.pendingApproval, undefined);
    assert.equal(hidden(await page.query('#plan-approval')), true, 'the approval buttons are gone');

    const summary = await waitFor('the run summary in the sidebar', async () => {
      const finished = await page.query('#transcript .item-finished');
      return finished.exists === true && finished.text?.includes('Run completed') === true ? finished.text : undefined;
    }, 60000);
    assert.match(summary, /3 of 3 steps done/);
    assert.match((await page.query('#run-status')).text ?? '', /^Run completed · 3\/3 steps done/);
    assert.match((await page.query('#transcript .item-verification')).text ?? '', /✓ Tests passed/);
    assert.match((await page.query('#plan-steps li[data-step-id="s1"] .attempts')).text ?? '', /Attempt 1: passed/);
    assert.equal(hidden(await page.query('#cancel-run')), true, 'Cancel is gone once the run finished');

    // approvalMode auto: verified changes landed without a review.
    await waitFor('the changes on disk', () => (/function welcome\(name\)/.test(disk('src/greet.js')) ? true : undefined));
    assert.notEqual(disk('src/greet.js'), original);
    assert.match(disk('src/farewell.js'), /function goodbye\(name\)/);
    assert.match(disk('test/greet.test.js'), /welcome\('Ada'\)/);

    // The history lists the run with Undo.
    await waitFor('the run in the history', async () => ((await page.query(`#history-list li[data-run-id="${runId ?? ''}"] [data-action="undo"]`)).exists === true ? true : undefined));
    await vscode.commands.executeCommand('notifications.clearAll');
    console.log(`Screenshot of the finished run: ${await page.screenshot('sidebar-run-finished')}`);

    // Hide and show: the webview is rebuilt from the host's snapshot.
    const before = api.sidebar.handshakes;
    const transcriptBefore = (await page.query('#transcript-items')).text;
    await vscode.commands.executeCommand('workbench.view.explorer');
    await openSidebar();
    await waitFor('a new handshake after the view came back', () => (api.sidebar.handshakes > before ? true : undefined));
    await waitFor('the restored plan', async () => ((await stepStatuses(page)).every((status) => status === 'done') ? true : undefined));
    assert.match((await page.query('#transcript .item-finished')).text ?? '', /3 of 3 steps done/);
    assert.equal((await page.query('#transcript-items')).text, transcriptBefore, 'the same transcript');
    assert.equal((await page.query('#plan-summary')).text, 'Rename greet to welcome and farewell to goodbye, then update the tests.');

    const workbench = vscode.workspace.getConfiguration('workbench');
    await workbench.update('colorTheme', 'Default Dark Modern', vscode.ConfigurationTarget.Global);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    console.log(`Screenshot in a dark theme: ${await page.screenshot('sidebar-run-dark')}`);
    await workbench.update('colorTheme', 'Default High Contrast', vscode.ConfigurationTarget.Global);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    console.log(`Screenshot in a high-contrast theme: ${await page.screenshot('sidebar-run-hc')}`);
    await workbench.update('colorTheme', undefined, vscode.ConfigurationTarget.Global);

    // Undo from the history asks first. VS Code refuses modal dialogs under test, which the sidebar
    // reports; nothing is undone without the confirmation (after() undoes through the command).
    if (!('open' in ((await page.query('#history')).attributes ?? {}))) await page.click('#history > summary');
    await page.click(`#history-list li[data-run-id="${runId ?? ''}"] [data-action="undo"]`);
    const refusal = await waitFor('the confirmation to be asked', async () => {
      const error = await page.query('#sidebar-error');
      return error.attributes?.hidden === undefined && error.text?.includes('Undo "') === true ? error.text : undefined;
    });
    assert.match(refusal, /refused to show dialog in tests/);
    assert.match(disk('src/greet.js'), /function welcome\(name\)/, 'not undone without the confirmation');
  });

  it('at a narrow sidebar (~174 px) nothing overlaps, tool calls are one focusable group, and every history button names its run', async function () {
    this.timeout(90000);
    const page = driver;
    if (page === undefined) return this.skip();
    await openSidebar();
    if (!('open' in ((await page.query('#history')).attributes ?? {}))) await page.click('#history > summary');
    // The sash is dragged as a user would; VS Code keeps the sidebar at least 170 px wide.
    const wide = await page.resizeSidebar(174);
    const width = await waitFor('the sidebar webview to be narrow', async () => {
      const now = (await page.layout([])).width;
      return now <= 200 ? now : undefined;
    });
    try {
      console.log(`Sidebar narrowed from ${wide} px to a webview ${width} px wide`);
      await page.scrollIntoView('#run');
      console.log(`Screenshot of the narrow sidebar, the run: ${await page.screenshot('sidebar-narrow')}`);
      await page.scrollIntoView('#history-list');
      console.log(`Screenshot of the narrow sidebar, past runs: ${await page.screenshot('sidebar-narrow-history')}`);
      const selectors = ['#open-plan', '#cancel-run', '#run-heading', '#run-status', '#approval-mode', '#send', '.history-title', '.history-actions button', '#transcript .tool-group > summary', '#transcript .item-tool summary', '#transcript summary, #transcript button, #transcript a'];
      const layout = await page.layout(selectors);
      const boxes = (selector: string): readonly LaidOutElement[] => layout.boxes[selector] ?? [];
      const overlap = (a: LaidOutElement, b: LaidOutElement): boolean => a.left < b.right - 0.5 && b.left < a.right - 0.5 && a.top < b.bottom - 0.5 && b.top < a.bottom - 0.5;
      assert.ok(layout.scrollWidth <= layout.width + 1, `no horizontal overflow (${layout.scrollWidth} > ${layout.width})`);
      for (const icon of [...boxes('#open-plan'), ...boxes('#cancel-run')].filter((box) => box.rendered)) {
        for (const text of [...boxes('#run-heading'), ...boxes('#run-status')]) assert.ok(!overlap(icon, text), `the run's buttons do not overlap its title: ${JSON.stringify({ icon, text })}`);
      }
      const select = boxes('#approval-mode')[0];
      assert.ok(select !== undefined && select.textWidth !== undefined && select.innerWidth !== undefined);
      // Room for the text and the dropdown's arrow: "Review each step", not "Revie".
      assert.ok(select.textWidth + 16 <= select.innerWidth, `the approval mode reads in full (${select.textWidth} px of text in ${select.innerWidth} px)`);
      for (const send of boxes('#send')) assert.ok(!overlap(send, select), 'Send does not cover the approval mode');

      // Tool calls: collapsed into groups, so Tab stops once per group, not at every call.
      const groups = boxes('#transcript .tool-group > summary');
      const calls = boxes('#transcript .item-tool summary');
      console.log(`${calls.length} tool calls in ${groups.length} group(s)`);
      assert.ok(groups.length > 0 && calls.length > groups.length, 'tool calls are grouped');
      assert.ok(calls.every((call) => !call.rendered), 'no tool call is reachable by Tab while its group is closed');
      const stops = boxes('#transcript summary, #transcript button, #transcript a').filter((box) => box.rendered);
      assert.ok(stops.length < calls.length, `fewer tab stops in the transcript (${stops.length}) than tool calls (${calls.length})`);

      // Every history button has its own accessible name ("Undo run 1: Rename greet…").
      const names = boxes('.history-actions button').map((button) => button.name);
      assert.ok(names.length > 0);
      assert.equal(new Set(names).size, names.length, `distinct names: ${names.join(' | ')}`);
      assert.ok(names.some((name) => /^Undo run \d+: /.test(name)), names.join(' | '));
      for (const title of boxes('.history-title')) for (const button of boxes('.history-actions button')) assert.ok(!overlap(title, button), 'history buttons do not cover the run title');
    } finally {
      await page.resizeSidebar(wide);
    }
  });

  it('keeps the DOM bounded, with "Show earlier", when the transcript grows long', async function () {
    this.timeout(60000);
    const page = driver;
    if (page === undefined) return this.skip();
    const api = await plumbline();
    const id = api.runs.view?.runId;
    assert.ok(id !== undefined, 'the previous test left a run');
    await openSidebar();
    const started = Date.now();
    // A long run's worth of events, straight into the transcript the sidebar follows.
    for (let i = 0; i < 1000; i++) api.runs.transcript.add({ type: 'tool/result', runId: id, role: 'orchestrator', tool: `tool_${i}`, ok: true, detail: `line ${i}` }, undefined);
    for (let i = 0; i < 3000; i++) api.runs.transcript.add({ type: 'model/text', runId: id, role: 'orchestrator', delta: `word${i} ` }, undefined);
    await waitFor('the last streamed word', async () => ((await page.query('#transcript-items > article:last-child')).text?.includes('word2999') === true ? true : undefined));
    console.log(`1000 items and 3000 streamed words rendered in ${Date.now() - started} ms`);
    // Items are articles, directly in the list or, for tool calls in a row, inside their group.
    const itemCount = async (): Promise<number> => (await page.layout(['#transcript-items [data-item-id]'])).boxes['#transcript-items [data-item-id]']?.length ?? 0;
    assert.equal(await itemCount(), 120, 'the DOM keeps the last 120 items');
    assert.equal((await page.query('#transcript-items > .tool-group')).exists, true, 'the tool calls in a row are one group');
    const earlier = await page.query('#show-earlier');
    assert.equal(hidden(earlier), false);
    assert.match(earlier.text ?? '', /Show 100 earlier messages/);
    await page.click('#show-earlier');
    await waitFor('a page of earlier items', async () => ((await itemCount()) === 220 ? true : undefined));
    // Leave no synthetic chat behind for the suites that look at the sidebar next.
    api.runs.transcript.begin('synthetic-cleared', '');
  });
});
