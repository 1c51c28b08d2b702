// Bytes ⇄ text for files an agent edits. The decoded text keeps every original line terminator, so
// `encodeFile(decoded.text, decoded.format)` gives back the exact bytes; files that cannot make that
// promise (binary, not UTF-8/UTF-16) are refused instead of being rewritten as something else.
import { countLineEndings, dominantLineEnding, type LineEnding } from './lines';

export type TextEncoding = 'utf-8' | 'utf-16le' | 'utf-16be';

export interface FileFormat {
  readonly encoding: TextEncoding;
  /** The file started with a byte order mark; it is written back. */
  readonly bom: boolean;
  /** The dominant terminator: what new or replaced lines are written with. */
  readonly lineEnding: LineEnding;
  /** More than one kind of terminator occurs; the minority ones stay wherever text is untouched. */
  readonly mixedLineEndings: boolean;
  readonly endsWithNewline: boolean;
}

export interface DecodedFile {
  readonly kind: 'text';
  /** The content without the BOM, with its original (possibly mixed) line terminators. */
  readonly text: string;
  readonly format: FileFormat;
}

export interface BinaryOrUnsupported {
  readonly kind: 'unsupported';
  readonly reason: 'binary' | 'invalid-utf8' | 'invalid-utf16';
  /** Says why and that the file will not be edited; fit to show a model or a user. */
  readonly message: string;
}

/** Only this much is scanned for NUL bytes, like git and most editors do. */
const binaryProbeBytes = 8192;

export function decodeFile(bytes: Uint8Array): DecodedFile | BinaryOrUnsupported {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return decodeUtf16(bytes.subarray(2), 'utf-16le');
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return decodeUtf16(bytes.subarray(2), 'utf-16be');
  const bom = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
  const body = bom ? bytes.subarray(3) : bytes;
  if (body.subarray(0, binaryProbeBytes).includes(0)) {
    return unsupported('binary', 'it contains NUL bytes, so it looks binary (or UTF-16 without a byte order mark)');
  }
  let text: string;
  try {
    // fatal: an invalid sequence must stop us, not become U+FFFD and corrupt the file when written back.
    // ignoreBOM: a second BOM after ours is content and must survive the round trip.
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(body);
  } catch {
    return unsupported('invalid-utf8', 'it is not valid UTF-8 (perhaps Latin-1 or another legacy encoding)');
  }
  return { kind: 'text', text, format: describe(text, 'utf-8', bom) };
}

export function encodeFile(text: string, format: FileFormat): Uint8Array {
  // Line terminators are written as the text has them: the edit engine already wrote edited lines
  // with format.lineEnding, and converting here would rewrite lines nobody touched.
  if (format.encoding === 'utf-8') {
    const body = new TextEncoder().encode(text);
    if (!format.bom) return body;
    const out = new Uint8Array(body.length + 3);
    out.set([0xef, 0xbb, 0xbf]);
    out.set(body, 3);
    return out;
  }
  const littleEndian = format.encoding === 'utf-16le';
  const offset = format.bom ? 2 : 0;
  const out = new Uint8Array(offset + text.length * 2);
  const view = new DataView(out.buffer);
  if (format.bom) view.setUint16(0, 0xfeff, littleEndian);
  // Code units, not code points: a lone surrogate read from the file is written back unchanged.
  for (let i = 0; i < text.length; i++) view.setUint16(offset + i * 2, text.charCodeAt(i), littleEndian);
  return out;
}

function decodeUtf16(body: Uint8Array, encoding: 'utf-16le' | 'utf-16be'): DecodedFile | BinaryOrUnsupported {
  if (body.length % 2 !== 0) {
    return unsupported('invalid-utf16', `it has a ${encoding.toUpperCase()} byte order mark but an odd number of bytes`);
  }
  const view = new DataView(body.buffer, body.byteOffset, body.byteLength);
  const littleEndian = encoding === 'utf-16le';
  const units: number[] = [];
  for (let i = 0; i < body.length; i += 2) units.push(view.getUint16(i, littleEndian));
  // Decoded by hand (not TextDecoder) so unpaired surrogates survive and the round trip stays exact.
  let text = '';
  const chunk = 8192;
  for (let i = 0; i < units.length; i += chunk) text += String.fromCharCode(...units.slice(i, i + chunk));
  if (text.slice(0, binaryProbeBytes / 2).includes('\0')) {
    return unsupported('binary', `it is ${encoding.toUpperCase()} but contains NUL characters, so it looks binary`);
  }
  return { kind: 'text', text, format: describe(text, encoding, true) };
}

function describe(text: string, encoding: TextEncoding, bom: boolean): FileFormat {
  const counts = countLineEndings(text);
  const kinds = [counts.lf, counts.crlf, counts.cr].filter((count) => count > 0).length;
  return {
    encoding,
    bom,
    lineEnding: dominantLineEnding(counts),
    mixedLineEndings: kinds > 1,
    endsWithNewline: text.endsWith('\n') || text.endsWith('\r'),
  };
}

function unsupported(reason: BinaryOrUnsupported['reason'], why: string): BinaryOrUnsupported {
  return { kind: 'unsupported', reason, message: `Not editing this file: ${why}. It is left exactly as it is.` };
}
