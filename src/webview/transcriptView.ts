import type { Transcript, TranscriptItem } from '../protocol/webviewMessages';
import { h, icon, plural, setHidden, setText } from './dom';
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
      this.list.replaceChildren();
      for (const item of this.items.slice(-this.visible)) this.place(item);
    } else {
      const fresh = new Set(this.added);
      for (const item of this.items) if (fresh.has(item.id) && !this.nodes.has(item.id)) this.place(item);
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

  /**
   * Appends an item's node. Tool calls in a row go into one collapsed group ("5 tool calls"), so
   * the keyboard stops once at the group instead of at every call; opening it shows each call.
   */
  private place(item: TranscriptItem): void {
    const node = renderItem(item);
    this.nodes.set(item.id, node);
    if (item.kind !== 'tool') {
      this.list.append(node);
      return;
    }
    const last = this.list.lastElementChild;
    const group = last instanceof HTMLElement && last.classList.contains('tool-group') ? last : toolGroup();
    if (group !== last) this.list.append(group);
    group.querySelector('.tool-group-items')?.append(node);
    describeToolGroup(group);
  }

  /** Keeps the DOM to the last `visible` items, so a long run stays responsive. */
  private trim(): void {
    while (this.nodes.size > this.visible) {
      const first = this.list.firstElementChild;
      if (!(first instanceof HTMLElement)) break;
      // A group gives up its oldest call; the group goes with its last one.
      const row = first.classList.contains('tool-group') ? first.querySelector<HTMLElement>('.tool-group-items > [data-item-id]') : first;
      if (row === null) {
        first.remove();
        continue;
      }
      row.remove();
      this.nodes.delete(Number(row.dataset.itemId));
      if (row !== first) {
        if (first.querySelector('.tool-group-items > [data-item-id]') === null) first.remove();
        else describeToolGroup(first);
      }
    }
  }
}

function toolGroup(): HTMLElement {
  return h('details', { class: 'tool-group' }, h('summary', { class: 'tool-group-summary' }), h('div', { class: 'tool-group-items' }));
}

/** "3 tool calls · s1, s2 · 1 failed": what the group holds, as its one focusable line. */
function describeToolGroup(group: HTMLElement): void {
  const rows = [...group.querySelectorAll<HTMLElement>('.tool-group-items > [data-item-id]')];
  const failed = rows.filter((row) => row.classList.contains('tool-failed')).length;
  const steps = [...new Set(rows.map((row) => row.dataset.stepId).filter((id): id is string => id !== undefined && id !== ''))];
  const summary = group.querySelector('.tool-group-summary');
  if (summary === null) return;
  const text = `${plural(rows.length, 'tool call')}${steps.length > 0 ? ` · ${steps.join(', ')}` : ''}${failed > 0 ? ` · ${failed} failed` : ''}`;
  summary.replaceChildren(icon(failed > 0 ? 'warning' : 'tools'), ` ${text}`);
  group.classList.toggle('has-failed', failed > 0);
}
