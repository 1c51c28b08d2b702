/**
 * A commit as `git cat-file commit` prints it, read as data: the committer's time, the subject, the
 * body and the trailers of the last paragraph. Every part came from a CI run a model drove, so each
 * is bounded here and never interpreted further (no markup, no commands).
 */
export interface ParsedCommit {
  readonly subject: string;
  readonly body: string;
  /** Trailer keys lower-cased; the first value of a key wins. */
  readonly trailers: ReadonlyMap<string, string>;
  /** ISO 8601; the epoch when the header is missing or malformed. */
  readonly committedAt: string;
}

const maxSubject = 200;
const maxBody = 4000;
const maxTrailerValue = 500;

/** Splits a raw commit object into its header and message, and the message into subject, body and trailers. */
export function parseCommitObject(raw: string): ParsedCommit {
  const split = raw.indexOf('\n\n');
  const header = split === -1 ? raw : raw.slice(0, split);
  const message = split === -1 ? '' : raw.slice(split + 2);
  const committer = /^committer .* (\d{1,12}) [+-]\d{4}$/m.exec(header);
  const seconds = committer?.[1] !== undefined ? Number(committer[1]) : 0;
  return { ...parseMessage(message), committedAt: new Date(seconds * 1000).toISOString() };
}

export function parseMessage(message: string): Omit<ParsedCommit, 'committedAt'> {
  const paragraphs = message.replace(/\r\n?/g, '\n').trim().split(/\n{2,}/);
  const subject = oneLine(paragraphs[0] ?? '', maxSubject);
  const last = paragraphs.length > 1 ? paragraphs[paragraphs.length - 1] : undefined;
  const trailerLines = last?.split('\n') ?? [];
  // The last paragraph is the trailers only when every line of it is one.
  const isTrailers = trailerLines.length > 0 && trailerLines.every((line) => /^[A-Za-z][A-Za-z0-9-]{0,63}: ?\S/.test(line));
  const trailers = new Map<string, string>();
  if (isTrailers) {
    for (const line of trailerLines) {
      const colon = line.indexOf(':');
      const key = line.slice(0, colon).toLowerCase();
      if (!trailers.has(key)) trailers.set(key, oneLine(line.slice(colon + 1), maxTrailerValue));
    }
  }
  const bodyParagraphs = paragraphs.slice(1, isTrailers ? -1 : undefined);
  const body = bodyParagraphs.join('\n\n').slice(0, maxBody).trim();
  return { subject, body, trailers };
}

/** One line of printable text, at most `max` characters: control characters (escape sequences among them) become spaces. */
export function oneLine(text: string, max: number): string {
  // eslint-disable-next-line no-control-regex
  const printable = text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, ' ').replace(/\s+/g, ' ').trim();
  return printable.length > max ? `${printable.slice(0, max - 1)}…` : printable;
}
