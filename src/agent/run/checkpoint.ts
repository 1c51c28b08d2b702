import { createHash } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as z from 'zod';
import { diskWriter, writeAtomically, type FileWriter } from '../workspace/atomicWrite';
import { resolveWorkspacePath } from '../workspace/workspacePaths';
import { runDir, writeFileAtomic } from './runStore';

const entrySchema = z.object({
  path: z.string(),
  /** Whether the file existed before the run first changed it. */
  existed: z.boolean(),
  /** Where its pre-run bytes are kept, relative to the checkpoint folder. */
  saved: z.string().nullable(),
  /** sha256 of the pre-run bytes (null: it did not exist). */
  preSha: z.string().nullable(),
  /** sha256 of every content the run wrote or was about to write (null: deleted). */
  writtenShas: z.array(z.string().nullable()),
});
const manifestSchema = z.object({ version: z.literal(1), entries: z.array(entrySchema) });
type Manifest = z.infer<typeof manifestSchema>;

export interface UndoReport {
  readonly restored: readonly string[];
  /** Files left alone because they changed after the run wrote them: the user's edits win. */
  readonly skipped: readonly { readonly path: string; readonly reason: string }[];
}

const editedReason = 'it changed after the run wrote it; your edits are kept';

const sha = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

async function readOptional(path: string): Promise<Uint8Array | undefined> {
  try {
    return new Uint8Array(await readFile(path));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/**
 * The run's checkpoint: the bytes of every user file as they were before the run first wrote it,
 * and a fingerprint of what the run wrote. Undo restores exactly those files, and only where the
 * file still holds what the run wrote; it never touches git history or anything else.
 */
export class Checkpoint {
  private readonly folder: string;

  constructor(
    private readonly root: string,
    runId: string,
    /** How restored files are written (a test injects failures). */
    private readonly writer: FileWriter = diskWriter,
  ) {
    this.folder = join(runDir(root, runId), 'checkpoint');
  }

  private async load(): Promise<Manifest> {
    const text = await readOptional(join(this.folder, 'manifest.json'));
    if (text === undefined) return { version: 1, entries: [] };
    return manifestSchema.parse(JSON.parse(new TextDecoder().decode(text)));
  }

  private async save(manifest: Manifest): Promise<void> {
    await mkdir(this.folder, { recursive: true });
    await writeFileAtomic(join(this.folder, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  }

  /**
   * Call before changing user files, with what is about to be written: keeps each file's pre-run
   * bytes the first time it is touched, and the fingerprint of the new content. Saved before any
   * write, so a crash in the middle of applying still leaves a checkpoint that undoes it.
   */
  async before(writes: readonly { readonly path: string; readonly bytes: Uint8Array | undefined }[]): Promise<void> {
    const manifest = await this.load();
    for (const { path, bytes: next } of writes) {
      let entry = manifest.entries.find((candidate) => candidate.path === path);
      if (entry === undefined) {
        const { absolute } = await resolveWorkspacePath(this.root, path);
        const bytes = await readOptional(absolute);
        let saved: string | null = null;
        if (bytes !== undefined) {
          saved = `files/${manifest.entries.length}`;
          await mkdir(join(this.folder, 'files'), { recursive: true });
          await writeFileAtomic(join(this.folder, saved), Buffer.from(bytes).toString('base64'));
        }
        entry = { path, existed: bytes !== undefined, saved, preSha: bytes === undefined ? null : sha(bytes), writtenShas: [] };
        manifest.entries.push(entry);
      }
      entry.writtenShas.push(next === undefined ? null : sha(next));
    }
    await this.save(manifest);
  }

  /** What undo would do now, without doing it: the files it would restore, and the ones it would keep. */
  async preview(): Promise<UndoReport> {
    const restored: string[] = [];
    const skipped: { path: string; reason: string }[] = [];
    for (const { entry, verdict } of await this.inspect()) {
      if (verdict === 'restore') restored.push(entry.path);
      else if (verdict === 'edited') skipped.push({ path: entry.path, reason: editedReason });
    }
    return { restored, skipped };
  }

  /**
   * Each checkpointed file against the disk: `unchanged` (never written, a crash before the write,
   * or already restored), `edited` (it changed after the run wrote it), or `restore`.
   */
  private async inspect(): Promise<{ entry: Manifest['entries'][number]; absolute: string; verdict: 'unchanged' | 'edited' | 'restore' }[]> {
    const manifest = await this.load();
    return Promise.all(
      manifest.entries.map(async (entry) => {
        const { absolute } = await resolveWorkspacePath(this.root, entry.path);
        const current = await readOptional(absolute);
        const currentSha = current === undefined ? null : sha(current);
        if (currentSha === entry.preSha) return { entry, absolute, verdict: 'unchanged' as const };
        // Only the run's own last write may be replaced: anything else is an edit made since.
        const written = entry.writtenShas[entry.writtenShas.length - 1];
        return { entry, absolute, verdict: currentSha === written ? ('restore' as const) : ('edited' as const) };
      }),
    );
  }

  async undo(): Promise<UndoReport> {
    const restored: string[] = [];
    const skipped: { path: string; reason: string }[] = [];
    for (const { entry, absolute, verdict } of await this.inspect()) {
      if (verdict === 'unchanged') continue;
      if (verdict === 'edited') {
        skipped.push({ path: entry.path, reason: editedReason });
        continue;
      }
      if (!entry.existed) {
        await this.writer.remove(absolute);
      } else if (entry.saved !== null) {
        const saved = await readFile(join(this.folder, entry.saved), 'utf8');
        await writeAtomically(this.writer, absolute, new Uint8Array(Buffer.from(saved, 'base64')));
      }
      restored.push(entry.path);
    }
    return { restored, skipped };
  }
}
