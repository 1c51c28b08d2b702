import { stepStatuses, type StepStatus } from '../../protocol/plan';

/**
 * The line syntax of plan.md, shared by the renderer and the parser so the two cannot drift.
 * A step is a block:
 *
 *     <!-- plumbline:step s1 -->
 *     - [ ] **s1** · pending · Title
 *       - Files: `src/a.ts`, `src/b.ts`
 *       - Depends on: s0
 *       - Verify: npm test -- a
 *       - Removes tests: `greets`, `test/old.test.js`
 *       - Instructions:
 *         > first line
 *
 * Instructions come last and every one of their lines starts with `>`, so no instruction text can
 * be mistaken for a field, a heading or a marker.
 */

export const stepsStartMarker = '<!-- plumbline:steps -->';
export const stepsEndMarker = '<!-- plumbline:steps-end -->';
export const stepMarker = (id: string): string => `<!-- plumbline:step ${id} -->`;

const markerPattern = /^\s*<!--\s*plumbline:([a-z-]+)(?:\s+(\S+))?\s*-->\s*$/;

export function parseMarker(line: string): { readonly name: string; readonly arg?: string } | undefined {
  const match = markerPattern.exec(line);
  if (match === null) return undefined;
  const [, name = '', arg] = match;
  return arg === undefined ? { name } : { name, arg };
}

export const isHtmlComment = (line: string): boolean => /^\s*<!--.*-->\s*$/.test(line);

/** Free text outside the steps (task, summary, notes) must never read as a marker. */
export const escapeFreeText = (text: string): string => text.replace(/<!--/g, '&lt;!--');

export interface StepHeader {
  readonly checked: boolean;
  /** Absent when the user wrote no `**id**` (a new step then gets one). */
  readonly id?: string;
  readonly status?: StepStatus;
  readonly title: string;
}

export function renderHeader(step: { id: string; status: StepStatus; title: string }): string {
  return `- [${step.status === 'done' ? 'x' : ' '}] **${step.id}** · ${step.status} · ${step.title}`;
}

const headerPattern = /^\s*[-*+]\s+\[([ xX])\]\s*(.*)$/;
const headerRestPattern = new RegExp(`^(?:\\*\\*([^*]*)\\*\\*|\`([^\`]*)\`)?\\s*(?:·\\s*)?(?:(${stepStatuses.join('|')})\\s*·\\s*)?(.*)$`);

export function parseHeader(line: string): StepHeader | undefined {
  const match = headerPattern.exec(line);
  if (match === null) return undefined;
  const rest = headerRestPattern.exec(match[2] ?? '');
  const checked = match[1] !== ' ';
  const id = (rest?.[1] ?? rest?.[2])?.trim();
  const status = stepStatuses.find((candidate) => candidate === rest?.[3]);
  const title = (rest?.[4] ?? '').trim();
  return { checked, title, ...(id === undefined ? {} : { id }), ...(status === undefined ? {} : { status }) };
}

/** Fields the user may edit on a pending step. */
export const editableLabels = ['Files', 'Depends on', 'Verify', 'Removes tests', 'Instructions'] as const;
export type EditableLabel = (typeof editableLabels)[number];
/** Fields Plumbline writes for information; the parser skips them (and the lines quoted under them). */
export const readOnlyLabels = ['Blocked by', 'MCP tools', 'Routing', 'Model', 'Worker summary', 'Changed files', 'Error'] as const;

const fieldPattern = new RegExp(`^\\s*[-*+]\\s+(${[...editableLabels, ...readOnlyLabels].join('|')}|Attempt \\d+|Review \\d+)\\s*:\\s?(.*)$`, 'i');

export function parseFieldLine(line: string): { readonly label: EditableLabel | 'read-only'; readonly value: string } | undefined {
  const match = fieldPattern.exec(line);
  if (match === null) return undefined;
  const written = (match[1] ?? '').toLowerCase();
  const label = editableLabels.find((candidate) => candidate.toLowerCase() === written);
  return { label: label ?? 'read-only', value: (match[2] ?? '').trim() };
}

/** A field line; text with line breaks goes under it as `>` lines so it stays inside the field. */
export function renderField(label: string, value: string): string[] {
  if (!value.includes('\n')) return [`  - ${label}: ${value}`.trimEnd()];
  return [`  - ${label}:`, ...quoteLines(value)];
}

export const quoteLines = (text: string): string[] => text.split('\n').map((line) => (line === '' ? '    >' : `    > ${line}`));

/** The content of a line under a multi-line field: `>` lines lose the marker, others the block's indent. */
export function unquote(line: string): string {
  const quoted = /^\s*> ?(.*)$/.exec(line);
  return quoted === null ? line.replace(/^ {1,4}/, '') : (quoted[1] ?? '');
}

export const renderFiles = (files: readonly string[]): string => (files.length === 0 ? 'none' : files.map((file) => `\`${file}\``).join(', '));
/** Test names contain commas and spaces: always in backticks. */
export const renderTestNames = renderFiles;
export const renderIds = (ids: readonly string[]): string => (ids.length === 0 ? 'none' : ids.join(', '));

/** `` `a.ts`, `b.ts` `` or `a.ts, b.ts` (one line or several); `none` or nothing for no files. Paths may contain spaces, not commas outside backticks. */
export function parseFiles(value: string): string[] {
  if (value.includes('`')) return [...value.matchAll(/`([^`]*)`/g)].map((match) => (match[1] ?? '').trim()).filter((file) => file !== '');
  if (/^\(?none\)?$/i.test(value.trim())) return [];
  return value.split(/[,\n]/).map((file) => file.trim()).filter((file) => file !== '');
}

/** Ids separated by commas or spaces; backticks and bold around them are tolerated. */
export function parseIds(value: string): string[] {
  if (/^\(?none\)?$/i.test(value.trim())) return [];
  return value
    .split(/[\s,]+/)
    .map((id) => id.replace(/^[`*]+|[`*]+$/g, ''))
    .filter((id) => id !== '');
}

/** Test names as `renderTestNames` writes them (in backticks), or separated by commas without them; `none` for none. */
export function parseTestNames(value: string): string[] {
  return [...new Set(parseFiles(value))];
}
