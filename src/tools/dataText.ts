/**
 * Text that reaches a model as data: file contents, test output, search results, diffs, project
 * rules. It goes inside a wrapper tag (`<file>`, `<test-output>`, …) that the system prompts call
 * data, so two things must hold for the wrapper to mean anything:
 * - the text cannot close its own wrapper: a file holding `</file>` followed by "SYSTEM: …" would
 *   otherwise end the data early and speak as the harness; closing tags inside are neutralised;
 * - characters a person cannot see (Unicode tag characters, bidirectional controls, zero-width
 *   characters) cannot carry instructions the reviewer never sees: they are shown as `⟦U+XXXX⟧`
 *   and counted, so the model reads them as the oddity they are.
 */

import { codePointLabel, hiddenCharacters as hidden, revealHidden } from '../protocol/hiddenCharacters';

export { revealHidden };

/** Zero-width (non-)joiners: Persian, Indic scripts and emoji sequences need them, so written text may hold them. */
const joiners = new Set([0x200c, 0x200d]);

/**
 * The hidden characters in text about to be written (an edit's "+" lines, a new file's content), each
 * once, as `⟦U+XXXX⟧`, in order of appearance. The joiners are allowed, and a BOM when the text starts
 * a file (an encoding mark); everything else revealHidden shows is not, so it never lands unseen.
 */
export function hiddenToWrite(text: string, startsFile = true): string[] {
  const found = new Set<string>();
  for (const match of text.matchAll(hidden)) {
    const code = match[0].codePointAt(0) ?? 0;
    if (joiners.has(code) || (code === 0xfeff && match.index === 0 && startsFile)) continue;
    found.add(codePointLabel(code));
  }
  return [...found];
}

/**
 * The inverse of revealHidden, for text a model copies back from what it read (an edit's context and `-` lines):
 * `⟦U+200B⟧` becomes the character again, so a line holding hidden characters can still be matched
 * (and so replaced without them). Only code points revealHidden shows are turned back.
 */
export function unrevealHidden(text: string): string {
  return text.replace(/⟦U\+([0-9A-F]{4,5})⟧/g, (whole, hex: string) => {
    const char = String.fromCodePoint(Number.parseInt(hex, 16));
    return new RegExp(hidden.source, 'u').test(char) ? char : whole;
  });
}

/** The names of every data wrapper: none of them may be closed (or opened) from inside data. */
export const dataTags = ['file', 'test-output', 'project-rules', 'search-results', 'git-diff', 'git-status', 'user-answer', 'review-findings', 'mcp-result', 'mcp-resource', 'mcp-tools'] as const;
const wrapperTag = new RegExp(`<(/?)(${dataTags.join('|')})(?=[\\s>/])`, 'gi');

/** Neutralises wrapper tags inside data (`</file>` becomes `<\/file>`), and reveals hidden characters. */
export function asData(text: string): string {
  return revealHidden(text).text.replace(wrapperTag, (_match, slash: string, name: string) => `<\\${slash}${name}`);
}

/** `text` inside `<tag attributes>…</tag>`, made safe with asData. */
export function wrapData(tag: (typeof dataTags)[number], text: string, attributes = ''): string {
  return `<${tag}${attributes === '' ? '' : ` ${attributes}`}>\n${asData(text)}\n</${tag}>`;
}
