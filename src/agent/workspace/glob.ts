/**
 * A small glob → RegExp converter, so listing and search need no matcher dependency. Supported:
 * `*` and `?` (within one path segment), `**` (any number of segments, as a whole segment),
 * `{a,b}` (nestable), `[abc]`, `[a-z]`, `[!abc]`/`[^abc]`, and `\` to escape the next character.
 * `*` matches dotfiles too (models rarely mean to exclude them). Matching is case-sensitive.
 * Malformed pieces (an unclosed `[` or `{`) are taken literally rather than rejected.
 */

const regexSpecials = new Set(['.', '+', '^', '$', '(', ')', '|', '[', ']', '{', '}', '\\', '*', '?', '/']);

function escapeChar(char: string): string {
  return regexSpecials.has(char) ? `\\${char}` : char;
}

/** Index of the `}` closing the `{` at `open`, or -1 when unclosed. */
function closingBrace(glob: string, open: number): number {
  let depth = 0;
  for (let index = open; index < glob.length; index += 1) {
    const char = glob[index];
    if (char === '\\') index += 1;
    else if (char === '{') depth += 1;
    else if (char === '}') {
      depth -= 1;
      if (depth === 0) return index;
    }
  }
  return -1;
}

/** Splits the inside of `{...}` on top-level commas. */
function alternatives(body: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let index = 0; index < body.length; index += 1) {
    const char = body[index];
    if (char === '\\') index += 1;
    else if (char === '{') depth += 1;
    else if (char === '}') depth -= 1;
    else if (char === ',' && depth === 0) {
      parts.push(body.slice(start, index));
      start = index + 1;
    }
  }
  parts.push(body.slice(start));
  return parts;
}

/** A character class starting at `open`, as regex source and the index after it; undefined when unclosed. */
function characterClass(glob: string, open: number): { source: string; next: number } | undefined {
  let index = open + 1;
  let negated = false;
  if (glob[index] === '!' || glob[index] === '^') {
    negated = true;
    index += 1;
  }
  let body = '';
  // A `]` right after the opening is a member, as in POSIX.
  if (glob[index] === ']') {
    body += '\\]';
    index += 1;
  }
  for (; index < glob.length; index += 1) {
    const char = glob[index] ?? '';
    if (char === ']') {
      // Classes never match the separator: `[!a]` must not cross a folder boundary.
      return { source: negated ? `[^/${body}]` : `(?!/)[${body}]`, next: index + 1 };
    }
    if (char === '\\') {
      index += 1;
      body += `\\${glob[index] ?? '\\'}`;
    } else if (char === '-') {
      body += '-';
    } else {
      body += /[\w]/.test(char) ? char : `\\${char}`;
    }
  }
  return undefined;
}

function convert(glob: string): string {
  let source = '';
  for (let index = 0; index < glob.length; index += 1) {
    const char = glob[index] ?? '';
    const previous = index === 0 ? '/' : glob[index - 1];
    if (char === '\\') {
      index += 1;
      source += index < glob.length ? escapeChar(glob[index] ?? '') : '\\\\';
    } else if (char === '*' && glob[index + 1] === '*' && previous === '/') {
      // `**` only spans folders as a whole segment; `a**b` is just `a*b`. (Brace alternatives are
      // converted on their own, so `{**/x,y}` starts a segment too.)
      const after = glob[index + 2];
      if (after === '/') {
        source += '(?:.*/)?';
        index += 2;
      } else if (after === undefined) {
        source += '.*';
        index += 1;
      } else {
        source += '[^/]*';
        while (glob[index + 1] === '*') index += 1;
      }
    } else if (char === '*') {
      source += '[^/]*';
      while (glob[index + 1] === '*') index += 1;
    } else if (char === '?') {
      source += '[^/]';
    } else if (char === '[') {
      const parsed = characterClass(glob, index);
      if (parsed === undefined) source += '\\[';
      else {
        source += parsed.source;
        index = parsed.next - 1;
      }
    } else if (char === '{') {
      const close = closingBrace(glob, index);
      if (close === -1) source += '\\{';
      else {
        source += `(?:${alternatives(glob.slice(index + 1, close)).map(convert).join('|')})`;
        index = close;
      }
    } else {
      source += escapeChar(char);
    }
  }
  return source;
}

/** The glob as an anchored RegExp over a whole forward-slash path. */
export function globToRegExp(glob: string): RegExp {
  return new RegExp(`^${convert(glob)}$`);
}

/**
 * A predicate over workspace-relative paths. A glob without `/` (such as `*.ts`) matches the file
 * name at any depth, as in .gitignore and ripgrep; one with `/` matches the whole path from the
 * root. A leading `./` or `/` is dropped; a trailing `/` means everything under that folder.
 */
export function globMatcher(glob: string): (path: string) => boolean {
  let pattern = glob.replace(/^(?:\.\/|\/)+/, '');
  if (pattern.endsWith('/')) pattern += '**';
  const regex = globToRegExp(pattern);
  if (!pattern.includes('/')) return (path) => regex.test(path.slice(path.lastIndexOf('/') + 1));
  return (path) => regex.test(path);
}
