import { revealHidden } from '../protocol/hiddenCharacters';
/**
 * Terminal output for the CLI: colour only on a TTY that wants it (NO_COLOR, FORCE_COLOR), and a
 * status block (the live plan) kept at the bottom of a TTY: every line written goes above it, and
 * the block is cleared and drawn again below, in place, as Codex's and Claude Code's terminals do.
 * Off a TTY (a pipe, a log, `--json`) output is appended as is and no cursor is moved.
 */
export interface Terminal {
  readonly interactive: boolean;
  readonly colors: boolean;
  /**
   * Prints text. On a TTY with a status block shown, the block is cleared first and drawn again
   * after the text once the text ends a line (a prompt left mid-line is not drawn under).
   */
  write(text: string): void;
  /** Sets the status block and draws it in place of the previous one (on a TTY); elsewhere prints it when it changed. */
  redraw(text: string): void;
  /** Leaves the block printed where it is and forgets it: what follows (a question) is printed after it. */
  settle(): void;
}

/** The stream a terminal writes to: process.stdout, or a fake one in tests. */
export interface TerminalStream {
  readonly isTTY?: boolean;
  /** The terminal's width now (it changes when the window is resized). */
  readonly columns?: number;
  write(text: string): unknown;
}

export function createTerminal(stream: TerminalStream = process.stdout, env: NodeJS.ProcessEnv = process.env): Terminal {
  const interactive = stream.isTTY === true;
  const colors = env.NO_COLOR === undefined && (env.FORCE_COLOR !== undefined || interactive);
  /** The status block's text, and whether it is on the screen below the cursor's line. */
  let block = '';
  let shown = false;
  let previousText = '';
  const erase = (): void => {
    if (!shown) return;
    // Counted at the width the terminal has now: a terminal that was resized has re-wrapped the
    // block's lines to it, so this is how many rows it occupies.
    const rows = screenRows(block, stream.columns);
    stream.write(`\r\x1b[${rows}A\x1b[0J`);
    shown = false;
  };
  const draw = (): void => {
    if (block === '') return;
    stream.write(`${block}\n`);
    shown = true;
  };
  return {
    interactive,
    colors,
    write(text) {
      if (!interactive || !shown) {
        stream.write(text);
        return;
      }
      erase();
      stream.write(text);
      if (text.endsWith('\n')) draw();
    },
    redraw(text) {
      if (!interactive) {
        if (text !== previousText) stream.write(`${text}\n`);
        previousText = text;
        return;
      }
      erase();
      block = text;
      draw();
    },
    settle() {
      block = '';
      shown = false;
      previousText = '';
    },
  };
}

/** Plumbline's own colour codes: they take no room on the screen. */
// eslint-disable-next-line no-control-regex -- the escape character is exactly what is matched
const colourCodes = /\x1b\[[0-9;]*m/g;

/**
 * How many rows `text` (ending with a line break) takes on a terminal `columns` wide: each line at
 * least one, a line longer than the width one more per wrap. Unknown width: one row per line.
 */
export function screenRows(text: string, columns: number | undefined): number {
  const width = columns !== undefined && columns > 0 ? columns : Number.POSITIVE_INFINITY;
  return text.split('\n').reduce((rows, line) => rows + Math.max(1, Math.ceil(Array.from(line.replace(colourCodes, '')).length / width)), 0);
}

const codes = { red: 31, green: 32, yellow: 33, blue: 34, magenta: 35, cyan: 36, gray: 90, bold: 1, dim: 2 } as const;
export type Color = keyof typeof codes;

/**
 * Text from outside Plumbline (a test's name or output, a model's words, a file's lines) made safe
 * to print: control characters other than line breaks and tabs (escape sequences that could move
 * the cursor, retitle the window, write the clipboard or erase what was printed) are shown as
 * `⟦U+XXXX⟧`, as are characters a person cannot see. Plumbline's own colours are added after this.
 */
export function terminalSafe(text: string): string {
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is shown here
  return revealHidden(text).text.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, (char) => `⟦U+${(char.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}⟧`);
}

/** Every string inside `value` made safe to print (`terminalSafe`), the shape kept. */
export function safeForTerminal<T>(value: T): T {
  if (typeof value === 'string') return terminalSafe(value) as T;
  if (Array.isArray(value)) return value.map((item: unknown) => safeForTerminal(item)) as T;
  if (typeof value === 'object' && value !== null) return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, safeForTerminal(item)])) as T;
  return value;
}

export function paint(terminal: Pick<Terminal, 'colors'>, color: Color, text: string): string {
  return terminal.colors ? `\x1b[${codes[color]}m${text}\x1b[0m` : text;
}

