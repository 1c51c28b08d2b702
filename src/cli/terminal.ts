import { revealHidden } from '../protocol/hiddenCharacters';
/**
 * Terminal output for the CLI: colour only on a TTY that wants it (NO_COLOR, FORCE_COLOR), and a
 * region that can be redrawn in place for the live plan.
 */
export interface Terminal {
  readonly interactive: boolean;
  readonly colors: boolean;
  write(text: string): void;
  /** Replaces what the previous `redraw` printed (on a TTY); elsewhere prints only when it changed. */
  redraw(text: string): void;
  /** Ends the live region so later output follows it. */
  settle(): void;
}

export function createTerminal(stream: NodeJS.WriteStream = process.stdout, env: NodeJS.ProcessEnv = process.env): Terminal {
  const interactive = stream.isTTY;
  const colors = env.NO_COLOR === undefined && (env.FORCE_COLOR !== undefined || interactive);
  let previousLines = 0;
  let previousText = '';
  return {
    interactive,
    colors,
    write: (text) => stream.write(text),
    redraw(text) {
      if (text === previousText) return;
      if (interactive) {
        // Move up over the previous region and clear it, then print the new one.
        if (previousLines > 0) stream.write(`\x1b[${previousLines}A\x1b[0J`);
        stream.write(`${text}\n`);
        previousLines = text.split('\n').length;
      } else {
        stream.write(`${text}\n`);
      }
      previousText = text;
    },
    settle() {
      previousLines = 0;
      previousText = '';
    },
  };
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

