// Bounds on what an edit's report quotes back to the model: a near miss on a 100,000-character line
// must not become a 300,000-character tool result. What is cut says how much.

/** Longest single line quoted in a report (a file line, a hunk line, a difference). */
export const maxQuotedLine = 240;
/** Longest whole report. */
export const maxReportLength = 12_000;

export function omitted(count: number): string {
  return `… ${count.toLocaleString('en')} characters omitted …`;
}

/** `text` cut to about `max` characters around `focus` (an offset that must stay visible). */
export function clipLine(text: string, max = maxQuotedLine, focus = 0): string {
  if (text.length <= max) return text;
  let from = Math.max(0, Math.min(focus - Math.floor(max / 3), text.length - max));
  let to = Math.min(text.length, from + max);
  // Never cut a surrogate pair in half.
  if (isLowSurrogate(text.charCodeAt(from))) from++;
  if (isLowSurrogate(text.charCodeAt(to))) to--;
  return `${from > 0 ? omitted(from) : ''}${text.slice(from, to)}${to < text.length ? omitted(text.length - to) : ''}`;
}

/** Whole lines kept from the start while they fit `max` characters, then the count of what was left out; the last line is always kept. */
export function clipReport(lines: readonly string[], max = maxReportLength): string {
  const whole = lines.join('\n');
  if (whole.length <= max) return whole;
  const last = lines[lines.length - 1] ?? '';
  const kept: string[] = [];
  let used = last.length + 60;
  for (const line of lines.slice(0, -1)) {
    if (used + line.length + 1 > max) break;
    kept.push(line);
    used += line.length + 1;
  }
  const dropped = lines.slice(kept.length, -1).join('\n').length;
  return [...kept, omitted(dropped), last].join('\n');
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}
