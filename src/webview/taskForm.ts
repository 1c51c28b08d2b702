import type { ApproveMode } from '../protocol/run';
import type { RunViewModel, ServerView, SidebarSettings } from '../protocol/webviewMessages';
import { byId, setAttribute, setHidden, setText } from './dom';
import { request } from './requests';
import { describeModels, renderModelSetup } from './setupView';
import { saveViewState, viewState } from './viewState';

const defaultNote = 'Enter to send · Shift+Enter for a new line';
const approveModes: readonly ApproveMode[] = ['step', 'end', 'auto', 'never'];

/**
 * The task box and the approval mode. Enter (or Ctrl/Cmd+Enter) sends; Shift+Enter is a new line.
 * The draft survives hide/show; it is cleared once the host has started the task.
 */
export class TaskForm {
  private readonly input = byId('task-input', HTMLTextAreaElement);
  private readonly send = byId('send', HTMLButtonElement);
  private readonly note = byId('task-note');
  private readonly mode = byId('approval-mode', HTMLSelectElement);
  private readonly restricted = byId('restricted');
  private readonly models = byId('models', HTMLButtonElement);
  private readonly modelsLabel = byId('models-label');
  private readonly form = byId('task-form');
  private sending = false;
  private blocked: string | null = null;
  private modeTarget: SidebarSettings['approvalModeTarget'] = 'workspace';

  constructor() {
    this.input.value = viewState().draft;
    this.input.addEventListener('input', () => {
      saveViewState({ draft: this.input.value });
      this.showNote(null);
    });
    this.input.addEventListener('keydown', (event) => {
      if (event.key !== 'Enter' || event.isComposing || event.shiftKey || event.altKey) return;
      event.preventDefault();
      void this.submit();
    });
    byId('task-form').addEventListener('submit', (event) => {
      event.preventDefault();
      void this.submit();
    });
    this.mode.addEventListener('change', () => {
      const mode = approveModes.find((known) => known === this.mode.value);
      if (mode === undefined) return;
      const where = this.modeTarget === 'workspace' ? "this workspace's settings" : 'your user settings (no folder is open)';
      void request({ method: 'settings/approvalMode', mode }).then(
        () => this.showNote(`Saved to ${where}.`),
        (error: unknown) => this.showNote(message(error), true),
      );
    });
  }

  render(server: ServerView, run: RunViewModel | null, settings: SidebarSettings): void {
    const setupNeeded = renderModelSetup(settings.setup);
    setHidden(this.form, setupNeeded);
    this.modeTarget = settings.approvalModeTarget;
    // The task stays in the box until its run has a plan: a run that fails before planning leaves it there to retry.
    if (run !== null && run.plan !== null && run.finished === null && run.task.trim() === this.input.value.trim() && this.input.value !== '') {
      this.input.value = '';
      saveViewState({ draft: '' });
    }
    this.blocked = setupNeeded
      ? 'Configure a model first.'
      : !settings.trusted
      ? 'Restricted Mode: trust this workspace to start tasks.'
      : server.phase !== 'ready'
        ? 'The agent server is not ready.'
        : run !== null && run.finished === null
          ? 'A run is in progress.'
          : null;
    setHidden(this.restricted, settings.trusted);
    if (this.input.disabled !== !settings.trusted) this.input.disabled = !settings.trusted;
    const disabled = this.sending || this.blocked !== null;
    if (this.send.disabled !== disabled) this.send.disabled = disabled;
    setAttribute(this.send, 'aria-disabled', disabled ? 'true' : null);
    setAttribute(this.send, 'title', this.blocked ?? 'Send (Enter)');
    if (this.mode.value !== settings.approvalMode) this.mode.value = settings.approvalMode;
    const models = describeModels(settings.setup);
    setText(this.modelsLabel, models.text);
    setAttribute(this.models, 'aria-label', models.label);
    const where = settings.approvalModeTarget === 'workspace' ? "this workspace's settings" : 'your user settings';
    setAttribute(this.mode, 'title', `When verified changes reach your files (saved to ${where})`);
  }

  private async submit(): Promise<void> {
    const task = this.input.value.trim();
    if (task === '' || this.sending) return;
    if (this.blocked !== null) {
      this.showNote(this.blocked);
      return;
    }
    this.sending = true;
    this.send.disabled = true;
    this.showNote('Starting…');
    try {
      await request({ method: 'task/start', task });
      this.showNote(null);
    } catch (error) {
      this.showNote(message(error), true);
    } finally {
      this.sending = false;
      this.send.disabled = this.blocked !== null;
    }
  }

  private showNote(text: string | null, isError = false): void {
    setText(this.note, text ?? defaultNote);
    this.note.classList.toggle('error', isError);
  }
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
