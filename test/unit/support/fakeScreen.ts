/**
 * A terminal screen small enough to trust. It keeps logical lines and wraps them at its width when
 * the cursor moves over rows, so a change of `columns` re-wraps what is already on it, as
 * terminals that reflow on resize do. It understands exactly the sequences the CLI's status block
 * uses (carriage return, line feed, cursor up `ESC[nA`, erase below `ESC[0J`, and colour codes,
 * which take no room); anything else is an error, so a test notices a sequence it did not expect.
 */
export class FakeScreen {
  private readonly lines: string[] = [''];
  private line = 0;
  /** The cursor's offset in its logical line, in characters. */
  private offset = 0;
  readonly isTTY = true;

  constructor(public columns: number) {}

  write(text: string): boolean {
    for (let index = 0; index < text.length; index++) {
      const char = text[index] ?? '';
      if (char === '\x1b') {
        // eslint-disable-next-line no-control-regex -- the sequences a terminal obeys are what is parsed here
        const match = /^\x1b\[(\d*)([AJm])/.exec(text.slice(index));
        if (match === null) throw new Error(`unexpected escape sequence at ${JSON.stringify(text.slice(index, index + 8))}`);
        const [sequence, count = '', command] = match;
        if (command === 'A') this.up(Number(count || '1'));
        if (command === 'J') {
          this.lines.splice(this.line + 1);
          this.lines[this.line] = Array.from(this.lines[this.line] ?? '').slice(0, this.offset).join('');
        }
        index += sequence.length - 1;
      } else if (char === '\r') this.offset = Math.floor(this.offset / this.columns) * this.columns;
      else if (char === '\n') {
        this.line += 1;
        this.offset = 0;
        this.lines[this.line] ??= '';
      } else {
        const chars = Array.from(this.lines[this.line] ?? '');
        chars[this.offset] = char;
        this.lines[this.line] = chars.join('');
        this.offset += 1;
      }
    }
    return true;
  }

  /** Up `count` screen rows, through the rows a long line wraps into at the current width. */
  private up(count: number): void {
    let row = Math.floor(this.offset / this.columns);
    for (let left = count; left > 0; left--) {
      if (row > 0) row -= 1;
      else if (this.line > 0) {
        this.line -= 1;
        row = Math.max(1, Math.ceil(Array.from(this.lines[this.line] ?? '').length / this.columns)) - 1;
      }
    }
    this.offset = row * this.columns;
  }

  /** What is on the screen, one string per logical line, trailing empty lines dropped. */
  text(): string[] {
    const lines = [...this.lines];
    while (lines.length > 0 && lines.at(-1) === '') lines.pop();
    return lines;
  }
}
