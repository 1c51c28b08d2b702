import type { ServerView } from '../protocol/webviewMessages';

interface PhasePresentation {
  readonly icon: string;
  readonly spin: boolean;
  readonly title: (view: ServerView) => string;
}

const phases: Record<ServerView['phase'], PhasePresentation> = {
  starting: { icon: 'loading', spin: true, title: () => 'Starting the agent server…' },
  ready: { icon: 'pass-filled', spin: false, title: (v) => `Agent server ready${v.version !== null ? ` · v${v.version}` : ''}` },
  restarting: { icon: 'sync', spin: true, title: () => 'Agent server restarting…' },
  stopped: { icon: 'circle-slash', spin: false, title: () => 'Agent server stopped' },
  failed: { icon: 'error', spin: false, title: () => 'Agent server is not running' },
};

/** Renders the server status block in place: no element is recreated, so nothing flickers. */
export function renderServerStatus(root: HTMLElement, view: ServerView): void {
  const presentation = phases[view.phase];
  root.dataset.phase = view.phase;
  const icon = root.querySelector<HTMLElement>('#server-icon');
  const title = root.querySelector<HTMLElement>('#server-title');
  const message = root.querySelector<HTMLElement>('#server-message');
  if (icon !== null) {
    icon.className = `codicon codicon-${presentation.icon}${presentation.spin ? ' codicon-modifier-spin' : ''}`;
  }
  if (title !== null) title.textContent = presentation.title(view);
  if (message !== null) {
    message.textContent = view.message ?? '';
    message.hidden = view.message === null;
  }
}
