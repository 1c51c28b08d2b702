import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { runLmChat } from '../../../src/client/models/lmBridge';
import { pingModelsRequest, statusRequest } from '../../../src/protocol/methods';
import type { BridgedModelEvent, LmChatParams } from '../../../src/protocol/modelWire';
import { startFakeModelServer } from '../../fake-model/index';
import { driver } from '../support/driver';
import { plumbline, waitFor, waitForPhase } from '../support/plumbline';

const config = (): vscode.WorkspaceConfiguration => vscode.workspace.getConfiguration('plumbline');

async function resetModelSettings(): Promise<void> {
  for (const key of ['orchestrator.provider', 'orchestrator.model', 'orchestrator.baseUrl', 'worker.provider', 'worker.model', 'worker.baseUrl']) {
    await config().update(key, undefined, vscode.ConfigurationTarget.Workspace);
  }
}

describe('model providers in VS Code', () => {
  afterEach(resetModelSettings);

  it('follows the plumbline.* settings as they change', async () => {
    const api = await plumbline();
    await waitForPhase(api, 'ready');
    await config().update('orchestrator.provider', 'vscode-lm', vscode.ConfigurationTarget.Workspace);
    await config().update('orchestrator.model', 'gpt-4.1', vscode.ConfigurationTarget.Workspace);
    const orchestrator = await waitFor('the server to pick up the new settings', async () => {
      const status = await api.server.request(statusRequest, {});
      const model = status.models.find((entry) => entry.role === 'orchestrator');
      return model?.provider === 'vscode-lm' ? model : undefined;
    });
    assert.equal(orchestrator.model, 'gpt-4.1');
  });

  it("runs model calls through settings, server and SDK against an OpenAI-compatible server", async () => {
    const server = await startFakeModelServer({ scenario: { name: 'vscode-ping', roles: { default: { turns: ['ok'] } } } });
    try {
      const api = await plumbline();
      await waitForPhase(api, 'ready');
      for (const role of ['orchestrator', 'worker']) {
        await config().update(`${role}.provider`, 'openai', vscode.ConfigurationTarget.Workspace);
        await config().update(`${role}.baseUrl`, server.openaiBaseUrl, vscode.ConfigurationTarget.Workspace);
        await config().update(`${role}.model`, `local-${role}`, vscode.ConfigurationTarget.Workspace);
      }
      const results = await waitFor('a ping with the new settings', async () => {
        const { results } = await api.server.request(pingModelsRequest, {});
        return results.length === 2 && results.every((result) => result.baseUrl === server.openaiBaseUrl) ? results : undefined;
      });
      assert.deepEqual(results.map((result) => [result.model, result.ok]).sort(), [['local-orchestrator', true], ['local-worker', true]]);
      const models = server.requests().map((request) => (request.body as { model: string }).model);
      assert.ok(models.includes('local-orchestrator') && models.includes('local-worker'));
    } finally {
      await server.close();
    }
  });

  it("explains that VS Code offers no language model when none is installed", async () => {
    const api = await plumbline();
    await config().update('orchestrator.provider', 'vscode-lm', vscode.ConfigurationTarget.Workspace);
    await config().update('worker.provider', 'vscode-lm', vscode.ConfigurationTarget.Workspace);
    const results = await waitFor('a vscode-lm ping', async () => {
      const { results } = await api.server.request(pingModelsRequest, {});
      return results.some((result) => result.provider === 'vscode-lm') ? results : undefined;
    });
    const failure = results.find((result) => result.provider === 'vscode-lm');
    assert.equal(failure?.ok, false);
    assert.match(failure?.error ?? '', /VS Code's language model: .*No language model is available in VS Code/);
  });

  it('bridges a vscode.lm conversation: system first, tool calls and results both ways, streamed events', async () => {
    const sent: vscode.LanguageModelChatMessage[][] = [];
    const fakeModel = {
      id: 'fake-1', vendor: 'test', family: 'fake', name: 'Fake', version: '1', maxInputTokens: 1000,
      countTokens: () => Promise.resolve(1),
      sendRequest: (messages: vscode.LanguageModelChatMessage[]) => {
        sent.push(messages);
        const parts = [new vscode.LanguageModelTextPart('Reading it.'), new vscode.LanguageModelToolCallPart('call-9', 'read_file', { path: 'src/greet.js' })];
        const stream = (async function* () {
          for (const part of parts) yield await Promise.resolve(part);
        })();
        return Promise.resolve({ stream, text: (async function* () { /* unused */ })() });
      },
    } as unknown as vscode.LanguageModelChat;
    const params: LmChatParams = {
      requestId: 'r1', model: '', system: 'You are the planner.', stableContext: 'Rules: be brief.', maxOutputTokens: 100,
      tools: [{ name: 'read_file', description: 'Read a file', inputSchema: { type: 'object', properties: { path: { type: 'string' } } } }],
      messages: [
        { role: 'user', content: [{ type: 'text', text: 'Rename greet.' }] },
        { role: 'assistant', content: [{ type: 'tool_call', id: 'call-1', name: 'list_files', rawArguments: '{"path":"."}' }] },
        { role: 'user', content: [{ type: 'tool_result', toolCallId: 'call-1', content: 'src/greet.js', isError: false }] },
      ],
    };
    const events: [string, BridgedModelEvent][] = [];
    const result = await runLmChat(params, new vscode.CancellationTokenSource().token, (id, event) => {
      events.push([id, event]);
      return Promise.resolve();
    }, () => Promise.resolve(fakeModel));
    assert.equal(result.model.id, 'fake-1');
    const [messages] = sent;
    assert.ok(messages);
    assert.equal(messages.length, 4);
    const first = messages[0]?.content[0];
    assert.ok(first instanceof vscode.LanguageModelTextPart && first.value === 'You are the planner.\n\nRules: be brief.');
    assert.ok(messages[2]?.content[0] instanceof vscode.LanguageModelToolCallPart);
    assert.ok(messages[3]?.content[0] instanceof vscode.LanguageModelToolResultPart);
    assert.deepEqual(events.map(([id, event]) => [id, event.type]), [['r1', 'text'], ['r1', 'tool_call'], ['r1', 'usage'], ['r1', 'stop']]);
    assert.deepEqual(events[1]?.[1], { type: 'tool_call', call: { type: 'tool_call', id: 'call-9', name: 'read_file', rawArguments: '{"path":"src/greet.js"}' } });
    assert.deepEqual(events[3]?.[1], { type: 'stop', reason: 'tool_use' });
  });

  it('"Set API Key…" stores a key in SecretStorage and restarts the server with it', async function () {
    const page = driver;
    if (page === undefined) return this.skip();
    const api = await plumbline();
    await waitForPhase(api, 'ready');
    const pidBefore = (await api.server.request(statusRequest, {})).pid;
    const command = vscode.commands.executeCommand('plumbline.setApiKey');
    await page.waitForWorkbench('.quick-input-widget .quick-input-list .monaco-list-row');
    await page.typeText('Anthropic');
    await page.press('Enter');
    await page.waitForWorkbench('.quick-input-widget input[type="password"]');
    await page.typeText('sk-ant-vscode-test-0123456789');
    await page.press('Enter');
    await command;
    const anthropic = await waitFor('the restarted server to see the stored key', async () => {
      if (api.server.view.phase !== 'ready') return undefined;
      const status = await api.server.request(statusRequest, {});
      const provider = status.providers.find((entry) => entry.id === 'anthropic');
      return status.pid !== pidBefore && provider?.keyPresent === true ? provider : undefined;
    });
    assert.equal(anthropic.keySource, 'VS Code SecretStorage');
    const status = await api.server.request(statusRequest, {});
    assert.doesNotMatch(JSON.stringify(status), /vscode-test-0123456789/);
    assert.equal(status.models.find((entry) => entry.role === 'orchestrator')?.provider, 'anthropic');
  });
});
