/**
 * A single-consumer async queue: producers push from callbacks (notifications, events), the
 * consumer iterates with `for await`. `end()` finishes the iteration, `fail()` makes it throw.
 */
export class AsyncQueue<T> implements AsyncIterable<T> {
  private readonly items: T[] = [];
  private waiting: (() => void) | undefined;
  private finished = false;
  private failure: { error: unknown } | undefined;

  push(item: T): void {
    if (this.finished) return;
    this.items.push(item);
    this.wake();
  }

  end(): void {
    this.finished = true;
    this.wake();
  }

  fail(error: unknown): void {
    if (this.finished) return;
    this.failure = { error };
    this.finished = true;
    this.wake();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    for (;;) {
      const next = this.items.shift();
      if (next !== undefined) {
        yield next;
        continue;
      }
      if (this.failure !== undefined) throw this.failure.error;
      if (this.finished) return;
      await new Promise<void>((resolve) => (this.waiting = resolve));
    }
  }

  private wake(): void {
    const waiting = this.waiting;
    this.waiting = undefined;
    waiting?.();
  }
}
