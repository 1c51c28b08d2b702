import type { PlanEntry, SessionUpdate, ToolCallContent, ToolCallUpdate, ToolKind } from '@agentclientprotocol/sdk';
import type { Plan, PlanStep } from '../../protocol/plan';
import type { ChangedFile, FileChange, Hunk, RunEvent } from '../../protocol/run';
import { describeBeforeAfter } from '../../protocol/testEvidence';
import { insideRoot } from './confinedPaths';

/**
 * Turns a run's events into ACP `session/update`s: the plan as ACP plan entries (one per step), the
 * workers' tool calls, commands and test runs as tool calls, each changed file as one edit tool
 * call (its id stable for the run, so the review's permission request and the landing update the
 * same entry), the models' words as thought chunks and the run's milestones as message chunks.
 * Pure: no I/O, so it is tested without an editor.
 */
export class RunUpdates {
  private lastPlan = '';
  private sequence = 0;
  /** Edit tool calls not yet applied, rejected or given up, by workspace-relative path. */
  private readonly openEdits = new Map<string, string>();
  /** Edit tool calls the client has been told of (later reports of the same file update them). */
  private readonly reportedEdits = new Set<string>();
  /** Command tool calls opened by a permission request, waiting for their command/finished. */
  private readonly askedCommands = new Map<string, string[]>();

  constructor(private readonly root: string) {}

  /** A fresh tool call id, unique in the session. */
  nextId(prefix: string): string {
    this.sequence += 1;
    return `${prefix}-${String(this.sequence)}`;
  }

  /** The tool call id of a file's change in this run (the same for its `changes` entry and its review). */
  editId(runId: string, path: string): string {
    return `edit-${runId}-${path}`;
  }

  /** Remembers a command's permission tool call so its command/finished updates that entry. */
  commandAsked(stepId: string, command: string, toolCallId: string): void {
    const key = `${stepId}\u0000${command}`;
    this.askedCommands.set(key, [...(this.askedCommands.get(key) ?? []), toolCallId]);
  }

  translate(event: RunEvent): SessionUpdate[] {
    switch (event.type) {
      case 'run/started':
        return [message(`Plumbline run ${event.runId}: the plan is kept in ${event.planPath} (edit it while the run goes on and the run follows).\n\n`)];
      case 'plan/updated':
        return this.plan(event.plan);
      case 'model/text':
        return event.delta === '' ? [] : [{ sessionUpdate: 'agent_thought_chunk', content: { type: 'text', text: event.delta } }];
      case 'model/retry':
        return [thought(`\n${event.stepId ?? event.role}: retrying in ${(event.delayMs / 1000).toFixed(1)} s (${event.reason})\n`)];
      case 'tool/result':
        return [this.toolResult(event)];
      case 'command/finished':
        return [this.commandFinished(event)];
      case 'verification':
        return [this.verification(event)];
      case 'changes':
        return event.files.map((file) => this.proposedEdit(event.runId, file));
      case 'review/decided':
        return this.decided(event);
      case 'step/finished':
        return [
          message(
            event.status === 'done'
              ? `✓ ${event.stepId} done${event.summary !== undefined ? `: ${event.summary}` : ''}\n`
              : `✗ ${event.stepId} ${event.status}${event.error !== undefined ? `: ${event.error}` : ''}\n`,
          ),
        ];
      case 'review':
        return [message(`Review of ${event.stepId ?? 'the whole change'}: ${event.review.outcome} (${event.review.summary})\n`)];
      case 'plan/edited':
        return [message(event.errors.length > 0 ? `Your plan edit was not applied: ${event.errors.join(' ')}\n` : `Following your plan edit: ${event.changes.join('; ')}\n`)];
      case 'question/closed':
        return event.unanswered !== undefined ? [message(`${event.stepId ?? 'The orchestrator'} got no answer (${event.unanswered}); it decides and says what it assumed.\n`)] : [];
      case 'run/finished':
        return [...this.giveUpOpenEdits(event.status === 'cancelled' ? 'not applied: the run was cancelled' : 'not applied'), message(`\n${event.summary}\n`)];
      default:
        return [];
    }
  }

  /** The edit tool call of one file, with the whole before and after texts, as the review shows it. */
  reviewedEdit(runId: string, file: FileChange): { readonly update: SessionUpdate; readonly toolCall: ToolCallUpdate } {
    const toolCall = {
      toolCallId: this.editId(runId, file.path),
      status: 'pending' as const,
      title: editTitle(file, 'Review'),
      kind: file.kind === 'delete' ? ('delete' as const) : ('edit' as const),
      content: [{ type: 'diff' as const, path: this.absolute(file.path), oldText: file.beforeText, newText: file.afterText ?? '' }],
      locations: this.locations(file.path, file.hunks[0]?.newStart),
    };
    return { update: this.editUpdate(file.path, toolCall), toolCall: { toolCallId: toolCall.toolCallId, title: toolCall.title, kind: toolCall.kind, status: toolCall.status } };
  }

  /** A file's edit tool call: announced the first time, updated after. */
  private editUpdate(path: string, fields: Omit<Extract<SessionUpdate, { sessionUpdate: 'tool_call' }>, 'sessionUpdate'>): SessionUpdate {
    this.openEdits.set(path, fields.toolCallId);
    if (this.reportedEdits.has(fields.toolCallId)) return { sessionUpdate: 'tool_call_update', ...fields };
    this.reportedEdits.add(fields.toolCallId);
    return { sessionUpdate: 'tool_call', ...fields };
  }

  private plan(plan: Plan): SessionUpdate[] {
    const dependedOn = new Set(plan.steps.flatMap((step) => step.dependsOn));
    const entries: PlanEntry[] = plan.steps.map((step) => ({ content: entryText(step), priority: priorityOf(step, dependedOn), status: entryStatus(step) }));
    const key = JSON.stringify(entries);
    if (key === this.lastPlan) return [];
    this.lastPlan = key;
    return [{ sessionUpdate: 'plan', entries }];
  }

  private toolResult(event: Extract<RunEvent, { type: 'tool/result' }>): SessionUpdate {
    const who = event.stepId ?? event.role;
    return {
      sessionUpdate: 'tool_call',
      toolCallId: this.nextId('tool'),
      title: `${who}: ${event.tool}${event.path !== undefined ? ` ${event.path}` : ''}`,
      kind: toolKind(event.tool),
      status: event.ok ? 'completed' : 'failed',
      content: event.detail === '' ? [] : [text(event.detail)],
      locations: event.path !== undefined ? this.locations(event.path) : [],
    };
  }

  private commandFinished(event: Extract<RunEvent, { type: 'command/finished' }>): SessionUpdate {
    const ran = event.decision === 'allowed' || event.decision === 'approved';
    const outcome = !ran
      ? `${event.decision}: ${event.reasons.join('; ')}`
      : event.timedOut
        ? `timed out after ${(event.durationMs / 1000).toFixed(1)} s`
        : `exit ${String(event.exitCode)} (${(event.durationMs / 1000).toFixed(1)} s)`;
    const status = ran && !event.timedOut && event.exitCode === 0 ? 'completed' : 'failed';
    const key = `${event.stepId}\u0000${event.command}`;
    const [asked, ...rest] = this.askedCommands.get(key) ?? [];
    if (rest.length > 0) this.askedCommands.set(key, rest);
    else this.askedCommands.delete(key);
    if (asked !== undefined) return { sessionUpdate: 'tool_call_update', toolCallId: asked, status, content: [text(outcome)] };
    return { sessionUpdate: 'tool_call', toolCallId: this.nextId('command'), title: `${event.stepId}: ${event.command}`, kind: 'execute', status, content: [text(outcome)] };
  }

  private verification(event: Extract<RunEvent, { type: 'verification' }>): SessionUpdate {
    const what = event.stepId === undefined ? 'baseline' : `${event.stepId} attempt ${String(event.attempt ?? 1)}`;
    const counts = describeBeforeAfter(event.evidence);
    return {
      sessionUpdate: 'tool_call',
      toolCallId: this.nextId('tests'),
      title: `Tests (${what}): ${event.evidence.verdict}`,
      kind: 'execute',
      status: event.evidence.verdict === 'failed' ? 'failed' : 'completed',
      content: [text(`${event.evidence.reason}${counts !== '' ? ` · ${counts}` : ''} (${(event.evidence.durationMs / 1000).toFixed(1)} s)`)],
    };
  }

  private proposedEdit(runId: string, file: ChangedFile): SessionUpdate {
    return this.editUpdate(file.path, {
      toolCallId: this.editId(runId, file.path),
      title: editTitle(file, 'Proposed'),
      kind: file.kind === 'delete' ? 'delete' : 'edit',
      status: 'pending',
      content: file.hunks.map((hunk) => this.hunkDiff(file.path, hunk)),
      locations: this.locations(file.path, file.hunks[0]?.newStart),
    });
  }

  private decided(event: Extract<RunEvent, { type: 'review/decided' }>): SessionUpdate[] {
    const updates: SessionUpdate[] = [];
    const close = (path: string, status: 'completed' | 'failed', title: string): void => {
      const toolCallId = this.openEdits.get(path) ?? this.editId(event.runId, path);
      this.openEdits.delete(path);
      updates.push({ sessionUpdate: 'tool_call_update', toolCallId, status, title });
    };
    for (const entry of event.applied) close(entry.path, 'completed', `Applied ${entry.path} (${String(entry.hunks)} of ${String(entry.of)} hunks)`);
    for (const path of event.rejected) close(path, 'failed', `Rejected ${path}`);
    for (const conflict of event.conflicts) close(conflict.path, 'failed', `Kept your version of ${conflict.path}: ${conflict.reason}`);
    return updates;
  }

  private giveUpOpenEdits(why: string): SessionUpdate[] {
    const updates: SessionUpdate[] = [...this.openEdits].map(([path, toolCallId]) => ({ sessionUpdate: 'tool_call_update', toolCallId, status: 'failed', title: `${path}: ${why}` }));
    this.openEdits.clear();
    return updates;
  }

  /** One hunk as an ACP diff: its old side (context and removed lines) and its new side. */
  private hunkDiff(path: string, hunk: Hunk): ToolCallContent {
    const side = (kind: 'remove' | 'add'): string => hunk.lines.filter((line) => line.kind === 'context' || line.kind === kind).map((line) => line.text + line.eol).join('');
    return { type: 'diff', path: this.absolute(path), oldText: side('remove'), newText: side('add') };
  }

  /** A location for a workspace path, or none when the path (the model's words) would leave the workspace. */
  private locations(path: string, line?: number): { path: string; line?: number }[] {
    const absolute = insideRoot(this.root, path);
    if (absolute === undefined) return [];
    return [{ path: absolute, ...(line !== undefined && line > 0 ? { line } : {}) }];
  }

  private absolute(path: string): string {
    return insideRoot(this.root, path) ?? path;
  }
}

function message(value: string): SessionUpdate {
  return { sessionUpdate: 'agent_message_chunk', content: { type: 'text', text: value } };
}

function thought(value: string): SessionUpdate {
  return { sessionUpdate: 'agent_thought_chunk', content: { type: 'text', text: value } };
}

function text(value: string): ToolCallContent {
  return { type: 'content', content: { type: 'text', text: value } };
}

function editTitle(file: Pick<FileChange, 'kind' | 'path' | 'protectedReason'>, verb: string): string {
  const change = file.kind === 'create' ? 'new file' : file.kind === 'delete' ? 'deletion of' : 'change to';
  return `${verb}: ${change} ${file.path}${file.protectedReason !== undefined ? ` (runs code: ${file.protectedReason})` : ''}`;
}

/** ACP plan entries have three statuses; a step that ended otherwise says so in its text. */
function entryStatus(step: PlanStep): PlanEntry['status'] {
  switch (step.status) {
    case 'running':
    case 'verifying':
      return 'in_progress';
    case 'done':
    case 'failed':
      return 'completed';
    default:
      return 'pending';
  }
}

function entryText(step: PlanStep): string {
  const ended = step.status === 'failed' || step.status === 'skipped' || step.status === 'cancelled' ? ` (${step.status})` : '';
  return `${step.id}: ${step.title}${ended}`;
}

/** What others wait for comes first; what the plan routed to the fast model matters least. */
function priorityOf(step: PlanStep, dependedOn: ReadonlySet<string>): PlanEntry['priority'] {
  if (dependedOn.has(step.id)) return 'high';
  return step.route === 'fast' ? 'low' : 'medium';
}

const toolKinds: Readonly<Record<string, ToolKind>> = {
  read_file: 'read',
  list_files: 'search',
  search_text: 'search',
  find_symbols: 'search',
  find_references: 'search',
  git_status: 'read',
  git_diff: 'read',
  edit_file: 'edit',
  create_file: 'edit',
  delete_file: 'delete',
  run_command: 'execute',
  submit_plan: 'think',
  submit_review: 'think',
  finish: 'think',
  ask_user: 'other',
};

function toolKind(tool: string): ToolKind {
  return toolKinds[tool] ?? 'other';
}
