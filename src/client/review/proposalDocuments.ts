import * as vscode from 'vscode';
import type { FileChange } from '../../protocol/run';
import { showsOriginal } from './hunkLayout';

/**
 * The read-only documents a review shows, served from memory under their own scheme so nothing
 * touches the user's files or buffers while they decide:
 *   proposed  the inline review (the proposed text; a deleted file's original)
 *   original  the left side of Open Diff
 *   compare   the right side of Open Diff (the proposed text, without the inline decorations)
 * The path is the file's workspace-relative path, so tabs read like the file and get its language.
 */
export const proposalScheme = 'plumbline-proposal';

export type ProposalSide = 'proposed' | 'original' | 'compare';
const sides: readonly ProposalSide[] = ['proposed', 'original', 'compare'];

export interface ProposalAddress {
  readonly runId: string;
  readonly path: string;
  readonly side: ProposalSide;
}

export function proposalUri(runId: string, path: string, side: ProposalSide): vscode.Uri {
  return vscode.Uri.from({ scheme: proposalScheme, path: `/${path}`, query: new URLSearchParams({ run: runId, side }).toString() });
}

export function parseProposalUri(uri: vscode.Uri): ProposalAddress | undefined {
  if (uri.scheme !== proposalScheme) return undefined;
  const query = new URLSearchParams(uri.query);
  const runId = query.get('run');
  const side = sides.find((candidate) => candidate === query.get('side'));
  if (runId === null || side === undefined) return undefined;
  return { runId, path: uri.path.replace(/^\//, ''), side };
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
      if (showsOriginal(file)) return file.beforeText ?? '';
      return (file.kind === 'delete' ? null : file.afterText) ?? notText(file);
  }
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
