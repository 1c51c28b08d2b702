import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { startFakeModelServer, type FakeModelServer, type RecordedRequest, type ScenarioInput } from '../../fake-model/index';
import { driver } from '../support/driver';
import { clearFakeModelSettings, useFakeModel } from '../support/fakeModelSettings';
import { plumbline, waitFor, waitForPhase } from '../support/plumbline';

const question = 'Should the greeting use tabs or spaces? <b>bold?</b>';

/** Two parallel steps that each ask a question before finishing without edits: both questions are open at once. */
const scenario: ScenarioInput = {
  name: 'vscode-ask-user',
  onExhausted: 'error',
  roles: {
    orchestrator: {
      match: { system: "Plumbline's orchestrator" },
      turns: [
        {
          content: [
            {
              tool: 'submit_plan',
              arguments: {
                summary: 'Ask before touching the greeter.',
                steps: [
                  { id: 's1', title: 'Ask about indentation', instructions: 'Ask the user how to indent, then finish.', files: ['src/greet.js'] },
                  { id: 's2', title: 'Ask about the farewell', instructions: 'Ask the user what the farewell should say, then finish.', files: ['src/farewell.js'] },
                ],
              },
            },
          ],
        },
      ],
    },
    'worker-s1': {
      match: { system: 'Plumbline worker', firstUser: '<step id="s1">' },
      turns: [{ content: [{ tool: 'ask_user', arguments: { question, choices: ['Tabs', 'Spaces'] } }] }, { content: [{ tool: 'finish', arguments: { summary: 'Asked; changed nothing.' } }] }],
    },
    'worker-s2': {
      match: { system: 'Plumbline worker', firstUser: '<step id="s2">' },
      turns: [{ content: [{ tool: 'ask_user', arguments: { question: 'What should the farewell say?' } }] }, { content: [{ tool: 'finish', arguments: { summary: 'Asked; changed nothing.' } }] }],
    },
  },
};

/** The tool result the worker's second request carries: what it was told the user answered. */
function answerSeen(requests: RecordedRequest[], role: string): string {
  const second = requests.filter((request) => request.role === role)[1];
  const messages = (second?.body as { messages?: { role: string; content?: unknown }[] } | undefined)?.messages ?? [];
  const tool = messages.filter((message) => message.role === 'tool').at(-1);
  return typeof tool?.content === 'string' ? tool.content : '';
}

describe('ask_user in the sidebar', () => {
  let server: FakeModelServer;

  before(async () => {
    server = await startFakeModelServer({ scenario });
    await useFakeModel(server, { approvalMode: 'auto', reviewPlan: false });
  });

  after(async () => {
    await clearFakeModelSettings();
    await vscode.commands.executeCommand('notifications.clearAll');
    await vscode.commands.executeCommand('workbench.view.explorer');
    await server.close();
  });

  it('shows two steps\' questions at once, each under its step, and takes a choice for one and typed words for the other', async function () {
    this.timeout(180000);
    const page = driver;
    if (page === undefined) return this.skip();
    const api = await plumbline();
    await waitForPhase(api, 'ready');
    await vscode.commands.executeCommand('workbench.view.extension.plumbline');
    await waitFor('the sidebar to show the ready server', async () => ((await page.query('#server-title')).text?.startsWith('Agent server ready') ? true : undefined));

    await page.type('#task-input', 'Ask me about the greeter');
    await page.click('#send');

    // Both questions are open together: neither step blocks the other.
    await waitFor('both questions in the sidebar', async () => ((await page.query('.question[data-step-id="s2"]')).exists === true && (await page.query('.question[data-step-id="s1"]')).exists === true ? true : undefined), 90000);
    assert.equal(api.runs.questions.list.length, 2);
    const first = await page.query('.question[data-step-id="s1"]');
    assert.match(first.text ?? '', /Step s1 asks/);
    assert.equal((await page.query('.question[data-step-id="s1"] .question-text')).text, question, 'the question is shown as text');
    assert.equal((await page.query('.question[data-step-id="s1"] .question-text b')).exists, false, 'model output is never parsed as HTML');
    assert.equal((await page.query('.question[data-step-id="s1"] .question-choice[data-choice="1"]')).text, 'Spaces');
    assert.match((await page.query('.question[data-step-id="s2"]')).text ?? '', /Step s2 asks[\s\S]*What should the farewell say\?/);
    assert.equal((await page.query('.question[data-step-id="s2"] .question-choice')).exists, false, 'no choices: a free answer only');
    console.log(`Screenshot of two open questions: ${await page.screenshot('ask-user-questions')}`);

    await page.type('.question[data-step-id="s2"] .question-input', 'See you soon');
    await page.click('.question[data-step-id="s1"] .question-choice[data-choice="1"]');
    await waitFor('s1 question closed', async () => ((await page.query('.question[data-step-id="s1"]')).exists === false ? true : undefined));
    assert.equal((await page.query('.question[data-step-id="s2"] .question-input')).value, 'See you soon', 'typing in one card survives another being answered');
    await page.click('.question[data-step-id="s2"] .question-send');

    const finished = await waitFor('the run to finish', () => api.runs.view?.finished, 90000);
    assert.equal(finished.status, 'completed', finished.reason);
    assert.equal((await page.query('#questions')).attributes?.hidden !== undefined, true, 'no card is left');
    assert.match(answerSeen(server.requests(), 'worker-s1'), /<user-answer>\nSpaces\n<\/user-answer>/);
    assert.match(answerSeen(server.requests(), 'worker-s2'), /<user-answer>\nSee you soon\n<\/user-answer>/);
    const notes = api.runs.view?.plan?.notes.join('\n') ?? '';
    assert.match(notes, /s1 asked "Should the greeting use tabs or spaces\? <b>bold\?<\/b>"; you answered "Spaces"\./);
    assert.match(notes, /s2 asked "What should the farewell say\?"; you answered "See you soon"\./);
    console.log(`Screenshot after both answers: ${await page.screenshot('ask-user-answered')}`);
  });
});
