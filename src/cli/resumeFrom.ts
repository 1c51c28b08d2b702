import { spawnSync } from 'node:child_process';
import { closeSync, copyFileSync, existsSync, mkdirSync, openSync, readFileSync, readSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as z from 'zod';
import { commitIdSchema } from '../protocol/branchCommit';

/**
 * `plumbline resume --from DIR`: a CI run's artifact folder (journal.jsonl, plan.md, run.json), made
 * on one machine, put into this checkout's `.plumbline/runs/<run-id>/` so the run continues here.
 * The folder is read as untrusted (it was downloaded): the run id must be a plain name and the
 * journal must say the run commits to a branch, from the commit this checkout is at.
 */

export class ArtifactsError extends Error {
  override readonly name = 'ArtifactsError';
}

const runIdSchema = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/, 'a run id is letters, digits, "-" and "_"');
const runJsonSchema = z.object({ runId: runIdSchema });
/** The journal's first line: the run's start and the options it was started with (those that matter here). */
const startedSchema = z.object({
  kind: z.literal('started'),
  options: z.object({ commitToBranch: z.object({ branch: z.string().optional(), base: commitIdSchema.optional() }).optional() }).loose(),
});

/** Puts the artifacts' run into the checkout at `cwd`; returns its id. Throws ArtifactsError (a usage error). */
export function importRunArtifacts(from: string, cwd: string): { runId: string; branch?: string; base: string } {
  const journal = join(from, 'journal.jsonl');
  if (!existsSync(journal) || !existsSync(join(from, 'run.json'))) {
    throw new ArtifactsError(`${from} is not a run's artifact folder: it needs journal.jsonl and run.json (what plumbline run --ci --artifacts DIR writes)`);
  }
  let runId: string;
  try {
    runId = runJsonSchema.parse(JSON.parse(readFileSync(join(from, 'run.json'), 'utf8'))).runId;
  } catch (error) {
    throw new ArtifactsError(`${join(from, 'run.json')} does not name a run: ${error instanceof Error ? error.message.slice(0, 300) : String(error)}`);
  }
  let started: z.infer<typeof startedSchema>;
  try {
    started = startedSchema.parse(JSON.parse(firstLine(journal)));
  } catch {
    throw new ArtifactsError(`${journal} does not start with the run's start; it cannot be resumed`);
  }
  const target = started.options.commitToBranch;
  if (target?.base === undefined) throw new ArtifactsError(`run ${runId} was not started with --ci; resume --from continues CI runs (resume a local run with plumbline resume ${runId})`);
  const head = spawnSync('git', ['rev-parse', '--verify', '--quiet', 'HEAD^{commit}'], { cwd, encoding: 'utf8' });
  const at = head.status === 0 ? head.stdout.trim() : undefined;
  if (at !== target.base) {
    throw new ArtifactsError(
      `run ${runId} was started on commit ${target.base}, and its steps were verified there, but ${cwd} is ${at !== undefined ? `at ${at}` : 'not a git checkout with a commit'}; check that commit out (git checkout --detach ${target.base}) and resume again`,
    );
  }
  const runDir = join(cwd, '.plumbline', 'runs', runId);
  if (existsSync(join(runDir, 'journal.jsonl'))) {
    if (readFileSync(join(runDir, 'journal.jsonl')).equals(readFileSync(journal))) return { runId, ...(target.branch !== undefined ? { branch: target.branch } : {}), base: target.base };
    throw new ArtifactsError(`this checkout has a run ${runId} of its own, different from the artifacts'; resume it with plumbline resume ${runId}, or use another checkout`);
  }
  mkdirSync(runDir, { recursive: true });
  // The same rule the run store writes: run data stays out of git.
  if (!existsSync(join(cwd, '.plumbline', '.gitignore'))) writeFileSync(join(cwd, '.plumbline', '.gitignore'), '# Plumbline run data: plans, journals, checkpoints.\n*\n');
  for (const name of ['journal.jsonl', 'plan.md', 'run.json']) {
    if (existsSync(join(from, name))) copyFileSync(join(from, name), join(runDir, name));
  }
  return { runId, ...(target.branch !== undefined ? { branch: target.branch } : {}), base: target.base };
}

/** The first line of a file, read in pieces up to 1 MiB (the start entry is small; a journal may be large). */
function firstLine(path: string): string {
  const descriptor = openSync(path, 'r');
  try {
    const chunks: Buffer[] = [];
    for (let offset = 0; offset < 1024 * 1024; ) {
      const chunk = Buffer.alloc(64 * 1024);
      const count = readSync(descriptor, chunk, 0, chunk.length, offset);
      if (count === 0) break;
      chunks.push(chunk.subarray(0, count));
      offset += count;
      const text = Buffer.concat(chunks);
      const end = text.indexOf(0x0a);
      if (end >= 0) return text.subarray(0, end).toString('utf8');
    }
    return Buffer.concat(chunks).toString('utf8');
  } finally {
    closeSync(descriptor);
  }
}
