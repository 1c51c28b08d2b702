import type { ModelSetupView } from '../protocol/webviewMessages';
import { byId, setHidden, setText } from './dom';

/**
 * Before a model is set up (or while the one configured lacks a key or a base URL), the composer
 * shows why and a Configure Models button instead of a task box that would fail. True when shown.
 */
export function renderModelSetup(setup: ModelSetupView): boolean {
  const needed = setup.state === 'needed';
  setHidden(byId('setup'), !needed);
  setText(byId('setup-problem'), setup.problem ?? '');
  return needed;
}

/** The models line under the task box: what runs will use, only once it is known to be usable. */
export function describeModels(setup: ModelSetupView): { text: string; label: string } {
  if (setup.state === 'checking') return { text: 'Models: checking…', label: 'Models: checking. Configure Models' };
  if (setup.state === 'needed' || setup.models === null) return { text: 'Models: not configured', label: 'No model is configured. Configure Models' };
  const entries = Object.entries(setup.models);
  const names = new Set(entries.map(([, model]) => model));
  const text = names.size === 1 ? `Models: ${entries[0]?.[1] ?? ''}` : `Models: ${entries.map(([role, model]) => `${role} ${model}`).join(' · ')}`;
  return { text, label: `${text.replace(/·/g, ',')}. Configure Models` };
}
