import * as z from 'zod';
import type { RunMeta } from '../protocol/run';
import type { McpStatus } from '../protocol/mcp';
import type { SandboxStatus } from '../protocol/sandbox';
import { hostToWebviewSchema, type HostToWebview, type QuestionView, type RunViewModel, type ServerView, type SidebarSettings } from '../protocol/webviewMessages';
import { byId, setHidden, setText } from './dom';
import { HistoryView } from './historyView';
import { codeOf } from './markdown';
import { PlanView } from './planView';
import { QuestionsView } from './questionsView';
import { request, sendReady, settle } from './requests';
import { renderMcp } from './mcpView';
import { renderSandbox } from './sandboxView';
import { renderServerStatus } from './serverStatusView';
import { TaskForm } from './taskForm';
import { TranscriptView } from './transcriptView';
import { saveViewState, viewState } from './viewState';

// The CSP allows no eval: zod must not try to compile its parsers (it would fall back, but log a violation).
z.config({ jitless: true });

interface Model {
  server: ServerView;
  run: RunViewModel | null;
  history: RunMeta[];
  settings: SidebarSettings;
  sandbox: SandboxStatus | null;
  questions: QuestionView[];
  mcp: McpStatus | null;
}

let model: Model | undefined;
let frameRequested = false;
/** Set by a snapshot: the next frame restores the saved scroll position instead of following the transcript. */
let restoreScroll = false;
/** Set when a new run appears: the next frame brings the run's card into view. */
let scrollToRun = false;

const announcer = byId('announcer');
function announce(text: string): void {
  // Cleared first so the same words twice are still spoken twice.
  announcer.textContent = '';
  requestAnimationFrame(() => (announcer.textContent = text));
}

const planView = new PlanView(announce);
const historyView = new HistoryView();
const questionsView = new QuestionsView(byId('questions'), announce, (text) => showError(text));
const taskForm = new TaskForm();
const transcript = new TranscriptView(byId('transcript-items'), byId('show-earlier', HTMLButtonElement), byId('empty'), scheduleRender, announce);

const scroller = (): HTMLElement => document.scrollingElement instanceof HTMLElement ? document.scrollingElement : document.body;
function nearBottom(): boolean {
  const element = scroller();
  return element.scrollHeight - element.scrollTop - element.clientHeight < 48;
}

/** Coalesces updates into one render per animation frame, however fast they arrive. */
function scheduleRender(): void {
  if (frameRequested) return;
  frameRequested = true;
  requestAnimationFrame(render);
}

function render(): void {
  frameRequested = false;
  if (model === undefined) return;
  const follow = nearBottom();
  renderServerStatus(byId('server'), model.server);
  renderSandbox(model.server.phase === 'ready' ? model.sandbox : null);
  renderMcp(model.server.phase === 'ready' ? model.mcp : null, model.settings.trusted);
  planView.render(model.run);
  questionsView.render(model.questions);
  transcript.render();
  const busy = model.run !== null && model.run.finished === null;
  historyView.render(model.history, model.run?.runId ?? null, busy);
  taskForm.render(model.server, model.run, model.settings);
  const target = questionsView.takeScrollTarget() ?? planView.takeScrollTarget();
  if (restoreScroll) {
    restoreScroll = false;
    scroller().scrollTop = viewState().scrollTop;
  } else if (scrollToRun) {
    scrollToRun = false;
    byId('run').scrollIntoView({ block: 'start' });
  } else if (target !== undefined) {
    target.scrollIntoView({ block: 'nearest' });
  } else if (follow) {
    scroller().scrollTop = scroller().scrollHeight;
  }
}

function onHostMessage(message: HostToWebview): void {
  switch (message.type) {
    case 'snapshot':
      model = { server: message.state.server, run: message.state.run, history: message.state.history, settings: message.state.settings, sandbox: message.state.sandbox, questions: message.state.questions ?? [], mcp: message.state.mcp ?? null };
      transcript.reset(message.state.transcript);
      restoreScroll = true;
      break;
    case 'response':
      settle(message);
      return;
    default:
      if (model === undefined) return;
      apply(model, message);
  }
  scheduleRender();
}

function apply(current: Model, message: Exclude<HostToWebview, { type: 'snapshot' | 'response' }>): void {
  switch (message.type) {
    case 'server/state':
      current.server = message.server;
      break;
    case 'run/state':
      // A new run starts: the sidebar moves to it instead of keeping the old scroll position.
      if (message.run !== null && message.run.runId !== current.run?.runId) scrollToRun = true;
      current.run = message.run;
      break;
    case 'transcript/reset':
      transcript.reset(message.transcript);
      break;
    case 'transcript/append':
      transcript.append(message.items);
      break;
    case 'transcript/text':
      transcript.appendText(message.id, message.delta);
      break;
    case 'history':
      current.history = message.runs;
      break;
    case 'settings':
      current.settings = message.settings;
      break;
    case 'sandbox':
      current.sandbox = message.sandbox;
      break;
    case 'questions':
      current.questions = message.questions;
      break;
    case 'mcp':
      current.mcp = message.mcp;
      break;
  }
}

window.addEventListener('message', (event: MessageEvent<unknown>) => {
  const parsed = hostToWebviewSchema.safeParse(event.data);
  // Anything that does not match the protocol is dropped: this page trusts no message blindly.
  if (parsed.success) onHostMessage(parsed.data);
});

function showError(text: string | null): void {
  const element = byId('sidebar-error');
  setText(element, text ?? '');
  setHidden(element, text === null);
}

/** Runs a request from a button, disabling it until the host answers. */
function act(button: HTMLButtonElement, body: Parameters<typeof request>[0]): void {
  button.disabled = true;
  request(body).then(
    () => showError(null),
    (error: unknown) => showError(error instanceof Error ? error.message : String(error)),
  ).finally(() => {
    button.disabled = false;
    scheduleRender();
  });
}

document.addEventListener('click', (event) => {
  const button = event.target instanceof Element ? event.target.closest('button') : null;
  if (button === null || button.disabled) return;
  const runId = model?.run?.runId;
  switch (button.id) {
    case 'restart':
      act(button, { method: 'server/restart' });
      return;
    case 'show-log':
      act(button, { method: 'log/show' });
      return;
    case 'open-plan':
    case 'edit-plan':
      act(button, { method: 'plan/open' });
      return;
    case 'cancel-run':
      act(button, { method: 'run/cancel' });
      return;
    case 'approve-plan':
    case 'reject-plan':
      if (runId !== undefined) act(button, { method: 'plan/answer', runId, decision: button.id === 'approve-plan' ? 'approve' : 'cancel' });
      return;
    case 'history-refresh':
      act(button, { method: 'history/refresh' });
      return;
    case 'manage-trust':
      act(button, { method: 'workspace/trust' });
      return;
    case 'models':
    case 'configure-models':
      act(button, { method: 'models/configure' });
      return;
  }
  const server = button.dataset.mcpName;
  if (server !== undefined && button.dataset.mcpAction === 'start') act(button, { method: 'mcp/start', name: server });
  if (server !== undefined && button.dataset.mcpAction === 'open') act(button, { method: 'mcp/open', name: server });
  const target = button.dataset.runId;
  if (button.dataset.action === 'resume' && target !== undefined) act(button, { method: 'run/resume', runId: target });
  if (button.dataset.action === 'undo' && target !== undefined) act(button, { method: 'run/undo', runId: target });
  if (button.dataset.action === 'open' && target !== undefined) act(button, { method: 'run/open', runId: target });
  if (button.dataset.copy !== undefined) {
    const code = codeOf(button);
    if (code === undefined) return;
    act(button, { method: 'clipboard/write', text: code });
    const glyph = button.querySelector('.codicon');
    button.classList.add('copied');
    glyph?.classList.replace('codicon-copy', 'codicon-check');
    setTimeout(() => {
      button.classList.remove('copied');
      glyph?.classList.replace('codicon-check', 'codicon-copy');
    }, 1200);
  }
});

let scrollFrame = false;
window.addEventListener('scroll', () => {
  if (scrollFrame) return;
  scrollFrame = true;
  requestAnimationFrame(() => {
    scrollFrame = false;
    saveViewState({ scrollTop: scroller().scrollTop });
  });
});

const history = byId('history', HTMLDetailsElement);
history.open = viewState().historyOpen;
history.addEventListener('toggle', () => saveViewState({ historyOpen: history.open }));

sendReady();
