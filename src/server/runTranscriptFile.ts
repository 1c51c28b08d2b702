import { join } from 'node:path';
import { runDir, writeFileAtomic } from '../agent/run/runStore';
import type { RunEvent } from '../protocol/run';

/** A transcript past this is cut: the plan and the journal have the rest. */
const maxChars = 200_000;

/**
 * A run's `transcript.md` beside its plan: what the model said and what the run did, in order, so
 * a past run can be opened (Open Past Run…) after the sidebar has moved on or from a CLI run. Fed
 * from the run's events; written when the run finishes (a crash leaves the journal, not this).
 */
export class RunTranscriptFile {
  private readonly parts: string[] = [];
  private chars = 0;
  private truncated = false;
  /** Who is speaking in the open paragraph of model text ("orchestrator", "s1"). */
  private speaker: string | undefined;

  constructor(
    private readonly root: string,
    private readonly runId: string,
  ) {}

  add(event: RunEvent): Promise<void> | undefined {
    const line = describe(event);
    if (event.type === 'model/text') {
      const who = event.stepId ?? event.role;
      if (who !== this.speaker) this.push(`\n\n**${who}:** `);
      this.speaker = who;
      this.push(event.delta);
    } else if (line !== undefined) {
      this.speaker = undefined;
      this.push(`\n\n${line}`);
    }
    return event.type === 'run/finished' ? this.write() : undefined;
  }

  private push(text: string): void {
    if (this.truncated) return;
    if (this.chars + text.length > maxChars) {
      this.parts.push(text.slice(0, maxChars - this.chars), '\n\n… (the transcript was cut here; plan.md has the rest)');
      this.truncated = true;
      return;
    }
    this.parts.push(text);
    this.chars += text.length;
  }

  private write(): Promise<void> {
    return writeFileAtomic(join(runDir(this.root, this.runId), 'transcript.md'), `# Transcript of run ${this.runId}${this.parts.join('')}\n`);
  }
}

function describe(event: RunEvent): string | undefined {
  switch (event.type) {
    case 'run/started':
      return `**Task:** ${event.task}`;
    case 'step/started':
      return `▶ ${event.stepId} started (${event.model})`;
    case 'step/finished':
      return event.status === 'done' ? `✓ ${event.stepId} done: ${event.summary ?? ''} (${event.changedFiles.join(', ') || 'no files'})` : `✗ ${event.stepId} ${event.status}: ${event.error ?? ''}`;
    case 'tool/result':
      // An MCP call acted outside the run's review: its arguments and its result are kept in full (capped).
      if (event.input !== undefined) return `- ${event.stepId ?? event.role} ${event.tool}${event.ok ? '' : ' (failed)'} ${event.input}\n\n  \`\`\`\n${event.detail.replace(/```/g, "'''").split('\n').map((line) => `  ${line}`).join('\n')}\n  \`\`\``;
      return `- ${event.stepId ?? event.role} ${event.tool}${event.ok ? '' : ' (failed)'}: ${event.detail.split('\n', 1)[0] ?? ''}`;
    case 'verification':
      return `Tests (${event.stepId === undefined ? 'baseline' : `${event.stepId} attempt ${String(event.attempt ?? 1)}`}): ${event.evidence.verdict}, ${event.evidence.reason}`;
    case 'command/finished':
      return `$ ${event.stepId} ${event.command} → ${event.decision}${event.exitCode !== null ? `, exit ${String(event.exitCode)}` : ''}`;
    case 'review/decided':
      return [
        ...event.applied.map((entry) => `Applied ${entry.path} (${entry.hunks} of ${entry.of} hunks)`),
        ...event.rejected.filter((path) => !event.applied.some((entry) => entry.path === path)).map((path) => `Not applied: ${path}`),
        ...event.conflicts.map((entry) => `Kept your version of ${entry.path}: ${entry.reason}`),
      ].join('\n');
    case 'run/finished':
      return `**Run ${event.status}.** ${event.summary}`;
    default:
      return undefined;
  }
}
