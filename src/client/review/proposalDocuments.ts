import * as vscode from 'vscode';
import * as z from 'zod';
import type { FileChange } from '../../protocol/run';
import { reviewDocument } from './hunkLayout';

/**
 * The read-only documents a review shows, served from memory under their own scheme so nothing
 * touches the user's files or buffers while they decide:
 *   proposed  the inline review: the file with, at each change, the removed lines above the added
 *             ones (hunkLayout.ts's review document)
 *   original  the left side of Open Diff
 *   compare   the right side of Open Diff (the proposed text alone)
 * The URI's path is the file's folder and "Proposed: <name>": a tab shows its path's last segment
 * (VS Code sets it again from the path whenever the document is shown anew, whatever a label
 * formatter said), so the tab reads "Proposed: greet.js" while the name's extension still gives
 * the document the file's language and the tab its icon. The query (JSON) holds the review, the
 * side and the file's real path.
 */
export const proposalScheme = 'plumbline-proposal';

const proposalSideSchema = z.enum(['proposed', 'original', 'compare']);
export type ProposalSide = z.infer<typeof proposalSideSchema>;

export interface ProposalAddress {
  readonly runId: string;
  readonly path: string;
  readonly side: ProposalSide;
}

const proposalQuerySchema = z.object({ run: z.string().min(1), side: proposalSideSchema, path: z.string().min(1) });

/** What a tab of the review reads: the side, and the file's name. */
export function proposalLabel(path: string, side: ProposalSide): string {
  const name = path.slice(path.lastIndexOf('/') + 1);
  return `${side === 'original' ? 'Original' : 'Proposed'}: ${name}`;
}

export function proposalUri(runId: string, path: string, side: ProposalSide): vscode.Uri {
  const folder = path.includes('/') ? path.slice(0, path.lastIndexOf('/') + 1) : '';
  const query: z.infer<typeof proposalQuerySchema> = { run: runId, side, path };
  return vscode.Uri.from({ scheme: proposalScheme, path: `/${folder}${proposalLabel(path, side)}`, query: JSON.stringify(query) });
}

/** Undefined for any URI of the scheme that is not one of ours (a link can be made by anyone). */
export function parseProposalUri(uri: vscode.Uri): ProposalAddress | undefined {
  if (uri.scheme !== proposalScheme) return undefined;
  let raw: unknown;
  try {
    raw = JSON.parse(uri.query);
  } catch {
    return undefined;
  }
  const query = proposalQuerySchema.safeParse(raw);
  return query.success ? { runId: query.data.run, path: query.data.path, side: query.data.side } : undefined;
}

function notText(file: FileChange): string {
  const what = file.kind === 'delete' ? 'deleted' : file.kind === 'create' ? 'created' : 'changed';
  return `${file.path} is not a text file: it is ${what} as a whole. Accept or reject the file.\n`;
}

/** What each side of a file's review shows. */
export function proposalText(file: FileChange, side: ProposalSide): string {
  switch (side) {
    case 'original':
      return file.beforeText ?? (file.kind === 'create' ? '' : notText(file));
    case 'compare':
      return file.afterText ?? (file.kind === 'delete' ? '' : notText(file));
    case 'proposed':
      return reviewDocument(file)?.text ?? (file.kind === 'delete' ? null : file.afterText) ?? notText(file);
  }
}

/**
 * The proposal's tabs (and Open Diff's right side) get a badge and their label the colour of a
 * modified file, so they read as a proposal at a glance whatever the file icon theme. Registered
 * once per extension host however many review controllers there are (a test builds its own), or
 * each would add its badge.
 */
const proposalDecorations: vscode.FileDecorationProvider = {
  provideFileDecoration(uri) {
    const address = parseProposalUri(uri);
    if (address === undefined || address.side === 'original') return undefined;
    const decoration = new vscode.FileDecoration('±', `Proposed by Plumbline: ${address.path} does not change until you accept`, new vscode.ThemeColor('gitDecoration.modifiedResourceForeground'));
    decoration.propagate = false;
    return decoration;
  },
};

interface DecorationHolder {
  users: number;
  registration: vscode.Disposable | undefined;
}

const decorationsKey = Symbol.for('plumbline.review.proposalDecorations.v1');

export function acquireProposalDecorations(): vscode.Disposable {
  const global = globalThis as unknown as Record<symbol, DecorationHolder | undefined>;
  const holder = (global[decorationsKey] ??= { users: 0, registration: undefined });
  holder.users += 1;
  holder.registration ??= vscode.window.registerFileDecorationProvider(proposalDecorations);
  let released = false;
  return new vscode.Disposable(() => {
    if (released) return;
    released = true;
    holder.users -= 1;
    if (holder.users > 0) return;
    holder.registration?.dispose();
    holder.registration = undefined;
  });
}

/** The content provider: each review publishes its files for as long as it lasts. */
export class ProposalDocuments implements vscode.TextDocumentContentProvider {
  private readonly runs = new Map<string, ReadonlyMap<string, FileChange>>();

  publish(runId: string, files: readonly FileChange[]): vscode.Disposable {
    const published = new Map(files.map((file) => [file.path, file]));
    this.runs.set(runId, published);
    return new vscode.Disposable(() => {
      if (this.runs.get(runId) === published) this.runs.delete(runId);
    });
  }

  /** Undefined for another review's documents, so another provider of the scheme can answer. */
  provideTextDocumentContent(uri: vscode.Uri): string | undefined {
    const address = parseProposalUri(uri);
    const file = address === undefined ? undefined : this.runs.get(address.runId)?.get(address.path);
    return file === undefined || address === undefined ? undefined : proposalText(file, address.side);
  }
}
