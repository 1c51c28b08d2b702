/**
 * JSON with comments and trailing commas, as VS Code writes `.vscode/mcp.json`: `//` and `/* *\/`
 * comments become spaces (so positions in errors still point at the right line) and a comma before
 * `}` or `]` is dropped; then JSON.parse. Strings are copied as they are.
 */
export function parseJsonc(text: string): unknown {
  let out = '';
  let index = 0;
  while (index < text.length) {
    const char = text[index] ?? '';
    const next = text[index + 1] ?? '';
    if (char === '"') {
      const start = index;
      index += 1;
      while (index < text.length && text[index] !== '"') index += text[index] === '\\' ? 2 : 1;
      index += 1;
      out += text.slice(start, index);
    } else if (char === '/' && next === '/') {
      while (index < text.length && text[index] !== '\n') {
        out += ' ';
        index += 1;
      }
    } else if (char === '/' && next === '*') {
      const end = text.indexOf('*/', index + 2);
      const stop = end === -1 ? text.length : end + 2;
      out += text.slice(index, stop).replace(/[^\n]/g, ' ');
      index = stop;
    } else {
      out += char;
      index += 1;
    }
  }
  return JSON.parse(withoutTrailingCommas(out));
}

const closer = /\s*[}\]]/y;

/** Drops a comma followed (after white space) by `}` or `]`, outside strings. */
function withoutTrailingCommas(text: string): string {
  let out = '';
  let inString = false;
  for (let index = 0; index < text.length; index++) {
    const char = text[index] ?? '';
    if (inString) {
      out += char;
      if (char === '\\') out += text[++index] ?? '';
      else if (char === '"') inString = false;
      continue;
    }
    if (char === '"') inString = true;
    if (char === ',') {
      closer.lastIndex = index + 1;
      if (closer.test(text)) continue;
    }
    out += char;
  }
  return out;
}
