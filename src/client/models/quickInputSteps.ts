import * as vscode from 'vscode';

/** What a step of a multi-step quick input ends with: a choice, Back, or nothing (Escape). */
export type StepResult<T> = { readonly kind: 'picked'; readonly value: T } | { readonly kind: 'back' } | { readonly kind: 'cancelled' };

export interface PickStep<T extends vscode.QuickPickItem> {
  readonly title: string;
  readonly step: number;
  readonly totalSteps: number;
  readonly placeholder: string;
  readonly items: readonly T[];
  /** Offers a Back button (every step but the first). */
  readonly back: boolean;
  /** An item made from what the user typed, shown first while it is valid (a URL, a model id). */
  readonly typed?: (value: string) => T | undefined;
  /** The item to have active when the step opens. */
  readonly active?: (item: T) => boolean;
}

/** One quick pick step: Enter picks the active item (or the typed one); Back and Escape say so. */
export function pickStep<T extends vscode.QuickPickItem>(step: PickStep<T>): Promise<StepResult<T>> {
  const pick = vscode.window.createQuickPick<T>();
  pick.title = step.title;
  pick.step = step.step;
  pick.totalSteps = step.totalSteps;
  pick.placeholder = step.placeholder;
  pick.ignoreFocusOut = true;
  pick.matchOnDescription = true;
  pick.buttons = step.back ? [vscode.QuickInputButtons.Back] : [];
  const refresh = (): void => {
    const typed = step.typed?.(pick.value.trim());
    // An item made from the value always matches the filter: keep it visible whatever was typed.
    if (typed !== undefined) typed.alwaysShow = true;
    pick.items = typed !== undefined ? [typed, ...step.items] : step.items;
  };
  refresh();
  const active = step.active === undefined ? undefined : step.items.find(step.active);
  if (active !== undefined) pick.activeItems = [active];
  return new Promise((resolve) => {
    let settled = false;
    const settle = (result: StepResult<T>): void => {
      if (settled) return;
      settled = true;
      resolve(result);
      pick.hide();
    };
    pick.onDidChangeValue(refresh);
    pick.onDidTriggerButton((button) => {
      if (button === vscode.QuickInputButtons.Back) settle({ kind: 'back' });
    });
    pick.onDidAccept(() => {
      const chosen = pick.activeItems[0] ?? pick.selectedItems[0];
      if (chosen !== undefined) settle({ kind: 'picked', value: chosen });
    });
    pick.onDidHide(() => {
      settle({ kind: 'cancelled' });
      pick.dispose();
    });
    pick.show();
  });
}

/** A password box for a key, with a Back button; the key goes nowhere but the caller's SecretStorage. */
export function keyStep(options: { title: string; step: number; totalSteps: number; prompt: string; optional: boolean }): Promise<StepResult<string>> {
  const input = vscode.window.createInputBox();
  input.title = options.title;
  input.step = options.step;
  input.totalSteps = options.totalSteps;
  input.prompt = options.prompt;
  input.password = true;
  input.ignoreFocusOut = true;
  input.buttons = [vscode.QuickInputButtons.Back];
  const problem = (value: string): string | undefined =>
    value.trim() === '' ? (options.optional ? undefined : 'Paste the key, or press Escape to cancel.') : /\s/.test(value.trim()) ? 'A key has no spaces in it.' : undefined;
  return new Promise((resolve) => {
    let settled = false;
    const settle = (result: StepResult<string>): void => {
      if (settled) return;
      settled = true;
      resolve(result);
      input.hide();
    };
    input.onDidChangeValue((value) => (input.validationMessage = problem(value)));
    input.onDidTriggerButton(() => settle({ kind: 'back' }));
    input.onDidAccept(() => {
      if (problem(input.value) === undefined) settle({ kind: 'picked', value: input.value.trim() });
    });
    input.onDidHide(() => {
      settle({ kind: 'cancelled' });
      input.dispose();
    });
    input.show();
  });
}
