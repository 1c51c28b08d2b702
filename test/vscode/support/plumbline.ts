import * as vscode from 'vscode';
import type { PlumblineApi } from '../../../src/client/api';
import type { ServerView } from '../../../src/protocol/webviewMessages';

export const extensionId = 'plumbline.plumbline';

/** Activates the extension (once) and returns its API. */
export async function plumbline(): Promise<PlumblineApi> {
  const extension = vscode.extensions.getExtension<PlumblineApi>(extensionId);
  if (extension === undefined) throw new Error(`${extensionId} is not installed in this VS Code`);
  if (extension.isActive) return extension.exports;
  return extension.activate();
}

/** Polls `check` until it returns a value, or fails with `what` after `timeoutMs`. */
export async function waitFor<T>(what: string, check: () => Promise<T | undefined> | T | undefined, timeoutMs = 20000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}${lastError instanceof Error ? ` (last error: ${lastError.message})` : ''}`);
}

export function waitForPhase(api: PlumblineApi, phase: ServerView['phase'], timeoutMs = 30000): Promise<ServerView> {
  return waitFor(`the agent server to be ${phase} (it is ${api.server.view.phase})`, () =>
    api.server.view.phase === phase ? api.server.view : undefined, timeoutMs);
}

/** Records every server phase change from now on. */
export function recordPhases(api: PlumblineApi): { phases: ServerView['phase'][]; dispose(): void } {
  const phases: ServerView['phase'][] = [];
  const subscription = api.server.onDidChange((view) => {
    if (phases[phases.length - 1] !== view.phase) phases.push(view.phase);
  });
  return {
    phases,
    dispose: () => {
      subscription.dispose();
    },
  };
}
