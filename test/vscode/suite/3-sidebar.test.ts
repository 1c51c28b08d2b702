import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { driver } from '../support/driver';
import { plumbline, waitFor, waitForPhase } from '../support/plumbline';

async function openSidebar(): Promise<void> {
  await vscode.commands.executeCommand('workbench.view.extension.plumbline');
}

describe('the sidebar webview', () => {
  it('completes the ready → snapshot handshake when opened', async () => {
    const api = await plumbline();
    await waitForPhase(api, 'ready');
    const before = api.sidebar.handshakes;
    await openSidebar();
    await waitFor('the sidebar handshake', () => (api.sidebar.handshakes > before ? true : undefined));
  });

  it("renders the server's real state in its DOM", async function () {
    const page = driver;
    if (page === undefined) return this.skip();
    const api = await plumbline();
    const title = await waitFor('the sidebar to show the ready server', async () => {
      const element = await page.query('#server-title');
      return element.text?.startsWith('Agent server ready') ? element.text : undefined;
    });
    assert.equal(title, `Agent server ready · v${api.server.view.version ?? ''}`);
    const section = await page.query('#server');
    assert.equal(section.attributes?.['data-phase'], 'ready');
    const send = await page.query('#send');
    assert.ok('disabled' in (send.attributes ?? {}), 'Send does not pretend to work in this build');
    const shot = await page.screenshot('sidebar');
    console.log(`Screenshot of the workbench with the sidebar: ${shot}`);
  });

  it('keeps the draft task across hide and show', async function () {
    const page = driver;
    if (page === undefined) return this.skip();
    const api = await plumbline();
    await page.type('#task-input', 'Rename greet to welcome everywhere');
    const before = api.sidebar.handshakes;
    await vscode.commands.executeCommand('workbench.view.explorer');
    await openSidebar();
    await waitFor('a new handshake after the view came back', () => (api.sidebar.handshakes > before ? true : undefined));
    const input = await waitFor('the restored draft', async () => {
      const element = await page.query('#task-input');
      return element.value === 'Rename greet to welcome everywhere' ? element : undefined;
    });
    assert.equal(input.value, 'Rename greet to welcome everywhere');
  });
});
