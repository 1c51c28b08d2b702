import * as vscode from 'vscode';
import { askUserRequest } from '../../protocol/methods';
import type { UserAnswer, UserQuestionParams } from '../../protocol/userQuestion';
import type { AgentServerController } from '../agentServer/serverController';

interface OpenQuestion {
  readonly params: UserQuestionParams;
  readonly settle: (answer: UserAnswer) => void;
}

/**
 * The run's questions to the user in VS Code (`plumbline/user/ask`): each is kept open, oldest
 * first, until the sidebar answers it or the server closes it (a timeout, the run's end). Several
 * may be open at once, one per asking step, and none blocks another: nothing here is modal.
 */
export class OpenQuestions implements vscode.Disposable {
  readonly #open = new Map<string, OpenQuestion>();
  readonly #changed = new vscode.EventEmitter<void>();
  readonly #subscription: { dispose(): unknown };
  readonly onDidChange = this.#changed.event;

  constructor(server: Pick<AgentServerController, 'onRequest'>) {
    this.#subscription = server.onRequest(askUserRequest, (params, token) => this.ask(params, token));
  }

  /** What the sidebar shows. */
  get list(): UserQuestionParams[] {
    return [...this.#open.values()].map((open) => open.params);
  }

  /** Answers an open question; false when it is no longer open (answered, timed out, the run ended). */
  answer(runId: string, questionId: string, answer: string | null): boolean {
    const open = this.#open.get(keyOf(runId, questionId));
    if (open === undefined) return false;
    open.settle({ answer });
    return true;
  }

  dispose(): void {
    for (const open of this.#open.values()) open.settle({ answer: null });
    this.#subscription.dispose();
    this.#changed.dispose();
  }

  private ask(params: UserQuestionParams, token: vscode.CancellationToken): Promise<UserAnswer> {
    const key = keyOf(params.runId, params.questionId);
    return new Promise<UserAnswer>((resolve) => {
      const subscriptions: vscode.Disposable[] = [];
      const settle = (answer: UserAnswer): void => {
        if (this.#open.get(key)?.settle !== settle) return;
        this.#open.delete(key);
        for (const subscription of subscriptions) subscription.dispose();
        resolve(answer);
        this.#changed.fire();
      };
      this.#open.set(key, { params, settle });
      subscriptions.push(token.onCancellationRequested(() => settle({ answer: null })));
      this.#changed.fire();
      if (token.isCancellationRequested) settle({ answer: null });
    });
  }
}

function keyOf(runId: string, questionId: string): string {
  return `${runId}\n${questionId}`;
}
