import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as z from 'zod';
import { runMetaSchema, type RunMeta } from '../../protocol/run';
import { isProcessAlive } from '../verify/isolationPaths';

/**
 * Where a run lives on disk: `.plumbline/runs/<run-id>/` with `plan.md` (the live plan the user
 * reads and edits) and `run.json` (what `plumbline runs` lists). One run at a time per workspace,
 * held by `.plumbline/run.lock`.
 */

export { runMetaSchema, type RunMeta } from '../../protocol/run';

export function plumblineDir(root: string): string {
  return join(root, '.plumbline');
}

export function runDir(root: string, runId: string): string {
  return join(plumblineDir(root), 'runs', runId);
}

export function planPath(root: string, runId: string): string {
  return join(runDir(root, runId), 'plan.md');
}

/** Sortable by time, unique enough for one machine: `20261123-114502-a1b2`. */
export function newRunId(now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `${stamp}-${randomBytes(2).toString('hex')}`;
}

/** Writes via a temporary file and a rename, so a reader never sees half a file. */
export async function writeFileAtomic(path: string, content: string): Promise<void> {
  const temporary = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  await writeFile(temporary, content, 'utf8');
  await rename(temporary, path);
}

/** `.plumbline/` keeps itself out of git with its own .gitignore: the user's files stay untouched. */
async function ensurePlumblineDir(root: string): Promise<void> {
  await mkdir(plumblineDir(root), { recursive: true });
  await writeFile(join(plumblineDir(root), '.gitignore'), '# Plumbline run data: plans, journals, checkpoints.\n*\n', { flag: 'wx' }).catch(() => undefined);
}

export async function writeRunMeta(root: string, meta: RunMeta): Promise<void> {
  await ensurePlumblineDir(root);
  await mkdir(runDir(root, meta.runId), { recursive: true });
  await writeFileAtomic(join(runDir(root, meta.runId), 'run.json'), `${JSON.stringify(meta, null, 2)}\n`);
}

export async function writePlanFile(root: string, runId: string, markdown: string): Promise<void> {
  await mkdir(runDir(root, runId), { recursive: true });
  await writeFileAtomic(planPath(root, runId), markdown);
}

export async function readPlanFile(root: string, runId: string): Promise<string | undefined> {
  try {
    return await readFile(planPath(root, runId), 'utf8');
  } catch {
    return undefined;
  }
}

/** One run's record; undefined when it has none (or an unreadable one). */
export async function readRunMeta(root: string, runId: string): Promise<RunMeta | undefined> {
  try {
    const parsed = runMetaSchema.safeParse(JSON.parse(await readFile(join(runDir(root, runId), 'run.json'), 'utf8')));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** Past runs, newest first; unreadable entries are skipped rather than failing the listing. */
export async function listRuns(root: string): Promise<RunMeta[]> {
  let names: string[];
  try {
    names = await readdir(join(plumblineDir(root), 'runs'));
  } catch {
    return [];
  }
  const metas = await Promise.all(names.map((name) => readRunMeta(root, name)));
  return metas.filter((meta): meta is RunMeta => meta !== undefined).sort((a, b) => b.runId.localeCompare(a.runId));
}

export class RunLockedError extends Error {
  override readonly name = 'RunLockedError';
}

/**
 * Takes the workspace's run lock, or throws `RunLockedError` naming the run that holds it. A lock
 * left by a process that no longer runs (gone, or a zombie) is taken over.
 */
export async function acquireRunLock(root: string, runId: string): Promise<() => Promise<void>> {
  const path = join(plumblineDir(root), 'run.lock');
  await mkdir(plumblineDir(root), { recursive: true });
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const handle = await open(path, 'wx');
      await handle.writeFile(JSON.stringify({ runId, pid: process.pid }));
      await handle.close();
      return async () => {
        await rm(path, { force: true });
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = await readFile(path, 'utf8').then(
        (text) => {
          try {
            return z.object({ runId: z.string(), pid: z.number() }).safeParse(JSON.parse(text));
          } catch {
            return undefined;
          }
        },
        () => undefined,
      );
      if (holder?.success === true && isProcessAlive(holder.data.pid)) {
        throw new RunLockedError(`Another Plumbline run (${holder.data.runId}) is in progress in this workspace; cancel it or wait for it to finish.`);
      }
      await rm(path, { force: true });
    }
  }
  throw new RunLockedError('Could not take the workspace run lock; try again.');
}
