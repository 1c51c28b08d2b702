import type { SandboxStatus } from '../protocol/sandbox';
import { byId, h, setAttribute, setHidden, setText } from './dom';

/** The sandbox line and what its info toggle opens, as words. */
export interface SandboxPresentation {
  readonly kind: SandboxStatus['kind'];
  readonly icon: string;
  readonly label: string;
  /** What the sandbox (or its absence) means for the tests of unreviewed changes. */
  readonly effect: string;
  /** How to get one; may hold `code` spans. */
  readonly remedy: string | null;
}

/** Pure, so the words are tested without a DOM. */
export function describeSandbox(status: SandboxStatus): SandboxPresentation {
  if (status.kind === 'none') {
    return {
      kind: 'none',
      icon: 'warning',
      label: `Sandbox: none — ${status.detail.replace(/^No sandbox:\s*/i, '')}`,
      effect:
        'Each run asks before tests run on changes you have not reviewed: without a sandbox they would have full access to your files, keys and network. You can review first instead.',
      remedy: status.remedy !== undefined && status.remedy !== '' ? `To get one: ${status.remedy}` : null,
    };
  }
  return {
    kind: status.kind,
    icon: 'shield',
    label: `Sandbox: ${status.detail}`,
    effect: 'Tests and the commands workers run have no network (but the hosts you allow), no home folder, and write only inside their copy of the workspace.',
    remedy: null,
  };
}

/** Text with `code` spans as elements; never parsed as HTML. */
function withCode(text: string): (Node | string)[] {
  return text.split('`').map((part, index) => (index % 2 === 1 ? h('code', {}, part) : part));
}

let rendered = '';

/** Renders the sandbox line in the server card; hidden while the server has not said. */
export function renderSandbox(status: SandboxStatus | null): void {
  const key = JSON.stringify(status);
  if (key === rendered) return;
  rendered = key;
  const root = byId('sandbox', HTMLDetailsElement);
  setHidden(root, status === null);
  if (status === null) return;
  const view = describeSandbox(status);
  root.dataset.kind = view.kind;
  byId('sandbox-icon').className = `codicon codicon-${view.icon}`;
  setText(byId('sandbox-label'), view.label);
  setAttribute(byId('sandbox-summary'), 'title', view.label);
  setText(byId('sandbox-effect'), view.effect);
  const remedy = byId('sandbox-remedy');
  remedy.replaceChildren(...(view.remedy === null ? [] : withCode(view.remedy)));
  setHidden(remedy, view.remedy === null);
}
