import * as vscode from 'vscode';
import type { HunkLayout, Removal } from './hunkLayout';
import type { HunkStatus } from './reviewState';

/**
 * How the inline review paints a proposal, with stable decorations only:
 *  - added lines: a whole-line diff background with a bar on the left (green while pending and
 *    accepted; dimmed and struck through once rejected, since they will not land);
 *  - removed lines: the line now standing where they were gets a dashed red rule at its top (at
 *    its bottom for lines removed at the end of the file) and, after its text, the first removed
 *    line struck through in red with how many more there are ("− old text  (+2 more)"); the hover
 *    lists them all. Once the hunk is rejected the text turns grey and loses its strike: it stays;
 *  - a deleted file's lines: a red background, struck through;
 *  - all of it in the overview ruler.
 */
const color = (id: string): vscode.ThemeColor => new vscode.ThemeColor(id);

const addedBar = { isWholeLine: true, borderStyle: 'solid', borderWidth: '0 0 0 3px', overviewRulerLane: vscode.OverviewRulerLane.Left } as const;

function createTypes(): {
  added: Record<HunkStatus, vscode.TextEditorDecorationType>;
  removedAbove: vscode.TextEditorDecorationType;
  removedBelow: vscode.TextEditorDecorationType;
  removedText: vscode.TextEditorDecorationType;
  removedCount: vscode.TextEditorDecorationType;
  struck: vscode.TextEditorDecorationType;
} {
  const create = (options: vscode.DecorationRenderOptions): vscode.TextEditorDecorationType => vscode.window.createTextEditorDecorationType(options);
  const removalRule = { isWholeLine: true, borderStyle: 'dashed', borderColor: color('editorGutter.deletedBackground'), overviewRulerColor: color('editorOverviewRuler.deletedForeground'), overviewRulerLane: vscode.OverviewRulerLane.Left };
  return {
    added: {
      pending: create({ ...addedBar, backgroundColor: color('diffEditor.insertedLineBackground'), borderColor: color('editorGutter.addedBackground'), overviewRulerColor: color('editorOverviewRuler.addedForeground') }),
      accepted: create({ ...addedBar, backgroundColor: color('diffEditor.insertedTextBackground'), borderColor: color('testing.iconPassed'), overviewRulerColor: color('testing.iconPassed') }),
      rejected: create({ ...addedBar, opacity: '0.55', textDecoration: 'line-through', borderColor: color('editorGutter.deletedBackground'), overviewRulerColor: color('editorOverviewRuler.deletedForeground') }),
    },
    removedAbove: create({ ...removalRule, borderWidth: '1px 0 0 0' }),
    removedBelow: create({ ...removalRule, borderWidth: '0 0 1px 0' }),
    removedText: create({ after: { margin: '0 0 0 3ch', fontStyle: 'italic' }, rangeBehavior: vscode.DecorationRangeBehavior.ClosedClosed }),
    removedCount: create({ after: { margin: '0 0 0 1ch', color: color('descriptionForeground'), fontStyle: 'italic' }, rangeBehavior: vscode.DecorationRangeBehavior.ClosedClosed }),
    struck: create({ isWholeLine: true, backgroundColor: color('diffEditor.removedLineBackground'), textDecoration: 'line-through', overviewRulerColor: color('editorOverviewRuler.deletedForeground'), overviewRulerLane: vscode.OverviewRulerLane.Left }),
  };
}

function clip(text: string, length: number): string {
  const trimmed = text.trim();
  return trimmed.length <= length ? trimmed : `${trimmed.slice(0, length - 1)}…`;
}

/** The first removed line, as shown struck through after the line that replaced it. */
export function removalLabel(removal: Removal): string {
  const first = clip(removal.lines[0] ?? '', 60);
  return `− ${first === '' ? '(blank line)' : first}`;
}

/** What follows it, not struck: how many more lines went, and whether the rejection keeps them. */
export function removalNote(removal: Removal, kept: boolean): string {
  const more = removal.lines.length - 1;
  const count = more > 0 ? `+${more} more removed line${more === 1 ? '' : 's'}` : '';
  return [count, kept ? 'kept' : ''].filter((part) => part !== '').join(', ');
}

export class HunkDecorations implements vscode.Disposable {
  private readonly types = createTypes();

  apply(editor: vscode.TextEditor, layouts: readonly HunkLayout[], statusOf: (hunk: string) => HunkStatus): void {
    const document = editor.document;
    const lastLine = Math.max(0, document.lineCount - 1);
    const line = (index: number): vscode.Range => new vscode.Range(Math.min(index, lastLine), 0, Math.min(index, lastLine), 0);
    const added: Record<HunkStatus, vscode.Range[]> = { pending: [], accepted: [], rejected: [] };
    const above: vscode.Range[] = [];
    const below: vscode.Range[] = [];
    const struck: vscode.Range[] = [];
    const texts: vscode.DecorationOptions[] = [];
    const notes: vscode.DecorationOptions[] = [];
    for (const layout of layouts) {
      const status = statusOf(layout.id);
      for (const index of layout.added) added[status].push(line(index));
      if (status !== 'rejected') for (const index of layout.struck) struck.push(line(index));
      for (const removal of layout.removals) {
        (removal.below ? below : above).push(line(removal.line));
        const end = document.lineAt(Math.min(removal.line, lastLine)).range.end;
        const kept = status === 'rejected';
        texts.push({
          range: new vscode.Range(end, end),
          renderOptions: {
            after: {
              contentText: removalLabel(removal),
              color: color(kept ? 'descriptionForeground' : 'gitDecoration.deletedResourceForeground'),
              ...(kept ? {} : { backgroundColor: color('diffEditor.removedTextBackground') }),
              textDecoration: kept ? 'none' : 'line-through',
            },
          },
        });
        const note = removalNote(removal, kept);
        if (note !== '') notes.push({ range: new vscode.Range(end, end), renderOptions: { after: { contentText: `(${note})` } } });
      }
    }
    for (const status of ['pending', 'accepted', 'rejected'] as const) editor.setDecorations(this.types.added[status], added[status]);
    editor.setDecorations(this.types.removedAbove, above);
    editor.setDecorations(this.types.removedBelow, below);
    editor.setDecorations(this.types.struck, struck);
    editor.setDecorations(this.types.removedText, texts);
    editor.setDecorations(this.types.removedCount, notes);
  }

  /** Disposing the types removes their decorations from every editor. */
  dispose(): void {
    const { added, ...rest } = this.types;
    for (const type of [...Object.values(added), ...Object.values(rest)]) type.dispose();
  }
}
