import type { HostToWebview } from '../../protocol/webviewMessages';

/**
 * Batches what the host sends the sidebar: a model streams a token at a time, and one
 * `postMessage` per token would flood the webview. Messages wait a frame; consecutive text deltas
 * of one item are joined, consecutive appends are merged, and only the newest run state is sent.
 * Order is otherwise kept. Free of `vscode`, so it is unit-tested directly.
 */
export class SidebarOutbox {
  private queue: HostToWebview[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly deliver: (message: HostToWebview) => void,
    private readonly delayMs = 16,
  ) {}

  get pending(): readonly HostToWebview[] {
    return this.queue;
  }

  push(message: HostToWebview): void {
    const last = this.queue[this.queue.length - 1];
    if (message.type === 'transcript/text' && last?.type === 'transcript/text' && last.id === message.id) {
      this.queue[this.queue.length - 1] = { ...last, delta: last.delta + message.delta };
    } else if (message.type === 'transcript/append' && last?.type === 'transcript/append') {
      this.queue[this.queue.length - 1] = { ...last, items: [...last.items, ...message.items] };
    } else if (message.type === 'run/state') {
      this.queue = this.queue.filter((queued) => queued.type !== 'run/state');
      this.queue.push(message);
    } else if (message.type === 'transcript/reset') {
      // A new transcript makes every queued change to the old one moot.
      this.queue = this.queue.filter((queued) => !queued.type.startsWith('transcript/'));
      this.queue.push(message);
    } else {
      this.queue.push(message);
    }
    this.timer ??= setTimeout(() => this.flush(), this.delayMs);
  }

  /** Drops what is queued: a full snapshot is about to supersede it. */
  clear(): void {
    this.queue = [];
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  flush(): void {
    const queue = this.queue;
    this.clear();
    for (const message of queue) this.deliver(message);
  }

  dispose(): void {
    this.clear();
  }
}
