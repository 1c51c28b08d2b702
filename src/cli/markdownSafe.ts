import { revealHidden } from '../protocol/hiddenCharacters';

/**
 * Text from a model, a test's output or an issue, made inert for GitHub-flavoured markdown (a pull
 * request body, a job summary): it renders as the same characters and nothing else. No HTML, no
 * links or images (`[x](…)`, `![x](…)`, bare URLs), no @mentions or #references (which notify
 * people and cross-link issues), no emphasis or headings that could pass for Plumbline's own words.
 */

/** Between characters, invisible, and enough to stop GitHub's autolinks, mentions and references. */
const wordJoiner = '\u2060';

/** One line of inert text: line breaks and control characters become spaces; capped at `max` characters. */
export function inlineText(text: string, max = 500): string {
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is removed
  const flat = revealHidden(text).text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ').replace(/\s+/g, ' ').trim();
  const capped = flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
  return capped
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    // Only mid-line text is escaped here (never a line's start), so "-", "+", "." and digits cannot start a list.
    .replace(/[\\`*_[\]()!|~#]/g, (char) => `\\${char}`)
    .replace(/@(?=[A-Za-z0-9])/g, `@${wordJoiner}`)
    .replace(/#(?=[0-9A-Za-z])/g, `#${wordJoiner}`)
    .replace(/\b(https?|ftp|mailto|www)(?=[:.])/gi, (word) => `${word}${wordJoiner}`)
    .replace(/\b(GH)(?=-\d)/gi, (word) => `${word}${wordJoiner}`);
}

/**
 * Inert text as a fenced code block: nothing inside a fence is rendered, and the fence is longer
 * than any run of backticks in the text, so the text cannot close it. Capped at `max` characters.
 */
export function codeBlock(text: string, max = 4000): string {
  const shown = revealHidden(text.replace(/\r\n?/g, '\n')).text.replace(/\s+$/, '');
  const capped = shown.length > max ? `${shown.slice(0, max)}\n… (${shown.length - max} more characters in the run's artifacts)` : shown;
  const longest = Math.max(0, ...[...capped.matchAll(/`+/g)].map((match) => match[0].length));
  const fence = '`'.repeat(Math.max(3, longest + 1));
  return `${fence}text\n${capped}\n${fence}`;
}

/** A path or a command, inline, as code: the same inertness, readable as code. */
export function inlineCode(text: string, max = 300): string {
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is removed
  const flat = revealHidden(text).text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ').trim();
  const capped = flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
  const longest = Math.max(0, ...[...capped.matchAll(/`+/g)].map((match) => match[0].length));
  const ticks = '`'.repeat(longest + 1);
  // A space on each side keeps a leading or trailing backtick inside the span.
  return capped.includes('`') ? `${ticks} ${capped} ${ticks}` : `${ticks}${capped}${ticks}`;
}
