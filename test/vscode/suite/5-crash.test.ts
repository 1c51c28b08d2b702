import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { statusRequest } from '../../../src/protocol/methods';
import { driver } from '../support/driver';
import { plumbline, recordPhases, waitFor, waitForPhase } from '../support/plumbline';
import type { PlumblineApi } from '../../../src/client/api';

async function killServer(api: PlumblineApi): Promise<number> {
  const { pid } = await api.server.request(statusRequest, {});
  process.kill(pid, 'SIGKILL');
  return pid;
}

describe('when the agent server crashes', () => {
  it('restarts it and shows what happened', async () => {
    const api = await plumbline();
    await vscode.commands.executeCommand('plumbline.restartServer'); // a fresh crash window
    await waitForPhase(api, 'ready');
    const recorder = recordPhases(api);
    const killed = await killServer(api);
    await waitFor('the restarted server', async () => {
      if (api.server.view.phase !== 'ready') return undefined;
      const { pid } = await api.server.request(statusRequest, {});
      return pid !== killed ? pid : undefined;
    });
    recorder.dispose();
    assert.deepEqual(recorder.phases, ['restarting', 'ready']);
    assert.equal(api.server.view.crashes, 1);
  });

  it('gives up after repeated crashes, says so in the sidebar, and recovers on Restart', async () => {
    const api = await plumbline();
    await vscode.commands.executeCommand('plumbline.restartServer');
    await waitForPhase(api, 'ready');
    for (let crash = 1; crash <= api.server.view.maxRestarts; crash++) {
      await killServer(api);
      await waitFor(`restart after crash ${crash}`, () => (api.server.view.phase === 'ready' && api.server.view.crashes === crash ? true : undefined));
    }
    await killServer(api);
    const failed = await waitForPhase(api, 'failed');
    assert.match(failed.message ?? '', /stopped unexpectedly 5 times in 3 minutes.*Show Log/);

    const page = driver;
    if (page !== undefined) {
      await vscode.commands.executeCommand('workbench.view.extension.plumbline');
      const shown = await waitFor('the sidebar to show the failure', async () => {
        const element = await page.query('#server-message');
        return element.text?.includes('stopped unexpectedly') ? element.text : undefined;
      });
      assert.match(shown, /Restart Agent Server/);
      await page.screenshot('sidebar-server-failed');
      // The way out is in the card itself: its Restart button goes through the host to the command.
      await page.click('#restart');
    } else {
      await vscode.commands.executeCommand('plumbline.restartServer');
    }
    const ready = await waitForPhase(api, 'ready');
    assert.equal(ready.crashes, 0);
    assert.equal(ready.message, null);
    if (page !== undefined) {
      await waitFor('the sidebar to show the server ready again', async () =>
        (await page.query('#server-title')).text?.startsWith('Agent server ready') ? true : undefined);
    }
  });
});
