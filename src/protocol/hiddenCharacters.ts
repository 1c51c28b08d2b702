/**
 * Characters a person cannot see (Unicode tag characters, bidirectional controls, zero-width
 * characters) shown as `⟦U+XXXX⟧`: in data a model reads (src/tools/dataText.ts) and in every diff a
 * person reads (the CLI, the review's hover), so neither can be told one thing while the file says
 * another. Shared by every side, hence here: no Node, no vscode.
 */

/** Invisible characters made visible (the set hiddenText.ts strips from rule files, and more). */
export const hiddenCharacters = /[\u{E0000}-\u{E007F}\u202A-\u202E\u2066-\u2069\u200B-\u200F\u2060-\u2064\uFEFF\u061C]/gu;

export function codePointLabel(code: number): string {
  return `⟦U+${code.toString(16).toUpperCase().padStart(4, '0')}⟧`;
}

/** Shows hidden characters as `⟦U+XXXX⟧`; a BOM at the very start (a file's encoding mark) is left alone. */
export function revealHidden(text: string): { text: string; count: number } {
  let count = 0;
  const revealed = text.replace(hiddenCharacters, (char, offset: number) => {
    if (char === '\uFEFF' && offset === 0) return char;
    count += 1;
    return codePointLabel(char.codePointAt(0) ?? 0);
  });
  return { text: revealed, count };
}
