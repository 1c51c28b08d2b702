import { parsePlanDocument, type DocumentStep } from './parsePlanDocument';
import { stepMarker } from './planFormat';
import {
  finishedPlanStatuses,
  finishedStatuses,
  maxFilesPerStep,
  maxRemovedTests,
  maxSteps,
  normalizeText,
  stepIdPattern,
  stepIdRule,
  type Plan,
  type PlanStep,
  type ValidationContext,
} from '../../protocol/plan';
import { renderPlanMarkdown } from './renderPlan';
import { checkSteps, defaultNormalizePath, normalizeStepFiles } from './validatePlan';

/**
 * Reads the user's edit of plan.md back into the plan.
 *
 * Allowed: rewording a pending step (title, instructions, Verify), changing its Files, Depends on
 * and Removes tests, reordering blocks, deleting a pending step's block, adding a step (an id of `new`, `?` or
 * none gets `u1`, `u2`, …).
 *
 * Edits to steps that have left `pending` are IGNORED and reported in `changes` ("ignored edit to
 * running step s2 (title)"), not rejected. The engine keeps running while the user types, so a
 * step that was pending when the document was rendered may have started by the time it is saved;
 * rejecting would throw away the user's other, still valid edits. Such steps keep their fields, and
 * their order among themselves; a deleted one is put back. Once the whole plan has ended, every
 * edit is ignored the same way. Status words and checkboxes are always Plumbline's.
 *
 * Structural problems in what the user asked for (unknown or cyclic dependencies, duplicate ids,
 * two concurrent steps owning a file, a missing title or instructions) are errors; the current plan
 * is untouched and the caller keeps it.
 */

export type PlanEditResult = { readonly ok: true; readonly plan: Plan; readonly changes: string[] } | { readonly ok: false; readonly errors: string[] };

const placeholderIds: ReadonlySet<string> = new Set(['new', '?']);

type Entry = { readonly kind: 'existing'; readonly step: PlanStep; readonly doc: DocumentStep } | { readonly kind: 'new'; readonly id?: string; readonly doc: DocumentStep };

export function parsePlanEdit(markdown: string, current: Plan, context: ValidationContext = { normalizePath: defaultNormalizePath }): PlanEditResult {
  const document = parsePlanDocument(markdown);
  if (finishedPlanStatuses.has(current.status)) return ignoreAll(document, current);
  if (!document.ok) return { ok: false, errors: document.errors };

  const errors: string[] = [];
  const applied: string[] = [];
  const ignored: string[] = [];
  const byId = new Map(current.steps.map((step) => [step.id, step]));
  const entries = bindBlocks(document.steps, byId, errors);
  const taken = new Set([...byId.keys(), ...entries.flatMap((entry) => (entry.kind === 'new' && entry.id !== undefined ? [entry.id] : []))]);
  let counter = 0;
  const nextId = (): string => {
    do counter += 1;
    while (taken.has(`u${counter}`));
    return `u${counter}`;
  };

  const result = new Map<string, PlanStep>();
  const order: string[] = [];
  for (const entry of entries) {
    if (entry.kind === 'new') {
      const id = entry.id ?? nextId();
      const fields = readFields(entry.doc, id, context, errors);
      result.set(id, { id, ...fields, status: 'pending', attempts: [], changedFiles: [] });
      order.push(id);
      applied.push(`added ${id}`);
      if (entry.doc.header.checked || (entry.doc.header.status ?? 'pending') !== 'pending') ignored.push(`ignored the status written on new step ${id}: new steps start pending`);
      continue;
    }
    const { step, doc } = entry;
    order.push(step.id);
    const renamedTo = doc.header.id !== undefined && doc.header.id !== step.id ? doc.header.id : undefined;
    if (step.status !== 'pending') {
      const edited = [...(renamedTo === undefined ? [] : ['id']), ...editedFields(step, doc, context)];
      if (edited.length > 0) ignored.push(`ignored edit to ${step.status} step ${step.id} (${edited.join(', ')}): steps that have started cannot change`);
      result.set(step.id, step);
      continue;
    }
    if (renamedTo !== undefined) {
      errors.push(`Line ${doc.line}: step "${step.id}" was renamed to "${renamedTo}", but an existing step's id cannot change; put back "${step.id}", or copy the template to add a new step.`);
    }
    const edited = editedFields(step, doc, context);
    const fields = readFields(doc, step.id, context, errors);
    result.set(step.id, edited.length === 0 ? step : { ...withoutVerify(step), ...fields });
    if (edited.includes('title') || edited.includes('instructions')) applied.push(`reworded ${step.id}`);
    if (edited.includes('files')) applied.push(`changed files of ${step.id}`);
    if (edited.includes('depends on')) applied.push(`changed dependencies of ${step.id}`);
    if (edited.includes('verify')) applied.push(`changed verify of ${step.id}`);
    if (edited.includes('removed tests')) applied.push(`changed removed tests of ${step.id}`);
    if (doc.header.checked || (doc.header.status ?? 'pending') !== 'pending') {
      ignored.push(`ignored status change on pending step ${step.id}: Plumbline sets the status; delete the block to remove the step`);
    }
  }

  for (const [index, step] of current.steps.entries()) {
    if (result.has(step.id)) continue;
    if (step.status === 'pending') {
      applied.push(`removed ${step.id}`);
      continue;
    }
    // Put a deleted started step back after the step it followed, so the plan keeps its history.
    ignored.push(`ignored removal of ${step.status} step ${step.id}: steps that have started stay in the plan`);
    const before = current.steps.slice(0, index).reverse().find((candidate) => order.includes(candidate.id));
    order.splice(before === undefined ? 0 : order.indexOf(before.id) + 1, 0, step.id);
    result.set(step.id, step);
  }

  // Started steps keep their order among themselves: each slot one occupies gets them back in plan order.
  const started = current.steps.filter((step) => step.status !== 'pending').map((step) => step.id);
  const startedSet = new Set(started);
  let slot = 0;
  const finalOrder = order.map((id) => (startedSet.has(id) ? (started[slot++] ?? id) : id));
  const existing = (ids: readonly string[]): string => ids.filter((id) => byId.has(id) && result.has(id)).join(' ');
  if (existing(finalOrder) !== existing(current.steps.map((step) => step.id))) applied.push('reordered steps');
  if (order.filter((id) => startedSet.has(id)).join(' ') !== started.join(' ')) {
    ignored.push(`ignored reordering of steps that have started (${started.join(', ')}): they keep their order`);
  }

  const steps = finalOrder.flatMap((id) => result.get(id) ?? []);
  if (steps.length > maxSteps) errors.push(`The plan would have ${steps.length} steps; at most ${maxSteps} are allowed, so merge some.`);
  if (errors.length === 0) errors.push(...checkSteps(steps.map((step) => ({ id: step.id, dependsOn: step.dependsOn, files: step.files, finished: finishedStatuses.has(step.status) }))));
  if (errors.length > 0) return { ok: false, errors };
  const changes = [...applied, ...ignored];
  return applied.length === 0 ? { ok: true, plan: current, changes } : { ok: true, plan: { ...current, steps, revision: current.revision + 1 }, changes };
}

/** Decides which step each block is: its marker names an existing step; a block without one is new. */
function bindBlocks(docs: readonly DocumentStep[], byId: ReadonlyMap<string, PlanStep>, errors: string[]): Entry[] {
  const entries: Entry[] = [];
  const markerLines = new Map<string, number>();
  const newIdLines = new Map<string, number>();
  for (const doc of docs) {
    if (doc.markerId !== undefined) {
      const step = byId.get(doc.markerId);
      const first = markerLines.get(doc.markerId);
      if (step === undefined) {
        errors.push(`Line ${doc.line}: the block is marked as step "${doc.markerId}", but the plan has no such step (re-planning may have removed it); delete the line ${stepMarker(doc.markerId)} to add the block as a new step.`);
      } else if (first !== undefined) {
        errors.push(`Line ${doc.line}: a second block is marked as step "${doc.markerId}" (the first is at line ${first}); if you copied the step to make a new one, delete the copied ${stepMarker(doc.markerId)} line.`);
      } else {
        markerLines.set(doc.markerId, doc.line);
        entries.push({ kind: 'existing', step, doc });
      }
      continue;
    }
    const id = doc.header.id;
    if (id === undefined || placeholderIds.has(id.toLowerCase())) {
      entries.push({ kind: 'new', doc });
      continue;
    }
    const firstNew = newIdLines.get(id);
    if (!stepIdPattern.test(id)) {
      errors.push(`Line ${doc.line}: "${id}" is not a valid step id; use ${stepIdRule}, or write "new" to get one assigned.`);
    } else if (byId.has(id)) {
      errors.push(`Line ${doc.line}: the new step's id "${id}" already belongs to step "${id}"; choose another id or write "new". If this block is step "${id}", put its line ${stepMarker(id)} back above it.`);
    } else if (firstNew !== undefined) {
      errors.push(`Line ${doc.line}: the new step's id "${id}" is also used by the new step at line ${firstNew}; give each step its own id.`);
    }
    newIdLines.set(id, doc.line);
    entries.push({ kind: 'new', id, doc });
  }
  return entries;
}

type EditableFields = Pick<PlanStep, 'title' | 'instructions' | 'files' | 'dependsOn'> & { verify?: string; removesTests?: string[] };

function readFields(doc: DocumentStep, id: string, context: ValidationContext, errors: string[]): EditableFields {
  const title = doc.header.title;
  const instructions = doc.instructions ?? '';
  if (title === '') errors.push(`Line ${doc.line}: step "${id}" has no title; write it after "· pending ·" on the step's first line.`);
  if (title.length > 200) errors.push(`Line ${doc.line}: the title of step "${id}" is ${title.length} characters long; keep it under 200 and put details in the instructions.`);
  if (instructions === '') errors.push(`Line ${doc.line}: step "${id}" has no instructions; write them as "> " lines under "- Instructions:".`);
  const files = normalizeStepFiles(id, doc.files ?? [], context);
  errors.push(...files.errors);
  if (files.files.length > maxFilesPerStep) errors.push(`Step "${id}" lists ${files.files.length} files; at most ${maxFilesPerStep} are allowed, so split the step.`);
  const dependsOn = [...new Set(doc.dependsOn ?? [])];
  const removesTests = doc.removesTests ?? [];
  if (removesTests.length > maxRemovedTests) errors.push(`Step "${id}" lists ${removesTests.length} removed tests; at most ${maxRemovedTests} are allowed (name a test file to cover all of its tests).`);
  for (const name of removesTests.filter((entry) => entry.length > 300)) errors.push(`Step "${id}" lists a removed test name of ${name.length} characters; keep each under 300.`);
  return {
    title,
    instructions,
    files: files.files,
    dependsOn,
    ...(doc.verify === undefined ? {} : { verify: doc.verify }),
    ...(removesTests.length === 0 ? {} : { removesTests }),
  };
}

/** The names of the editable fields whose written value differs from the step's. */
function editedFields(step: PlanStep, doc: DocumentStep, context: ValidationContext): string[] {
  const normalized = (doc.files ?? []).map((file) => {
    const path = context.normalizePath(file);
    return path instanceof Error ? file : path;
  });
  const edited: string[] = [];
  if (doc.header.title !== step.title.trim()) edited.push('title');
  if ((doc.instructions ?? '') !== normalizeText(step.instructions)) edited.push('instructions');
  if (normalized.join('\n') !== step.files.join('\n')) edited.push('files');
  if ([...new Set(doc.dependsOn ?? [])].join(' ') !== step.dependsOn.join(' ')) edited.push('depends on');
  if (doc.verify !== step.verify?.trim()) edited.push('verify');
  if ((doc.removesTests ?? []).join('\n') !== (step.removesTests ?? []).join('\n')) edited.push('removed tests');
  return edited;
}

/** A step without the optional fields the document may leave out (then they are gone). */
function withoutVerify(step: PlanStep): PlanStep {
  const { verify: _dropped, removesTests: _removes, ...rest } = step;
  return rest;
}

/** A plan that has ended is history: report that an edit was ignored, if there was one. */
function ignoreAll(document: ReturnType<typeof parsePlanDocument>, current: Plan): PlanEditResult {
  const comparable = (result: ReturnType<typeof parsePlanDocument>): string => (result.ok ? JSON.stringify(result.steps.map(({ line: _line, ...step }) => step)) : 'invalid');
  const unchanged = comparable(document) === comparable(parsePlanDocument(renderPlanMarkdown(current)));
  return { ok: true, plan: current, changes: unchanged ? [] : [`ignored edits: the run has ended (${current.status}), so the plan can no longer change`] };
}
