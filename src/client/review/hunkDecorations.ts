import * as vscode from 'vscode';
import type { HunkLayout } from './hunkLayout';
import type { HunkStatus } from './reviewState';

/**
 * How the inline review paints its document (hunkLayout.ts: the removed lines stand above the added
 * ones as real lines), with whole-line decorations only, so nothing runs off to the right:
 *  - added lines: the diff's inserted background with a bar on the left (green while pending and
 *    accepted; dimmed and struck through once rejected, since they will not land);
 *  - removed lines: the diff's removed background with a red bar (pending; once accepted also struck
 *    through, as they will go); once the hunk is rejected they stay in the file, so they lose the
 *    red and keep a grey bar;
 *  - all of it in the overview ruler.
 */
const color = (id: string): vscode.ThemeColor => new vscode.ThemeColor(id);

const bar = { isWholeLine: true, borderStyle: 'solid', borderWidth: '0 0 0 3px', overviewRulerLane: vscode.OverviewRulerLane.Left } as const;

type ByStatus = Record<HunkStatus, vscode.TextEditorDecorationType>;

function createTypes(): { added: ByStatus; removed: ByStatus } {
  const create = (options: vscode.DecorationRenderOptions): vscode.TextEditorDecorationType => vscode.window.createTextEditorDecorationType(options);
  const deleted = { borderColor: color('editorGutter.deletedBackground'), overviewRulerColor: color('editorOverviewRuler.deletedForeground') };
  return {
    added: {
      pending: create({ ...bar, backgroundColor: color('diffEditor.insertedLineBackground'), borderColor: color('editorGutter.addedBackground'), overviewRulerColor: color('editorOverviewRuler.addedForeground') }),
      accepted: create({ ...bar, backgroundColor: color('diffEditor.insertedTextBackground'), borderColor: color('testing.iconPassed'), overviewRulerColor: color('testing.iconPassed') }),
      rejected: create({ ...bar, opacity: '0.55', textDecoration: 'line-through', ...deleted }),
    },
    removed: {
      pending: create({ ...bar, ...deleted, backgroundColor: color('diffEditor.removedLineBackground') }),
      accepted: create({ ...bar, ...deleted, backgroundColor: color('diffEditor.removedLineBackground'), textDecoration: 'line-through', opacity: '0.75' }),
      rejected: create({ ...bar, borderColor: color('editorLineNumber.foreground') }),
    },
  };
}

export class HunkDecorations implements vscode.Disposable {
  private readonly types = createTypes();

  apply(editor: vscode.TextEditor, layouts: readonly HunkLayout[], statusOf: (hunk: string) => HunkStatus): void {
    const lastLine = Math.max(0, editor.document.lineCount - 1);
    const line = (index: number): vscode.Range => new vscode.Range(Math.min(index, lastLine), 0, Math.min(index, lastLine), 0);
    const empty = (): Record<HunkStatus, vscode.Range[]> => ({ pending: [], accepted: [], rejected: [] });
    const added = empty();
    const removed = empty();
    for (const layout of layouts) {
      const status = statusOf(layout.id);
      for (const index of layout.added) added[status].push(line(index));
      for (const index of layout.removed) removed[status].push(line(index));
    }
    for (const status of ['pending', 'accepted', 'rejected'] as const) {
      editor.setDecorations(this.types.added[status], added[status]);
      editor.setDecorations(this.types.removed[status], removed[status]);
    }
  }

  /** Disposing the types removes their decorations from every editor. */
  dispose(): void {
    for (const type of [...Object.values(this.types.added), ...Object.values(this.types.removed)]) type.dispose();
  }
}
