import * as assert from 'node:assert/strict';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { driver } from '../support/driver';
import { plumbline, waitFor, waitForPhase } from '../support/plumbline';

/**
 * The workspace's MCP servers in the sidebar: opening it lists a `.vscode/mcp.json` server as
 * needing approval without starting it (its process would leave a marker file); Approve and
 * Start asks with VS Code's modal, and only then does the process run.
 */
describe('MCP servers in the sidebar', () => {
  const folder = (): string => {
    const uri = vscode.workspace.workspaceFolders?.[0]?.uri;
    assert.ok(uri !== undefined, 'the harness opens a workspace folder');
    return uri.fsPath;
  };
  const definitionFile = (): string => join(folder(), '.vscode', 'mcp.json');
  const marker = join(tmpdir(), `plumbline-mcp-marker-${String(process.pid)}-${String(Date.now())}`);

  // Without a sandbox, a started server's marker lands where the test looks (a sandboxed one has a private /tmp).
  async function restartServer(): Promise<void> {
    const api = await plumbline();
    await vscode.commands.executeCommand('plumbline.restartServer');
    await waitForPhase(api, 'ready');
  }
  before(async function () {
    this.timeout(60000);
    process.env.PLUMBLINE_TEST_SANDBOX_UNAVAILABLE = '1';
    await restartServer();
  });

  after(async function () {
    this.timeout(60000);
    rmSync(definitionFile(), { force: true });
    rmSync(marker, { force: true });
    delete process.env.PLUMBLINE_TEST_SANDBOX_UNAVAILABLE;
    await restartServer();
    await vscode.commands.executeCommand('notifications.clearAll');
    // The suites after this one open the sidebar themselves and expect a fresh webview.
    await vscode.commands.executeCommand('workbench.view.explorer');
  });

  it('lists a workspace server as needing approval without starting it; Approve and Start asks first, then runs it', async function () {
    this.timeout(120000);
    const page = driver;
    if (page === undefined) return this.skip();
    const api = await plumbline();
    await waitForPhase(api, 'ready');
    mkdirSync(join(folder(), '.vscode'), { recursive: true });
    // A server whose process writes the marker and exits: the marker appears only if it was started.
    writeFileSync(definitionFile(), JSON.stringify({ servers: { marker: { command: process.execPath, args: ['-e', `require('fs').writeFileSync(${JSON.stringify(marker)}, 'ran')`] } } }, null, 2));

    await vscode.commands.executeCommand('workbench.view.explorer');
    await vscode.commands.executeCommand('workbench.view.extension.plumbline');
    // The file watcher asks the server again when the definition file appears.
    const label = await waitFor('the sidebar to list the MCP server', async () => {
      const section = await page.query('#mcp');
      const server = await page.query('[data-mcp-server="marker"]');
      return section.attributes?.hidden === undefined && server.exists === true ? (await page.query('#mcp-label')).text : undefined;
    }, 30000);
    assert.equal(label, 'MCP servers: 1 · 1 needs approval');
    const entry = await page.query('[data-mcp-server="marker"]');
    assert.equal(entry.attributes?.['data-approval'], 'needs-approval');
    assert.equal(entry.attributes?.['data-state'], 'stopped');
    assert.equal('open' in ((await page.query('#mcp')).attributes ?? {}), false, 'the section starts collapsed');
    await page.click('#mcp-summary');
    await waitFor('the MCP section to open', async () => ('open' in ((await page.query('#mcp')).attributes ?? {}) ? true : undefined));
    assert.match((await page.query('[data-mcp-server="marker"] .mcp-server-state')).text ?? '', /needs your approval/);
    assert.match((await page.query('[data-mcp-server="marker"] .mcp-server-meta')).text ?? '', /stdio · \.vscode\/mcp\.json/);
    await page.scrollIntoView('#mcp');
    console.log(`Screenshot of the sidebar's MCP servers: ${await page.screenshot('mcp-sidebar')}`);
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.equal(existsSync(marker), false, 'opening the sidebar started no MCP server');

    // Start asks with the modal, which VS Code refuses to show under test: no answer, nothing starts.
    const start = '[data-mcp-server="marker"] [data-mcp-action="start"]';
    await page.click(start);
    const refusal = await waitFor('the refusal to show', async () => {
      const error = await page.query('#sidebar-error');
      return error.attributes?.hidden === undefined && (error.text ?? '') !== '' ? error.text : undefined;
    });
    assert.match(refusal ?? '', /The MCP server "marker" did not start: .*not approved yet .*refused to show dialog in tests/);
    assert.equal((await page.query('[data-mcp-server="marker"]')).attributes?.['data-approval'], 'needs-approval', 'no answer is asked again');
    assert.equal(existsSync(marker), false, 'an unanswered server does not start');

    // The modal's answers played here instead (as 14-sandbox does): a no starts nothing, a yes runs it.
    const window = vscode.window as { showWarningMessage: (...args: unknown[]) => Thenable<unknown> };
    const original = window.showWarningMessage;
    const asked: unknown[][] = [];
    let answer = 'Do Not Start';
    try {
      window.showWarningMessage = (...args: unknown[]) => {
        asked.push(args);
        return Promise.resolve(answer);
      };
    } catch {
      return this.skip();
    }
    try {
      await page.click(start);
      await waitFor('the server to show as declined', async () => ((await page.query('[data-mcp-server="marker"]')).attributes?.['data-approval'] === 'declined' ? true : undefined));
      assert.equal(existsSync(marker), false, 'a declined server does not start');
      assert.equal(asked[0]?.[0], 'Start the MCP server "marker" defined by this workspace?');
      assert.match((asked[0]?.[1] as { detail: string }).detail, /It runs: .*writeFileSync/);

      answer = 'Start and Remember';
      await page.click(start);
      await waitFor('the approved server to have run', () => (existsSync(marker) ? true : undefined), 30000);
      await waitFor('the sidebar to show it approved', async () => ((await page.query('[data-mcp-server="marker"]')).attributes?.['data-approval'] === 'approved' ? true : undefined));
      assert.equal(asked.length, 2, 'asked again after a no, because the person pressed Start');
    } finally {
      window.showWarningMessage = original;
    }
  });
});
