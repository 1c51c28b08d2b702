/**
 * Characters that render as nothing but a model still reads: Unicode tag characters (U+E0000–E007F,
 * used to smuggle instructions), bidirectional overrides and isolates (U+202A–202E, U+2066–2069),
 * and zero-width characters other than the joiners some scripts need.
 */
const hidden = /[\u{E0000}-\u{E007F}\u202A-\u202E\u2066-\u2069\u200B\u2060\uFEFF]/gu;

/** Removes hidden characters from text the model will read as project guidance; counts them. */
export function stripHiddenCharacters(text: string): { text: string; removed: number } {
  let removed = 0;
  const cleaned = text.replace(hidden, () => {
    removed += 1;
    return '';
  });
  return { text: cleaned, removed };
}
