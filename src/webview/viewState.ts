import * as z from 'zod';
import { host } from './vscodeApi';

/**
 * View state VS Code keeps across hide/show and reloads: only what the user was doing in this view
 * (the draft, the scroll position, whether the history is open). Everything about the run comes
 * from the host's snapshot. Validated because it comes back from storage.
 */
const viewStateSchema = z
  .object({
    draft: z.string().catch(''),
    scrollTop: z.number().nonnegative().catch(0),
    historyOpen: z.boolean().catch(false),
  })
  .catch({ draft: '', scrollTop: 0, historyOpen: false });
export type ViewState = z.infer<typeof viewStateSchema>;

let current: ViewState = viewStateSchema.parse(host.getState() ?? {});

export function viewState(): ViewState {
  return current;
}

export function saveViewState(patch: Partial<ViewState>): void {
  current = { ...current, ...patch };
  host.setState(current);
}
