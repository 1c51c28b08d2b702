import { parse, type ParseEntry } from 'shell-quote';

/**
 * Turns a command line into every simple command it would run, using shell-quote's tokens (never
 * string matching on the raw line). What shell-quote and a real shell may read differently is
 * reported in `opaque`, so the policy never allows such a line without asking a person:
 * command substitution (`$(…)`, backticks), process substitution, `eval`, heredocs, variables in
 * command position, and `#` (shell-quote starts a comment in the middle of a word; a shell does not).
 * The hidden parts are still parsed as well as possible, so their commands are checked too.
 */

/** A word of a command: `literal` is false for text a shell would still expand (a variable, a glob). */
export interface Word {
  readonly text: string;
  readonly literal: boolean;
}

export interface Redirect {
  readonly op: string;
  readonly target: Word | undefined;
}

export interface SimpleCommand {
  /** The command and its arguments, variables shown as `$NAME`. */
  readonly words: readonly Word[];
  /** `NAME=value` assignments before the command. */
  readonly assignments: readonly string[];
  readonly redirects: readonly Redirect[];
  /** Set when the command runs another's output into it (`… | sh`): the stage's position in a pipeline. */
  readonly pipedInto: boolean;
}

export interface ParsedLine {
  readonly commands: readonly SimpleCommand[];
  /** Why the line cannot be fully understood from its tokens (empty when it can). */
  readonly opaque: readonly string[];
  /** shell-quote could not parse it (or a part) at all: nothing is known about what it runs. */
  readonly unparseable: boolean;
}

type Token = { readonly kind: 'word'; readonly word: Word } | { readonly kind: 'op'; readonly op: string } | { readonly kind: 'comment'; readonly text: string } | { readonly kind: 'subst' };

interface VariableMarker {
  readonly variable: string;
}

const separators = new Set([';', '&&', '||', '|', '&', '|&', ';;', '(', ')', '<(', '>(']);
const redirections = new Set(['>', '>>', '<', '>&', '<&', '&>', '&>>', '>|', '<>']);
const maxDepth = 4;

function isVariable(entry: unknown): entry is VariableMarker {
  return typeof entry === 'object' && entry !== null && 'variable' in entry;
}

function tokenize(line: string): Token[] {
  const entries: (ParseEntry | VariableMarker)[] = parse(line, (name: string): VariableMarker => ({ variable: name }));
  return entries.map((entry): Token => {
    if (typeof entry === 'string') return { kind: 'word', word: { text: entry, literal: true } };
    if (isVariable(entry)) {
      if (entry.variable === '') return { kind: 'subst' };
      // `${x:-…}`, `${x/…}`: an expansion with operators, not a plain variable.
      if (!/^([A-Za-z_][A-Za-z0-9_]*|[0-9?$@#*!-])$/.test(entry.variable)) return { kind: 'word', word: { text: `\${${entry.variable}}`, literal: false } };
      return { kind: 'word', word: { text: `$${entry.variable}`, literal: false } };
    }
    if ('comment' in entry) return { kind: 'comment', text: entry.comment };
    if (entry.op === 'glob') return { kind: 'word', word: { text: entry.pattern, literal: false } };
    return { kind: 'op', op: entry.op };
  });
}

interface Builder {
  words: Word[];
  assignments: string[];
  redirects: Redirect[];
  pipedInto: boolean;
}

const assignment = /^[A-Za-z_][A-Za-z0-9_]*=/;
/** Shell keywords that may start a simple command's words; the command after them is what runs. */
const leadingKeywords = new Set(['!', '{', '}', 'if', 'then', 'else', 'elif', 'fi', 'while', 'until', 'do', 'done', 'coproc']);
/** Keywords whose words are a header, not a command (`for f in a b`, `case $x in`). */
const headerKeywords = new Set(['for', 'case', 'select', 'function', 'esac', '[[', ']]', '((', '))']);

/** Parses `line` into its simple commands; nested lines (`$(…)` text, backticks, comments) are parsed recursively. */
export function parseCommandLine(line: string, depth = 0): ParsedLine {
  const commands: SimpleCommand[] = [];
  const opaque: string[] = [];
  let unparseable = false;
  const nested = (text: string, why: string): void => {
    if (depth >= maxDepth) {
      opaque.push(`${why} is nested too deeply to analyse`);
      return;
    }
    const inner = parseCommandLine(text, depth + 1);
    commands.push(...inner.commands);
    opaque.push(...inner.opaque);
    unparseable ||= inner.unparseable;
  };
  let tokens: Token[];
  try {
    tokens = tokenize(line);
  } catch (error) {
    return { commands: [], opaque: [`the line could not be parsed (${error instanceof Error ? error.message : String(error)})`], unparseable: true };
  }
  let current: Builder = { words: [], assignments: [], redirects: [], pipedInto: false };
  const flush = (next: { pipedInto: boolean }): void => {
    while (current.words[0]?.literal === true && leadingKeywords.has(current.words[0].text)) {
      opaque.push('it uses shell control structures (if, while, { … }, !)');
      current.words.shift();
    }
    if (current.words[0]?.literal === true && headerKeywords.has(current.words[0].text)) {
      opaque.push(`it uses the shell construct "${current.words[0].text}"`);
      current.words = [];
    }
    if (current.words.length > 0 || current.assignments.length > 0 || current.redirects.length > 0) commands.push({ ...current });
    current = { words: [], assignments: [], redirects: [], pipedInto: next.pipedInto };
  };
  for (let index = 0; index < tokens.length; index++) {
    const token = tokens[index];
    if (token === undefined) break;
    switch (token.kind) {
      case 'comment':
        // `a#b; rm -rf /` is one word and a second command to a shell; shell-quote sees a comment.
        opaque.push('it contains "#", which the parser and the shell may read differently');
        nested(token.text, 'the text after "#"');
        break;
      case 'subst': {
        opaque.push('it uses command substitution ($(…)), whose output becomes part of another command');
        const next = tokens[index + 1];
        // Inside double quotes shell-quote keeps `(inner)` as one word: parse it as the command it is.
        if (next?.kind === 'word' && next.word.text.startsWith('(')) {
          const text = next.word.text;
          nested(text.slice(1, text.endsWith(')') ? -1 : undefined), 'the substituted command');
          index++;
        }
        break;
      }
      case 'op':
        if (redirections.has(token.op)) {
          const next = tokens[index + 1];
          const target = next?.kind === 'word' ? next.word : undefined;
          if (target !== undefined) index++;
          current.redirects.push({ op: token.op, target });
        } else if (separators.has(token.op)) {
          if (token.op === '<(' || token.op === '>(') opaque.push(`it uses process substitution (${token.op}…))`);
          flush({ pipedInto: token.op === '|' || token.op === '|&' });
        } else {
          opaque.push(`it uses the shell operator "${token.op}", which is not analysed`);
          flush({ pipedInto: false });
        }
        break;
      case 'word': {
        const { word } = token;
        if (word.text.includes('`')) opaque.push('it uses backtick command substitution');
        if (word.text.startsWith('${')) opaque.push(`it uses the parameter expansion ${word.text}`);
        if (current.words.length === 0 && word.literal && assignment.test(word.text)) current.assignments.push(word.text);
        else current.words.push(word);
        break;
      }
    }
  }
  flush({ pipedInto: false });
  // shell-quote does not know backticks and splits their text into words ("`rm", "-rf", "/`"):
  // the words are joined again and every backticked piece is parsed as the command it is.
  const ticked = tokens.flatMap((token) => (token.kind === 'word' ? [token.word.text] : [])).join(' ');
  ticked.split('`').forEach((piece, position) => {
    if (position % 2 === 1 && piece.trim() !== '') nested(piece, 'the backticked command');
  });
  return { commands, opaque: [...new Set(opaque)], unparseable };
}

/** Renders argv the way a person reads it (for reasons and events). */
export function showWords(words: readonly Word[]): string {
  return words.map((word) => (word.literal && /[\s'"\\$`;&|<>(){}*?#~]/.test(word.text) ? JSON.stringify(word.text) : word.text)).join(' ');
}
