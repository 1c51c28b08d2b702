import type { Transcript, TranscriptItem } from '../protocol/webviewMessages';
import { plural, setHidden, setText } from './dom';
import { renderMarkdown } from './markdown';
import { announcement, renderItem } from './transcriptItems';

/** How many items the DOM holds at first; "Show earlier" adds a page at a time. */
const initialVisible = 120;
const pageSize = 100;
/** The host keeps 400; appends beyond that are bounded here too. */
const maxItems = 600;

/**
 * The chat transcript. Updates are recorded as they arrive and applied once per animation frame:
 * new items are appended as nodes, a streaming text item re-renders only itself, and the DOM keeps
 * only the last items (older ones come back with "Show earlier"). Nothing re-renders everything
 * except a reset (a new run, or the snapshot after a reload).
 */
export class TranscriptView {
  private items: TranscriptItem[] = [];
  private dropped = 0;
  private readonly nodes = new Map<number, HTMLElement>();
  private added: number[] = [];
  private readonly grown = new Set<number>();
  private rebuild = true;
  private visible = initialVisible;

  constructor(
    private readonly list: HTMLElement,
    private readonly earlier: HTMLButtonElement,
    private readonly empty: HTMLElement,
    private readonly requestRender: () => void,
    private readonly announce: (text: string) => void,
  ) {
    earlier.addEventListener('click', () => {
      this.visible += pageSize;
      this.rebuild = true;
      this.requestRender();
    });
  }

  get size(): number {
    return this.items.length;
  }

  reset(transcript: Transcript): void {
    this.items = [...transcript.items];
    this.dropped = transcript.dropped;
    this.added = [];
    this.grown.clear();
    this.visible = initialVisible;
    this.rebuild = true;
    this.requestRender();
  }

  append(items: readonly TranscriptItem[]): void {
    for (const item of items) {
      if (this.items.some((known) => known.id === item.id)) continue;
      this.items.push(item);
      this.added.push(item.id);
      const spoken = announcement(item);
      if (spoken !== undefined) this.announce(spoken);
    }
    while (this.items.length > maxItems) {
      this.items.shift();
      this.dropped += 1;
    }
    this.requestRender();
  }

  appendText(id: number, delta: string): void {
    for (let index = this.items.length - 1; index >= 0; index--) {
      const item = this.items[index];
      if (item?.id !== id) continue;
      if (item.kind === 'text') {
        this.items[index] = { ...item, text: item.text + delta };
        this.grown.add(id);
        this.requestRender();
      }
      return;
    }
  }

  /** Applies what changed since the last frame. */
  render(): void {
    if (this.rebuild) {
      this.rebuild = false;
      this.nodes.clear();
      this.list.replaceChildren(...this.items.slice(-this.visible).map((item) => this.create(item)));
    } else {
      const fresh = new Set(this.added);
      for (const item of this.items) if (fresh.has(item.id) && !this.nodes.has(item.id)) this.list.append(this.create(item));
      for (const id of this.grown) {
        const item = this.items.find((candidate) => candidate.id === id);
        const body = this.nodes.get(id)?.querySelector<HTMLElement>('.markdown');
        if (item?.kind === 'text' && body !== null && body !== undefined) renderMarkdown(body, item.text);
      }
    }
    this.added = [];
    this.grown.clear();
    this.trim();
    const hiddenCount = this.items.length - this.nodes.size;
    setHidden(this.earlier, hiddenCount <= 0 && this.dropped === 0);
    this.earlier.disabled = hiddenCount <= 0;
    setText(
      this.earlier,
      hiddenCount > 0 ? `Show ${plural(Math.min(hiddenCount, pageSize), 'earlier message')}` : `${plural(this.dropped, 'earlier message')} no longer kept`,
    );
    setHidden(this.empty, this.items.length > 0);
  }

  private create(item: TranscriptItem): HTMLElement {
    const node = renderItem(item);
    this.nodes.set(item.id, node);
    return node;
  }

  /** Keeps the DOM to the last `visible` items, so a long run stays responsive. */
  private trim(): void {
    while (this.nodes.size > this.visible) {
      const first = this.list.firstElementChild;
      if (!(first instanceof HTMLElement)) break;
      first.remove();
      this.nodes.delete(Number(first.dataset.itemId));
    }
  }
}
