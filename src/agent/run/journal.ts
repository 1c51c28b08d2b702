import { providerIdSchema } from '../../protocol/provider';
import { modelRoleSchema } from '../../protocol/modelRoles';
import { open, readFile, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import * as z from 'zod';
import { planSchema, type Plan } from '../../protocol/plan';
import { testEvidenceSchema, type TestEvidence } from '../../protocol/testEvidence';
import type { CallRecord } from '../model/usageLedger';
import { runDir } from './runStore';

const bytesSchema = z.string().nullable();
const changeSchema = z.object({ path: z.string(), kind: z.enum(['create', 'modify', 'delete']), before: bytesSchema, after: bytesSchema });

/** One line of `journal.jsonl`. Written (and flushed to disk) before what it records takes effect. */
export const journalEntrySchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('started'), at: z.string(), task: z.string(), options: z.record(z.string(), z.unknown()) }),
  z.object({ kind: z.literal('plan'), plan: planSchema }),
  /**
   * A step's verified increment joins the run's staged state, with the verification that passed
   * it (absent in journals written before it was kept, or when nothing verified the step): what a
   * branch commit's evidence is made from, also after a resume on another machine.
   */
  z.object({ kind: z.literal('staged'), stepId: z.string(), changes: z.array(changeSchema), evidence: testEvidenceSchema.optional() }),
  /** Changes left the staged state: landed in the user's files, or rejected. */
  z.object({ kind: z.literal('unstaged'), paths: z.array(z.string()) }),
  /** One model call's usage and cost, so a resumed run continues its totals (and its budget) instead of starting at zero. */
  z.object({
    kind: z.literal('usage'),
    role: modelRoleSchema,
    provider: providerIdSchema,
    model: z.string(),
    usage: z.object({ inputTokens: z.number(), outputTokens: z.number(), cacheReadTokens: z.number(), cacheWriteTokens: z.number() }),
    costUsd: z.number().nullable(),
  }),
  z.object({ kind: z.literal('finished'), status: z.enum(['completed', 'failed', 'cancelled']), reason: z.string().optional() }),
]);
export type JournalEntry = z.infer<typeof journalEntrySchema>;

export interface StagedBytes {
  readonly path: string;
  readonly kind: 'create' | 'modify' | 'delete';
  readonly before: Uint8Array | undefined;
  readonly after: Uint8Array | undefined;
}

const encode = (bytes: Uint8Array | undefined): string | null => (bytes === undefined ? null : Buffer.from(bytes).toString('base64'));
const decode = (text: string | null): Uint8Array | undefined => (text === null ? undefined : new Uint8Array(Buffer.from(text, 'base64')));

export function stagedEntry(stepId: string, changes: readonly StagedBytes[], evidence?: TestEvidence): JournalEntry {
  return {
    kind: 'staged',
    stepId,
    changes: changes.map((change) => ({ path: change.path, kind: change.kind, before: encode(change.before), after: encode(change.after) })),
    ...(evidence !== undefined ? { evidence } : {}),
  };
}

/** One step's verified increment as the journal holds it, in the order steps were staged. */
export interface StagedStep {
  readonly stepId: string;
  readonly changes: readonly StagedBytes[];
  readonly evidence?: TestEvidence;
}

/** Why a run stopped when its journal outgrew `maxBytes`: the run's reason. */
export function journalLimitReason(maxBytes: number): string {
  const size = maxBytes >= 1024 * 1024 ? `${Number((maxBytes / (1024 * 1024)).toFixed(1))} MB` : `${Math.ceil(maxBytes / 1024)} KB`;
  return `the run's journal reached its size limit of ${size} (plumbline.limits.maxJournalMb)`;
}

/** What a journal says about a run: enough to resume it from its last settled point. */
export interface RecoveredRun {
  readonly task: string;
  readonly options: Record<string, unknown>;
  readonly plan: Plan | undefined;
  /** Staged changes not yet landed or rejected, by path (the latest wins). */
  readonly staged: ReadonlyMap<string, StagedBytes & { readonly stepId: string }>;
  /** Every step's staged increment, in order, landed or not (a branch's commits are made from these). */
  readonly stagedSteps: readonly StagedStep[];
  readonly finished: boolean;
  /** How it finished, when it did (a resumed run that has not finished again has none). */
  readonly finishedStatus?: 'completed' | 'failed' | 'cancelled';
  /** The model calls the run made before it stopped, in order. */
  readonly calls: readonly CallRecord[];
}

/**
 * The run's append-only journal. Each entry is written (handed to the OS, which keeps it through a
 * SIGKILL of this process) before the change it describes is made, so after a crash the journal is
 * never behind what happened. On the disk itself (through a power loss) what matters is that the
 * journal is complete before the user's files change: `sync` is called before an apply starts,
 * and the entries written around one (unstaged bytes, the end) are fsynced as they are written.
 * The others (the start, the plan, usage, a step's staged bytes) are not: after a power loss they
 * may be a few entries behind, which `resume` handles as it handles any interruption (steps whose
 * work is missing run again; a call or two may be missing from the totals).
 */
export class RunJournal {
  private handle: FileHandle | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  /** The file's size: what a resumed run's journal already held, plus every line written since. */
  private bytes = 0;
  private overLimit = false;

  constructor(
    private readonly root: string,
    private readonly runId: string,
    /**
     * The journal's size cap. Past it `onLimit` is called once and the run is expected to stop; the
     * entries that stopping writes (the final plan, `finished`) still go in, so the journal is never
     * cut short and always reads back.
     */
    private readonly limit?: { readonly maxBytes: number; readonly onLimit: (maxBytes: number) => void },
  ) {}

  get path(): string {
    return join(runDir(this.root, this.runId), 'journal.jsonl');
  }

  append(entry: JournalEntry): Promise<void> {
    const next = this.queue.then(async () => {
      if (this.handle === undefined) {
        this.handle = await open(this.path, 'a');
        this.bytes = (await this.handle.stat()).size;
      }
      const line = `${JSON.stringify(entry)}\n`;
      await this.handle.write(line);
      this.bytes += Buffer.byteLength(line, 'utf8');
      if (entry.kind === 'unstaged' || entry.kind === 'finished') await this.handle.sync();
      if (this.limit !== undefined && !this.overLimit && this.bytes > this.limit.maxBytes) {
        this.overLimit = true;
        this.limit.onLimit(this.limit.maxBytes);
      }
    });
    this.queue = next.catch(() => undefined);
    return next;
  }

  /** Puts every entry written so far on the disk: called before the user's files change. */
  sync(): Promise<void> {
    const next = this.queue.then(async () => {
      await this.handle?.sync();
    });
    this.queue = next.catch(() => undefined);
    return next;
  }

  /** Bytes in the journal file so far. */
  get size(): number {
    return this.bytes;
  }

  async close(): Promise<void> {
    await this.queue;
    await this.handle?.close();
    this.handle = undefined;
  }

  /** Reads a journal back; a torn last line (a crash mid-write) is ignored, anything else invalid is an error. */
  static async recover(root: string, runId: string): Promise<RecoveredRun> {
    const text = await readFile(join(runDir(root, runId), 'journal.jsonl'), 'utf8');
    const lines = text.split('\n').filter((line) => line.trim() !== '');
    let started: Extract<JournalEntry, { kind: 'started' }> | undefined;
    let plan: Plan | undefined;
    let finished: Extract<JournalEntry, { kind: 'finished' }>['status'] | undefined;
    const calls: CallRecord[] = [];
    const staged = new Map<string, StagedBytes & { stepId: string }>();
    const stagedSteps: StagedStep[] = [];
    for (const [index, line] of lines.entries()) {
      let parsed;
      try {
        parsed = journalEntrySchema.safeParse(JSON.parse(line));
      } catch {
        if (index === lines.length - 1) break;
        throw new Error(`The journal of run ${runId} is damaged at line ${index + 1}; it cannot be resumed.`);
      }
      if (!parsed.success) throw new Error(`The journal of run ${runId} has an unknown entry at line ${index + 1}; it cannot be resumed.`);
      const entry = parsed.data;
      if (entry.kind === 'started') started = entry;
      // A cancelled run that was resumed writes its plan again: it is no longer finished.
      else if (entry.kind === 'plan') {
        plan = entry.plan;
        finished = undefined;
      } else if (entry.kind === 'finished') finished = entry.status;
      else if (entry.kind === 'usage') calls.push({ role: entry.role, provider: entry.provider, model: entry.model, usage: entry.usage, costUsd: entry.costUsd });
      else if (entry.kind === 'unstaged') for (const path of entry.paths) staged.delete(path);
      else {
        const changes = entry.changes.map((change) => ({ path: change.path, kind: change.kind, before: decode(change.before), after: decode(change.after) }));
        for (const change of changes) staged.set(change.path, { ...change, stepId: entry.stepId });
        stagedSteps.push({ stepId: entry.stepId, changes, ...(entry.evidence !== undefined ? { evidence: entry.evidence } : {}) });
      }
    }
    if (started === undefined) throw new Error(`Run ${runId} has no journal start: it cannot be resumed.`);
    return { task: started.task, options: started.options, plan, staged, stagedSteps, finished: finished !== undefined, ...(finished !== undefined ? { finishedStatus: finished } : {}), calls };
  }
}
