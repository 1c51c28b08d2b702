import type { Plan } from '../../protocol/plan';
import type { RunEvent } from '../../protocol/run';
import { describeCommandOutcome } from './commandApproval';
import type { StepEvidence, Transcript, TranscriptItem } from '../../protocol/webviewMessages';

/** How the transcript changed: what the sidebar forwards to its webview. */
export type TranscriptChange =
  | { readonly kind: 'reset'; readonly transcript: Transcript }
  | { readonly kind: 'append'; readonly item: TranscriptItem }
  | { readonly kind: 'text'; readonly id: number; readonly delta: string };

/** Distributes Omit over the union, so each kind keeps its own fields. */
type NewItem = TranscriptItem extends infer T ? (T extends unknown ? Omit<T, 'id'> : never) : never;

const defaultLimit = 400;
/** A single streamed message longer than this stops growing (the plan document has the rest). */
const maxTextLength = 40_000;
const maxDetailLength = 500;

/**
 * The run's messages as a chat: the task, the orchestrator's streamed words, step and verification
 * results, the review and the final summary. Bounded (the oldest items drop off), free of `vscode`,
 * and fed from the run events in order; every change is reported once through `onChange`.
 */
export class RunTranscript {
  private runId: string | null = null;
  private items: TranscriptItem[] = [];
  private dropped = 0;
  private nextId = 1;
  /** The text item still growing; any other item closes it. */
  private openText: number | undefined;
  private planShown = false;
  private totals: Extract<RunEvent, { type: 'usage' }>['run'] | undefined;
  private evidence: StepEvidence[] = [];

  constructor(
    private readonly onChange: (change: TranscriptChange) => void,
    private readonly limit = defaultLimit,
  ) {}

  get snapshot(): Transcript {
    return { runId: this.runId, items: [...this.items], dropped: this.dropped };
  }

  /** Every verification of the current run, by step and attempt (bounded by steps × attempts). */
  get stepEvidence(): readonly StepEvidence[] {
    return this.evidence;
  }

  /** Starts the transcript of a run (a no-op for the run it already follows). */
  begin(runId: string, task: string): void {
    if (this.runId === runId) {
      if (task !== '' && !this.items.some((item) => item.kind === 'task')) this.append({ kind: 'task', text: task });
      return;
    }
    this.runId = runId;
    this.items = [];
    this.dropped = 0;
    this.openText = undefined;
    this.planShown = false;
    this.totals = undefined;
    this.evidence = [];
    if (task !== '') this.items.push({ kind: 'task', id: this.nextId++, text: task });
    this.onChange({ kind: 'reset', transcript: this.snapshot });
  }

  /** The plan waits for the user's answer (not said when the run was started without plan review). */
  planWaiting(runId: string): void {
    if (runId !== this.runId) return;
    this.append({ kind: 'notice', level: 'info', text: 'The plan is ready. Run it, edit plan.md first, or cancel.' });
  }

  /** Records one run event; `plan` is the latest plan, for step titles. */
  add(event: RunEvent, plan: Plan | undefined): void {
    if (event.runId !== this.runId) this.begin(event.runId, event.type === 'run/started' ? event.task : '');
    const title = (stepId: string): string => plan?.steps.find((step) => step.id === stepId)?.title ?? stepId;
    switch (event.type) {
      case 'run/started':
        this.begin(event.runId, event.task);
        return;
      case 'model/text':
        if (event.role === 'orchestrator') this.addText(event.delta);
        return;
      case 'tool/result':
        this.append({ kind: 'tool', stepId: event.stepId ?? null, tool: event.tool, ok: event.ok, detail: clip(event.detail, maxDetailLength) });
        return;
      case 'model/retry':
        this.append({ kind: 'notice', level: 'warning', text: `Retrying the ${event.role} model (attempt ${event.attempt}): ${event.reason}` });
        return;
      case 'plan/updated':
        if (this.planShown) return;
        this.planShown = true;
        this.append({ kind: 'plan', summary: event.plan.summary, steps: event.plan.steps.length });
        return;
      case 'plan/edited':
        if (event.errors.length > 0) this.append({ kind: 'notice', level: 'warning', text: `Your edit of the plan could not be applied: ${event.errors.join(' ')}` });
        else this.append({ kind: 'notice', level: 'info', text: `Followed your edit of the plan: ${event.changes.join('; ')}` });
        return;
      case 'run/phase':
        // "The plan is ready" comes from `planWaiting`, only when the plan is actually put to the user.
        return;
      case 'step/started':
        this.append({ kind: 'step', stepId: event.stepId, title: title(event.stepId), status: 'started', detail: event.model, changedFiles: [] });
        return;
      case 'step/finished':
        this.append({ kind: 'step', stepId: event.stepId, title: title(event.stepId), status: event.status, detail: event.summary ?? event.error ?? null, changedFiles: event.changedFiles });
        return;
      case 'verification': {
        const { evidence } = event;
        const before = evidence.baseline === undefined ? {} : { before: { passed: evidence.baseline.passed ?? null, failed: evidence.baseline.failed ?? null, total: evidence.baseline.total ?? null } };
        const gone = { ...(evidence.missingTests !== undefined ? { missing: evidence.missingTests } : {}), ...(evidence.removedTests !== undefined ? { removed: evidence.removedTests } : {}) };
        const counts = { passed: evidence.passed ?? null, failed: evidence.failed ?? null, total: evidence.total ?? null, ...before, ...gone };
        this.evidence.push({ stepId: event.stepId ?? null, attempt: event.attempt ?? null, verdict: evidence.verdict, reason: evidence.reason, ...counts });
        this.append({ kind: 'verification', stepId: event.stepId ?? null, attempt: event.attempt ?? null, verdict: evidence.verdict, reason: evidence.reason, command: evidence.command, ...counts });
        return;
      }
      case 'changes':
        this.append({ kind: 'notice', level: 'info', text: `Changes ready for ${event.files.length} file${event.files.length === 1 ? '' : 's'}: ${event.files.map((file) => file.path).join(', ')}` });
        // Files that run code are never applied without a yes, in any mode: say so, one per file.
        for (const file of event.files) {
          if (file.protectedReason !== undefined) this.append({ kind: 'notice', level: 'warning', text: `⚠ Runs code: ${file.path} — needs your approval (${file.protectedReason}).` });
        }
        return;
      case 'command/finished':
        this.append({ kind: 'notice', level: event.decision === 'allowed' || event.decision === 'approved' ? 'info' : 'warning', text: describeCommandOutcome(event) });
        return;
      case 'question/asked':
        // The question itself waits in its card above; the transcript keeps what came of it.
        return;
      case 'question/closed': {
        const asker = event.stepId ?? 'The orchestrator';
        this.append(
          event.answer !== undefined
            ? { kind: 'notice', level: 'info', text: `${asker}: you answered "${clip(event.answer, maxDetailLength)}"` }
            : { kind: 'notice', level: 'warning', text: `${asker}: no answer (${event.unanswered ?? 'closed'}); the model decides and says what it assumed.` },
        );
        return;
      }
      case 'model/compacted':
        this.append({ kind: 'notice', level: 'info', text: `${event.stepId ?? event.role}: conversation compacted to fit ${event.model}'s context window (~${String(event.beforeTokens)} → ~${String(event.afterTokens)} tokens).` });
        return;
      case 'review/decided':
        this.append({ kind: 'review', applied: event.applied, rejected: event.rejected, conflicts: event.conflicts });
        return;
      case 'run/finished': {
        const totals = this.totals;
        const cost = totals === undefined ? undefined : { usd: totals.costUsd, unpricedCalls: totals.unpricedCalls, tokens: totals.usage.inputTokens + totals.usage.outputTokens + totals.usage.cacheReadTokens + totals.usage.cacheWriteTokens };
        this.append({ kind: 'finished', status: event.status, summary: event.summary, reason: event.reason ?? null, applied: event.applied, costUsd: event.costUsd, ...(cost !== undefined ? { cost } : {}) });
        return;
      }
      case 'usage':
        // The run's totals so far: the finished line shows tokens when a model had no price.
        this.totals = event.run;
        // A model call ended: the orchestrator's next words are a new message, not run into this one.
        if (event.role === 'orchestrator') this.openText = undefined;
        return;
    }
  }

  private addText(delta: string): void {
    if (delta === '') return;
    const index = this.openText === undefined ? -1 : this.items.findIndex((item) => item.id === this.openText);
    const open = this.items[index];
    if (open?.kind !== 'text') {
      this.append({ kind: 'text', text: clip(delta, maxTextLength) });
      this.openText = this.items[this.items.length - 1]?.id;
      return;
    }
    if (open.text.length >= maxTextLength) return;
    const accepted = delta.slice(0, maxTextLength - open.text.length);
    this.items[index] = { ...open, text: open.text + accepted };
    this.onChange({ kind: 'text', id: open.id, delta: accepted });
  }

  private append(item: NewItem): void {
    const full: TranscriptItem = { ...item, id: this.nextId++ };
    this.openText = undefined;
    this.items.push(full);
    while (this.items.length > this.limit) {
      this.items.shift();
      this.dropped += 1;
    }
    this.onChange({ kind: 'append', item: full });
  }
}

function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
