import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as z from 'zod';
import { confinedOnDisk, fileUriInsideRoot, insideRoot } from './confinedPaths';

/**
 * The editor's file system as `plumbline acp` uses it (ACP's `fs/read_text_file` and
 * `fs/write_text_file`, where the client offers them): the user's unsaved buffers are read from
 * the editor and handed to the agent server as open documents (what the user sees is what the run
 * works on and verifies), and approved changes land through the editor, so it shows them at once.
 * After the editor's write, the disk is checked: an editor that only changed its buffer, or wrote
 * other bytes, is followed by a write of the exact approved bytes (the run's checkpoint and undo
 * compare the disk with them).
 */

/** The client's side of it; `read` returns the raw result, which is checked here. */
export interface EditorFileSystem {
  readonly canRead: boolean;
  readonly canWrite: boolean;
  read(path: string): Promise<unknown>;
  write(path: string, content: string): Promise<void>;
}

/** The agent server's open documents (LSP document sync). */
export interface ServerDocuments {
  open(uri: string, version: number, text: string): void;
  change(uri: string, version: number, text: string): void;
  close(uri: string): void;
}

/** Largest buffer taken from the editor, and how many are read for one run. */
export const maxBufferBytes = 4 * 1024 * 1024;
export const maxBuffersPerRun = 200;

const readResultSchema = z.object({ content: z.string().max(maxBufferBytes) });

const position = z.object({ line: z.number().int().nonnegative(), character: z.number().int().nonnegative() });
/** `workspace/applyEdit` as the agent server sends it (applyChanges.ts): whole-document replacements, creates and deletes. */
const applyEditSchema = z.object({
  label: z.string().optional(),
  edit: z.object({
    documentChanges: z
      .array(
        z.union([
          z.object({ kind: z.literal('create'), uri: z.string(), options: z.object({ overwrite: z.boolean().optional(), ignoreIfExists: z.boolean().optional() }).optional() }),
          z.object({ kind: z.literal('delete'), uri: z.string(), options: z.object({ ignoreIfNotExists: z.boolean().optional(), recursive: z.boolean().optional() }).optional() }),
          z.object({
            textDocument: z.object({ uri: z.string(), version: z.number().int().nullable() }),
            edits: z.array(z.object({ range: z.object({ start: position, end: position }), newText: z.string() })).length(1),
          }),
        ]),
      )
      .max(10_000),
  }),
});

export interface ApplyEditResult {
  readonly applied: boolean;
  readonly failureReason?: string;
}

export class EditorFiles {
  private readonly versions = new Map<string, number>();

  constructor(
    private readonly root: string,
    private readonly editor: EditorFileSystem,
    private readonly documents: ServerDocuments,
    private readonly log: (line: string) => void,
  ) {}

  /**
   * Reads the editor's text of these workspace paths and gives the agent server the ones that
   * differ from the disk (unsaved edits); a buffer that matches the disk again is closed.
   */
  async syncBuffers(paths: Iterable<string>): Promise<void> {
    if (!this.editor.canRead) return;
    const wanted = [...new Set(paths)].slice(0, maxBuffersPerRun);
    for (const path of wanted) {
      const absolute = insideRoot(this.root, path);
      if (absolute === undefined) continue;
      await this.syncBuffer(absolute);
    }
  }

  /** Opens one buffer the client sent itself (an embedded resource in a prompt). */
  openSent(absolute: string, text: string): void {
    this.setDocument(pathToFileURL(absolute).toString(), text);
  }

  private async syncBuffer(absolute: string): Promise<void> {
    let raw: unknown;
    try {
      raw = await this.editor.read(absolute);
    } catch {
      return; // A file the editor cannot read (not there yet, binary): the disk is what counts.
    }
    const parsed = readResultSchema.safeParse(raw);
    if (!parsed.success) {
      this.log(`fs/read_text_file for ${absolute} answered something other than text under ${String(maxBufferBytes)} bytes; the file on disk is used.`);
      return;
    }
    const uri = pathToFileURL(absolute).toString();
    const disk = await readFile(absolute, 'utf8').catch(() => undefined);
    if (parsed.data.content === disk) this.closeDocument(uri);
    else this.setDocument(uri, parsed.data.content);
  }

  private setDocument(uri: string, text: string): void {
    const version = this.versions.get(uri);
    if (version === undefined) this.documents.open(uri, 1, text);
    else this.documents.change(uri, version + 1, text);
    this.versions.set(uri, (version ?? 0) + 1);
  }

  private closeDocument(uri: string): void {
    if (!this.versions.delete(uri)) return;
    this.documents.close(uri);
  }

  /** Carries out the agent server's `workspace/applyEdit`: approved changes, landed through the editor where it can write. */
  async applyEdit(raw: unknown): Promise<ApplyEditResult> {
    const parsed = applyEditSchema.safeParse(raw);
    if (!parsed.success) return { applied: false, failureReason: `plumbline acp cannot apply this edit: ${parsed.error.issues[0]?.message ?? 'malformed'}` };
    try {
      for (const change of parsed.data.edit.documentChanges) {
        if ('kind' in change) {
          const absolute = await this.confined(change.uri);
          if (change.kind === 'create') await mkdir(dirname(absolute), { recursive: true });
          else await this.remove(absolute);
          continue;
        }
        const [edit] = change.edits;
        if (edit === undefined || edit.range.start.line !== 0 || edit.range.start.character !== 0) throw new Error('only whole-document replacements are landed');
        const absolute = await this.confined(change.textDocument.uri);
        await this.write(absolute, edit.newText);
        // The editor's buffer and the disk now hold the landed text: the server reads the disk again.
        this.closeDocument(pathToFileURL(absolute).toString());
      }
      return { applied: true };
    } catch (error) {
      return { applied: false, failureReason: error instanceof Error ? error.message : String(error) };
    }
  }

  private async confined(uri: string): Promise<string> {
    const absolute = fileUriInsideRoot(this.root, uri);
    if (absolute === undefined || !(await confinedOnDisk(this.root, absolute))) throw new Error(`${uri} is outside the session's folder ${this.root}; nothing was written there`);
    return absolute;
  }

  private async write(absolute: string, text: string): Promise<void> {
    await mkdir(dirname(absolute), { recursive: true });
    if (this.editor.canWrite) {
      try {
        await this.editor.write(absolute, text);
      } catch (error) {
        this.log(`The editor could not write ${absolute} (${error instanceof Error ? error.message : String(error)}); writing it to disk instead.`);
      }
    }
    const expected = Buffer.from(text, 'utf8');
    const onDisk = await readFile(absolute).catch(() => undefined);
    if (onDisk !== undefined && onDisk.equals(expected)) return;
    if (this.editor.canWrite) this.log(`${absolute}: the editor's write did not reach the disk as approved; writing the approved bytes.`);
    await writeAtomically(absolute, expected);
  }

  private async remove(absolute: string): Promise<void> {
    const info = await stat(absolute).catch(() => undefined);
    if (info === undefined) return;
    if (!info.isFile()) throw new Error(`${absolute} is not a file; it was not deleted`);
    await rm(absolute);
    this.closeDocument(pathToFileURL(absolute).toString());
  }
}

/** Written beside the target and renamed over it, so the file is always its old or its new self. */
async function writeAtomically(absolute: string, bytes: Buffer): Promise<void> {
  const temporary = join(dirname(absolute), `.${basename(absolute)}.plumbline-${randomBytes(4).toString('hex')}`);
  // The file keeps its permissions (an executable script stays executable).
  const mode = (await stat(absolute).catch(() => undefined))?.mode;
  try {
    await writeFile(temporary, bytes, { flush: true, ...(mode !== undefined ? { mode: mode & 0o7777 } : {}) });
    await rename(temporary, absolute);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}
