import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import * as z from 'zod';
import { revealHidden } from '../protocol/hiddenCharacters';

/**
 * Where `plumbline run --ci` gets its task: the argument, `--task-file`, or the GitHub event that
 * started the workflow (`GITHUB_EVENT_PATH`). An event payload is untrusted input (anyone who can
 * open an issue or comment writes it): it is read with a size cap, parsed with zod, and only the
 * issue's or comment's text is taken, as the task. Nothing in it chooses a flag, a model, a branch
 * or a command; who may trigger the workflow is the workflow's to restrict (docs/github-actions.md).
 */

/** A task source that could not be used; the message says why and what to do. */
export class TaskSourceError extends Error {
  override readonly name = 'TaskSourceError';
}

export interface CiTask {
  readonly task: string;
  /** Where it came from, for the log and the report: `the argument`, `task.md`, `issue #12`, `a comment on #12`. */
  readonly source: string;
}

/** GitHub caps an issue's or comment's body at 65,536 characters; a title at 256. */
const maxBody = 65_536;
const maxTitle = 1_024;
export const maxEventBytes = 1024 * 1024;
export const maxTaskFileBytes = 256 * 1024;

const issueSchema = z.object({
  number: z.number().int().positive(),
  title: z.string().max(maxTitle, `the issue's title is longer than ${maxTitle} characters`),
  body: z.string().max(maxBody, `the issue's body is longer than ${maxBody} characters`).nullable().optional(),
});
const issuesEventSchema = z.object({ issue: issueSchema });
const commentEventSchema = z.object({
  issue: issueSchema,
  comment: z.object({ body: z.string().max(maxBody, `the comment is longer than ${maxBody} characters`) }),
});

/** The comment command: `/plumbline` at the start, then whitespace or nothing (not `/plumblinex`). */
const commandPattern = /^\/plumbline(?=\s|$)/;

/** The task for a CI run, or a TaskSourceError (a usage error: exit 2). */
export function ciTask(input: { readonly argument: string; readonly taskFile?: string; readonly env: NodeJS.ProcessEnv }): CiTask {
  if (input.argument !== '' && input.taskFile !== undefined) throw new TaskSourceError('give the task either as an argument or with --task-file, not both');
  if (input.argument !== '') return { task: input.argument, source: 'the argument' };
  if (input.taskFile !== undefined) {
    const task = normalize(readCapped(input.taskFile, maxTaskFileBytes, '--task-file'));
    if (task === '') throw new TaskSourceError(`--task-file ${input.taskFile} is empty`);
    return { task, source: input.taskFile };
  }
  const eventPath = input.env.GITHUB_EVENT_PATH;
  if (eventPath === undefined || eventPath === '') {
    throw new TaskSourceError('run --ci needs a task: an argument, --task-file FILE, or a GitHub event (GITHUB_EVENT_PATH, set on GitHub Actions)');
  }
  let payload: unknown;
  try {
    payload = JSON.parse(readCapped(eventPath, maxEventBytes, 'the GitHub event payload (GITHUB_EVENT_PATH)'));
  } catch (error) {
    if (error instanceof TaskSourceError) throw error;
    throw new TaskSourceError(`the GitHub event payload (GITHUB_EVENT_PATH) is not JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
  return taskFromEvent(input.env.GITHUB_EVENT_NAME, payload);
}

/** The task an `issues` or `issue_comment` event carries; any other event is a usage error. */
export function taskFromEvent(eventName: string | undefined, payload: unknown): CiTask {
  const name = eventName ?? (typeof payload === 'object' && payload !== null && 'comment' in payload ? 'issue_comment' : 'issues');
  if (name === 'issues') {
    const event = parseEvent(issuesEventSchema, payload, 'issues');
    const task = normalize(`${event.issue.title}\n\n${event.issue.body ?? ''}`);
    if (task === '') throw new TaskSourceError(`issue #${event.issue.number} has neither a title nor a body to take as the task`);
    return { task, source: `issue #${event.issue.number}` };
  }
  if (name === 'issue_comment') {
    const event = parseEvent(commentEventSchema, payload, 'issue_comment');
    const comment = normalize(event.comment.body);
    if (!commandPattern.test(comment)) {
      throw new TaskSourceError(`the comment on #${event.issue.number} does not start with /plumbline, so it asks nothing; the workflow should run only for comments that do (if: startsWith(github.event.comment.body, '/plumbline'))`);
    }
    const request = comment.replace(commandPattern, '').trim();
    const issue = normalize(`${event.issue.title}\n\n${event.issue.body ?? ''}`);
    const task = request === '' ? issue : `${request}\n\nContext: this was asked on #${event.issue.number}, which says:\n\n${issue}`;
    if (task === '') throw new TaskSourceError(`the /plumbline comment on #${event.issue.number} asks nothing, and the issue has no text to take as the task`);
    return { task, source: `a comment on #${event.issue.number}` };
  }
  throw new TaskSourceError(
    `the GitHub event "${name.slice(0, 60)}" carries no task: run --ci on issues or issue_comment events, or give the task as an argument or with --task-file`,
  );
}

function parseEvent<T extends z.ZodType>(schema: T, payload: unknown, name: string): z.output<T> {
  const parsed = schema.safeParse(payload);
  if (parsed.success) return parsed.data;
  const problem = parsed.error.issues[0];
  throw new TaskSourceError(`the ${name} event payload is not what GitHub sends: ${problem !== undefined ? `${problem.path.join('.') || '(top)'}: ${problem.message}` : 'invalid'}`);
}

/** One text, line breaks unified, invisible characters shown as ⟦U+XXXX⟧ (they are how injected instructions hide), trimmed. */
function normalize(text: string): string {
  return revealHidden(text.replace(/\r\n?/g, '\n')).text.trim();
}

/** Reads a file as UTF-8, refusing one larger than `max` bytes without reading it whole. */
function readCapped(path: string, max: number, what: string): string {
  let descriptor: number;
  try {
    descriptor = openSync(path, 'r');
  } catch (error) {
    throw new TaskSourceError(`cannot read ${what} at ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  try {
    const size = fstatSync(descriptor).size;
    if (size > max) throw new TaskSourceError(`${what} is ${size} bytes, more than the ${max} bytes Plumbline reads; it is refused`);
    const buffer = Buffer.alloc(size);
    let read = 0;
    while (read < size) {
      const count = readSync(descriptor, buffer, read, size - read, read);
      if (count === 0) break;
      read += count;
    }
    return buffer.subarray(0, read).toString('utf8');
  } finally {
    closeSync(descriptor);
  }
}
