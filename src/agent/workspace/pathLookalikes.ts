/**
 * Unicode tricks in path names, without touching the disk (no Node built-ins: the review UIs and
 * the engine share it). A model, or text it was fed, can spell a name so that it reads as one file
 * and is another: `．git` (fullwidth), `.gіt` (Cyrillic і), `src/a\u200B.js` (zero-width space), a
 * right-to-left override that shows `gnp.js` as `sj.png`. Paths with invisible characters are
 * refused outright; look-alikes are folded (`foldName`) so that policy (no `.git`, protected
 * files) sees through them and writes that would sit beside a look-alike twin can be refused.
 */

/**
 * Characters with no glyph of their own that change what a name looks like or where it seems to
 * end: C0/C1 controls, zero-width spaces and joiners, the soft hyphen, bidirectional controls,
 * variation selectors, tag characters, the BOM, interlinear annotation marks.
 */
const invisibleRanges: readonly (readonly [number, number])[] = [
  [0x0000, 0x001f], [0x007f, 0x009f], [0x00ad, 0x00ad], [0x034f, 0x034f], [0x061c, 0x061c], [0x115f, 0x1160], [0x17b4, 0x17b5],
  [0x180b, 0x180f], [0x200b, 0x200f], [0x202a, 0x202e], [0x2060, 0x206f], [0x3164, 0x3164], [0xfe00, 0xfe0f], [0xfeff, 0xfeff],
  [0xffa0, 0xffa0], [0xfff9, 0xfffb], [0xe0000, 0xe0fff],
];

/** The first invisible character of `name` as `U+XXXX`, or undefined. */
export function invisibleCharacter(name: string): string | undefined {
  for (let index = 0; index < name.length; index++) {
    const point = name.codePointAt(index) ?? 0;
    if (point > 0xffff) index++;
    if (invisibleRanges.some(([low, high]) => point >= low && point <= high)) return `U+${point.toString(16).toUpperCase().padStart(4, '0')}`;
  }
  return undefined;
}

/**
 * Cyrillic and Greek letters that render like Latin ones (after lower-casing), from Unicode's
 * confusables list: enough to see through spoofs of the names policy cares about.
 */
const confusables: Readonly<Record<string, string>> = {
  а: 'a', в: 'b', е: 'e', ё: 'e', һ: 'h', і: 'i', ї: 'i', ј: 'j', к: 'k', м: 'm', н: 'h', о: 'o', р: 'p', с: 'c', т: 't', у: 'y', х: 'x', ѕ: 's', ԁ: 'd', ԛ: 'q', ԝ: 'w', ɡ: 'g', ı: 'i',
  α: 'a', β: 'b', ε: 'e', η: 'n', ι: 'i', κ: 'k', ν: 'v', ο: 'o', ρ: 'p', τ: 't', υ: 'u', χ: 'x', ϲ: 'c', ϳ: 'j',
};

const latinLetter = /[a-z]/;
const confusableLetter = new RegExp(`[${Object.keys(confusables).join('')}]`, 'u');
const confusableLetters = new RegExp(confusableLetter.source, 'gu');

/**
 * A name as a reader sees it: NFKC (fullwidth and compatibility forms become plain ones, NFD
 * becomes NFC), lower case, Cyrillic and Greek look-alikes mapped to Latin. Two names with the same
 * fold look the same on screen.
 */
export function foldName(name: string): string {
  return name.normalize('NFKC').toLowerCase().replace(confusableLetters, (char) => confusables[char] ?? char);
}

/**
 * Whether a word of a name mixes Latin letters with Cyrillic or Greek look-alikes (`sеrver.js` with a
 * Cyrillic е): the classic spoof. A name written wholly in Cyrillic or Greek is fine.
 */
export function mixesLookalikeScripts(name: string): boolean {
  // Word by word: `привет.md` (a Cyrillic name, a Latin extension) is honest; `sеrver` is not.
  return name
    .normalize('NFKC')
    .toLowerCase()
    .split(/[^\p{L}\p{M}]+/u)
    .some((word) => latinLetter.test(word) && confusableLetter.test(word));
}
