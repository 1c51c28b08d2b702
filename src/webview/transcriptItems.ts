import type { TranscriptItem } from '../protocol/webviewMessages';
import { describeCost } from '../protocol/cost';
import { formatCost, h, icon, plural } from './dom';
import { renderMarkdown } from './markdown';
import { testCounts } from './testCounts';

type Item<K extends TranscriptItem['kind']> = Extract<TranscriptItem, { kind: K }>;

const stepIcons: Record<Item<'step'>['status'], string> = { started: 'debug-start', done: 'pass-filled', failed: 'error', cancelled: 'circle-slash' };
const verdictIcons: Record<Item<'verification'>['verdict'], string> = { passed: 'pass-filled', failed: 'error', unverified: 'question' };
const finishedIcons: Record<Item<'finished'>['status'], string> = { completed: 'pass-filled', failed: 'error', cancelled: 'circle-slash' };
const noticeIcons: Record<Item<'notice'>['level'], string> = { info: 'info', warning: 'warning', error: 'error' };

function article(item: TranscriptItem, label: string, className: string, ...children: (Node | string | null | false)[]): HTMLElement {
  return h('article', { class: `item item-${item.kind} ${className}`.trim(), 'data-item-id': String(item.id), 'aria-label': label }, ...children);
}

function line(iconName: string, tone: string, ...content: (Node | string | null | false)[]): HTMLElement {
  return h('div', { class: 'item-line' }, h('span', { class: `item-icon tone-${tone}` }, icon(iconName)), h('div', { class: 'item-body' }, ...content));
}

function markdownBlock(text: string): HTMLElement {
  const body = h('div', { class: 'markdown' });
  renderMarkdown(body, text);
  return body;
}

function stepLabel(stepId: string | null): string {
  return stepId === null ? 'the baseline' : stepId;
}

/** Tests named under a verification: those gone without the step saying so, or as it declared. */
function testNames(label: string, className: string, names: readonly string[] | undefined): HTMLElement | null {
  if (names === undefined || names.length === 0) return null;
  return h('p', { class: `item-detail ${className}` }, `${label}: `, ...names.flatMap((name, index) => [index > 0 ? ', ' : '', h('code', {}, name)]));
}

function files(paths: readonly string[]): HTMLElement | null {
  if (paths.length === 0) return null;
  return h('ul', { class: 'file-list', 'aria-label': 'Files' }, ...paths.map((path) => h('li', {}, h('code', {}, path))));
}

/** One transcript item as a node; built from text, except model text, which goes through the sanitizer. */
export function renderItem(item: TranscriptItem): HTMLElement {
  switch (item.kind) {
    case 'task':
      return article(item, 'Your task', '', line('account', 'neutral', h('p', { class: 'task-text' }, item.text)));
    case 'text':
      return article(item, 'Plumbline', '', line('hubot', 'neutral', markdownBlock(item.text)));
    case 'plan':
      return article(item, 'Plan', '', line('checklist', 'info', h('p', {}, h('strong', {}, `Planned ${plural(item.steps, 'step')}`), ': ', item.summary)));
    case 'step': {
      const verb = { started: 'started', done: 'done', failed: 'failed', cancelled: 'cancelled' }[item.status];
      const tone = item.status === 'done' ? 'passed' : item.status === 'failed' ? 'failed' : 'neutral';
      return article(
        item,
        `Step ${item.stepId} ${verb}`,
        `status-${item.status}`,
        line(
          stepIcons[item.status],
          tone,
          h('p', {}, h('strong', {}, `Step ${item.stepId} ${verb}`), ' · ', item.title),
          item.detail !== null && item.detail !== '' ? h('p', { class: 'item-detail' }, item.status === 'started' ? `Worker: ${item.detail}` : item.detail) : null,
          files(item.changedFiles),
        ),
      );
    }
    case 'tool': {
      const first = item.detail.split('\n', 1)[0] ?? '';
      const row = article(
        item,
        `Tool ${item.tool} ${item.ok ? 'succeeded' : 'failed'}`,
        `compact${item.ok ? '' : ' tool-failed'}`,
        line(
          item.ok ? 'tools' : 'warning',
          item.ok ? 'neutral' : 'failed',
          h(
            'details',
            { class: 'tool-details' },
            h('summary', {}, h('code', {}, item.tool), item.stepId !== null ? ` · ${item.stepId}` : '', item.ok ? '' : ' · failed', first !== '' ? ` — ${first.slice(0, 80)}` : ''),
            h('pre', { class: 'tool-output' }, item.detail),
          ),
        ),
      );
      if (item.stepId !== null) row.dataset.stepId = item.stepId;
      return row;
    }
    case 'verification': {
      const what = item.verdict === 'passed' ? 'Tests passed' : item.verdict === 'failed' ? 'Tests failed' : 'Not verified';
      const attempt = item.attempt !== null ? ` (attempt ${item.attempt})` : '';
      const counts = testCounts(item);
      return article(
        item,
        `${what} for ${stepLabel(item.stepId)}`,
        `verdict-${item.verdict}`,
        line(
          verdictIcons[item.verdict],
          item.verdict === 'passed' ? 'passed' : item.verdict === 'failed' ? 'failed' : 'neutral',
          h('p', {}, h('strong', {}, `${item.verdict === 'passed' ? '✓' : item.verdict === 'failed' ? '✗' : '?'} ${what}`), ` for ${stepLabel(item.stepId)}${attempt}`, counts !== '' ? ` · ${counts}` : ''),
          h('p', { class: 'item-detail' }, item.reason, item.command !== null ? h('span', {}, ' · ', h('code', {}, item.command)) : null),
          testNames('No longer run (passed before the run)', 'tests-missing', item.missing),
          testNames('Removed or renamed as the step declares', 'tests-removed', item.removed),
        ),
      );
    }
    case 'review': {
      const applied = item.applied.map((entry) => `${entry.path} (${entry.hunks}/${entry.of} ${entry.of === 1 ? 'change' : 'changes'})`);
      return article(
        item,
        'Review outcome',
        '',
        line(
          'git-pull-request',
          item.rejected.length + item.conflicts.length > 0 ? 'warning' : 'passed',
          h('p', {}, h('strong', {}, applied.length > 0 ? `Applied ${plural(applied.length, 'file')}` : 'Nothing applied')),
          files(applied),
          item.rejected.length > 0 ? h('p', { class: 'item-detail' }, `Not accepted: ${item.rejected.join(', ')}`) : null,
          ...item.conflicts.map((conflict) => h('p', { class: 'item-detail' }, `Kept your version of ${conflict.path}: ${conflict.reason}`)),
        ),
      );
    }
    case 'notice':
      return article(item, item.level, `level-${item.level}`, line(noticeIcons[item.level], item.level === 'info' ? 'info' : item.level === 'warning' ? 'warning' : 'failed', h('p', {}, item.text)));
    case 'finished':
      return article(
        item,
        `Run ${item.status}`,
        `finished status-${item.status}`,
        line(
          finishedIcons[item.status],
          item.status === 'completed' ? 'passed' : item.status === 'failed' ? 'failed' : 'neutral',
          h('p', {}, h('strong', {}, `Run ${item.status}`), ` · ${item.cost !== undefined ? describeCost({ usd: item.cost.usd, unpricedCalls: item.cost.unpricedCalls, ...(item.cost.tokens !== undefined ? { tokens: item.cost.tokens } : {}) }, formatCost) : formatCost(item.costUsd)}`),
          h('div', { class: 'run-summary' }, markdownBlock(summaryMarkdown(item.summary))),
        ),
      );
  }
}

/**
 * The run summary is a line per fact with a list of steps in the middle. In markdown, lines run
 * together into one paragraph (and a plain line after a list item continues the item), so each
 * plain line becomes its own paragraph; list items stay one list.
 */
export function summaryMarkdown(text: string): string {
  return text
    .split('\n')
    .map((line) => (/^([-*] |\s)/.test(line) || line === '' ? line : `\n${line}\n`))
    .join('\n');
}

/** What a screen reader hears when an item arrives (streamed text and tool calls stay quiet). */
export function announcement(item: TranscriptItem): string | undefined {
  switch (item.kind) {
    case 'plan':
      return `Planned ${plural(item.steps, 'step')}.`;
    case 'step':
      return item.status === 'started' ? undefined : `Step ${item.stepId} ${item.status}.`;
    case 'verification':
      return `Tests ${item.verdict} for ${stepLabel(item.stepId)}.`;
    case 'finished':
      return `Run ${item.status}.`;
    case 'notice':
      return item.level === 'info' ? undefined : item.text;
    default:
      return undefined;
  }
}
