import { isHtmlComment, parseFieldLine, parseFiles, parseHeader, parseTestNames, parseIds, parseMarker, stepsEndMarker, stepsStartMarker, unquote, type EditableLabel, type StepHeader } from './planFormat';
import { normalizeText } from '../../protocol/plan';

/**
 * The syntactic half of reading plan.md back: finds the step blocks between the steps markers and
 * their editable fields, with line numbers for error messages. What the blocks mean (which step,
 * whether the edit is allowed) is decided by `parsePlanEdit`. Everything outside the markers is
 * Plumbline's to rewrite and is not read.
 */

export interface DocumentStep {
  /** 1-based line of the block's first line, for messages. */
  readonly line: number;
  /** The id in `<!-- plumbline:step id -->`: which existing step this block is. Absent for a new block. */
  readonly markerId?: string;
  readonly header: StepHeader;
  /** Absent fields were not written; the caller decides what absence means. */
  readonly files?: string[];
  readonly dependsOn?: string[];
  readonly verify?: string;
  readonly removesTests?: string[];
  readonly instructions?: string;
}

export type DocumentResult = { readonly ok: true; readonly steps: DocumentStep[] } | { readonly ok: false; readonly errors: string[] };

interface OpenBlock {
  readonly line: number;
  readonly markerId?: string;
  header?: StepHeader;
  readonly fields: Map<EditableLabel, string[]>;
  /** The field whose continuation lines are being collected; `read-only` ones are dropped. */
  open?: { readonly label: EditableLabel | 'read-only'; readonly lines: string[] };
  hasContent: boolean;
}

/** Fields that may continue on the following lines; only Verify must fit on its own line. */
const multiLine: ReadonlySet<string> = new Set(['Instructions', 'Files', 'Depends on', 'Removes tests', 'read-only']);

export function parsePlanDocument(markdown: string): DocumentResult {
  const lines = markdown.split(/\r?\n/);
  const start = lines.findIndex((line) => line.trim() === stepsStartMarker);
  if (start < 0) return { ok: false, errors: [`The line ${stepsStartMarker} that starts the steps is missing; put it back above the first step.`] };
  const after = lines.slice(start + 1);
  // Without its end marker the steps end at the next section heading (Notes, Summary of changes).
  const endMarker = after.findIndex((line) => line.trim() === stepsEndMarker);
  const endOffset = endMarker >= 0 ? endMarker : after.findIndex((line) => /^##\s/.test(line));

  const errors: string[] = [];
  const blocks: OpenBlock[] = [];
  const region = lines.slice(start + 1, endOffset < 0 ? undefined : start + 1 + endOffset);
  region.forEach((text, index) => {
    const line = start + 2 + index;
    const marker = parseMarker(text);
    const header = marker === undefined ? parseHeader(text) : undefined;
    let block = blocks.at(-1);
    if (marker?.name === 'step') {
      blocks.push({ line, ...(marker.arg === undefined ? {} : { markerId: marker.arg }), fields: new Map(), hasContent: false });
      return;
    }
    if (header !== undefined) {
      if (block === undefined || block.header !== undefined) {
        block = { line, fields: new Map(), hasContent: false };
        blocks.push(block);
      }
      block.header = header;
      block.hasContent = true;
      delete block.open;
      return;
    }
    const field = parseFieldLine(text);
    if (field !== undefined && block !== undefined) {
      block.hasContent = true;
      if (field.label !== 'read-only' && block.fields.has(field.label)) {
        errors.push(`Line ${line}: a second "${field.label}" line in one step; keep only one.`);
      }
      const collected = field.value === '' ? [] : [field.value];
      if (field.label !== 'read-only') block.fields.set(field.label, collected);
      block.open = { label: field.label, lines: collected };
      return;
    }
    const list = block?.open?.label === 'Files' || block?.open?.label === 'Depends on' || block?.open?.label === 'Removes tests';
    // A list of files or ids ends at a blank line or another list item; prose (instructions, details) may contain both.
    if (list && (text.trim() === '' || /^\s*[-*+]\s/.test(text))) delete block?.open;
    if (block?.open !== undefined && multiLine.has(block.open.label)) {
      block.open.lines.push(unquote(text));
      return;
    }
    if (text.trim() === '' || isHtmlComment(text)) return;
    if (block === undefined) {
      errors.push(`Line ${line}: "${text.trim()}" is outside any step; steps start with a line like "- [ ] **new** · pending · Title".`);
    } else {
      block.hasContent = true;
      errors.push(
        `Line ${line}: "${text.trim()}" is not part of any field of the step; the fields are "- Files:", "- Depends on:", "- Verify:", "- Removes tests:" and "- Instructions:" followed by "> " lines.`,
      );
    }
  });

  const steps: DocumentStep[] = [];
  for (const block of blocks) {
    if (block.header === undefined) {
      // A marker left behind after the user deleted the step's visible lines: the step was removed.
      if (!block.hasContent) continue;
      errors.push(`Line ${block.line}: the step${block.markerId === undefined ? '' : ` "${block.markerId}"`} has no heading line like "- [ ] **id** · pending · Title"; put it back, or delete the whole block to remove the step.`);
      continue;
    }
    steps.push(toStep(block, block.header));
  }
  return errors.length > 0 ? { ok: false, errors } : { ok: true, steps };
}

function toStep(block: OpenBlock, header: StepHeader): DocumentStep {
  const value = (label: EditableLabel): string | undefined => block.fields.get(label)?.join('\n');
  const files = value('Files');
  const dependsOn = value('Depends on');
  const verify = value('Verify')?.trim();
  const removesTests = value('Removes tests');
  const instructions = value('Instructions');
  return {
    line: block.line,
    header,
    ...(block.markerId === undefined ? {} : { markerId: block.markerId }),
    ...(files === undefined ? {} : { files: parseFiles(files) }),
    ...(dependsOn === undefined ? {} : { dependsOn: parseIds(dependsOn) }),
    ...(verify === undefined || verify === '' ? {} : { verify }),
    ...(removesTests === undefined ? {} : { removesTests: parseTestNames(removesTests) }),
    ...(instructions === undefined ? {} : { instructions: normalizeText(instructions) }),
  };
}
