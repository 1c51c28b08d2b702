import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { decodeFile, encodeFile, type DecodedFile } from '../../src/agent/edits/fileCodec';
import { applySearchReplace } from '../../src/agent/edits/searchReplace';

const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);
const bytes = (...parts: (number[] | Uint8Array)[]): Uint8Array => Uint8Array.from(parts.flatMap((part) => [...part]));
const utf16le = (text: string): Uint8Array => new Uint8Array(Buffer.from(text, 'utf16le'));
const utf16be = (text: string): Uint8Array => {
  const le = utf16le(text);
  for (let i = 0; i < le.length; i += 2) [le[i], le[i + 1]] = [le[i + 1] ?? 0, le[i] ?? 0];
  return le;
};

function decodeText(input: Uint8Array): DecodedFile {
  const decoded = decodeFile(input);
  assert.equal(decoded.kind, 'text', decoded.kind === 'unsupported' ? decoded.message : '');
  return decoded;
}

describe('file codec: byte-identical round trips', () => {
  const cases: [string, Uint8Array][] = [
    ['LF', utf8('a\nb\n')],
    ['CRLF', utf8('a\r\nb\r\n')],
    ['CR', utf8('a\rb\r')],
    ['mixed endings', utf8('a\r\nb\nc\rd\r\n')],
    ['no trailing newline', utf8('a\r\nb')],
    ['empty', new Uint8Array()],
    ['multibyte and emoji', utf8('café → 😀\n')],
    ['UTF-8 BOM + CRLF', bytes([0xef, 0xbb, 0xbf], utf8('x\r\ny'))],
    ['UTF-8 BOM twice (the second is content)', bytes([0xef, 0xbb, 0xbf, 0xef, 0xbb, 0xbf], utf8('x'))],
    ['UTF-16 LE', bytes([0xff, 0xfe], utf16le('héllo\r\nwörld 😀'))],
    ['UTF-16 BE', bytes([0xfe, 0xff], utf16be('héllo\nwörld 😀\n'))],
    ['UTF-16 LE with a lone surrogate', bytes([0xff, 0xfe], utf16le('a'), [0x00, 0xd8], utf16le('b'))],
  ];
  for (const [name, input] of cases) {
    test(name, () => {
      const decoded = decodeText(input);
      assert.deepEqual(encodeFile(decoded.text, decoded.format), input);
    });
  }
});

describe('file codec: format detection', () => {
  test('CRLF with a BOM and no final newline', () => {
    const decoded = decodeText(bytes([0xef, 0xbb, 0xbf], utf8('a\r\nb\r\nc')));
    assert.equal(decoded.text, 'a\r\nb\r\nc', 'the BOM is not part of the text');
    assert.deepEqual(decoded.format, { encoding: 'utf-8', bom: true, lineEnding: '\r\n', mixedLineEndings: false, endsWithNewline: false });
  });

  test('mixed endings report the dominant one', () => {
    const decoded = decodeText(utf8('a\nb\r\nc\r\nd\r\n'));
    assert.equal(decoded.format.lineEnding, '\r\n');
    assert.equal(decoded.format.mixedLineEndings, true);
    assert.equal(decoded.format.endsWithNewline, true);
  });

  test('CR-only files and files without line breaks', () => {
    assert.equal(decodeText(utf8('a\rb\r')).format.lineEnding, '\r');
    const single = decodeText(utf8('just one line'));
    assert.equal(single.format.lineEnding, '\n');
    assert.equal(single.format.mixedLineEndings, false);
  });

  test('UTF-16 BOMs are recognised and decoded', () => {
    const le = decodeText(bytes([0xff, 0xfe], utf16le('hi\r\n')));
    assert.equal(le.text, 'hi\r\n');
    assert.equal(le.format.encoding, 'utf-16le');
    assert.equal(le.format.bom, true);
    const be = decodeText(bytes([0xfe, 0xff], utf16be('hi')));
    assert.equal(be.text, 'hi');
    assert.equal(be.format.encoding, 'utf-16be');
  });
});

describe('file codec: refusals', () => {
  test('a NUL byte in the first 8 KB means binary', () => {
    const decoded = decodeFile(bytes(utf8('PNG'), [0, 1, 2]));
    assert.equal(decoded.kind, 'unsupported');
    assert.equal(decoded.kind === 'unsupported' && decoded.reason, 'binary');
    assert.match(decoded.kind === 'unsupported' ? decoded.message : '', /NUL bytes.*left exactly as it is/);
  });

  test('only the first 8 KB are probed for NUL', () => {
    const late = bytes(utf8('a'.repeat(9000)), [0]);
    assert.equal(decodeFile(late).kind, 'text');
  });

  test('invalid UTF-8 (Latin-1 é) is refused rather than turned into U+FFFD', () => {
    const decoded = decodeFile(bytes(utf8('caf'), [0xe9], utf8('\n')));
    assert.equal(decoded.kind, 'unsupported');
    assert.equal(decoded.kind === 'unsupported' && decoded.reason, 'invalid-utf8');
    assert.match(decoded.kind === 'unsupported' ? decoded.message : '', /not valid UTF-8/);
  });

  test('a truncated UTF-8 sequence at the end is refused', () => {
    assert.equal(decodeFile(bytes(utf8('ok'), [0xe2, 0x82])).kind, 'unsupported');
  });

  test('UTF-16 with an odd byte count is refused', () => {
    const decoded = decodeFile(bytes([0xff, 0xfe], utf16le('ab'), [0x41]));
    assert.equal(decoded.kind === 'unsupported' && decoded.reason, 'invalid-utf16');
  });

  test('UTF-16 containing NUL characters is refused as binary', () => {
    const decoded = decodeFile(bytes([0xff, 0xfe], utf16le('a\0b')));
    assert.equal(decoded.kind === 'unsupported' && decoded.reason, 'binary');
  });
});

describe('file codec with the edit engine', () => {
  test('a CRLF file with a BOM keeps both after an LF edit', () => {
    const original = bytes([0xef, 0xbb, 0xbf], utf8('one\r\ntwo\r\nthree\r\n'));
    const decoded = decodeText(original);
    const outcome = applySearchReplace(decoded.text, [{ oldText: 'two\n', newText: 'TWO\n2b\n' }], { lineEnding: decoded.format.lineEnding });
    assert.deepEqual(encodeFile(outcome.text, decoded.format), bytes([0xef, 0xbb, 0xbf], utf8('one\r\nTWO\r\n2b\r\nthree\r\n')));
  });

  test('a UTF-16 LE file edits and re-encodes as UTF-16 LE with its BOM', () => {
    const decoded = decodeText(bytes([0xff, 0xfe], utf16le('alpha\r\nbeta\r\n')));
    const outcome = applySearchReplace(decoded.text, [{ oldText: 'beta', newText: 'bêta\ngamma' }], { lineEnding: decoded.format.lineEnding });
    assert.deepEqual(encodeFile(outcome.text, decoded.format), bytes([0xff, 0xfe], utf16le('alpha\r\nbêta\r\ngamma\r\n')));
  });

  test('a UTF-16 BE file edits and re-encodes as UTF-16 BE', () => {
    const decoded = decodeText(bytes([0xfe, 0xff], utf16be('x = 1\n')));
    const outcome = applySearchReplace(decoded.text, [{ oldText: 'x = 1', newText: 'x = 2' }]);
    assert.deepEqual(encodeFile(outcome.text, decoded.format), bytes([0xfe, 0xff], utf16be('x = 2\n')));
  });

  test('a mixed-ending file keeps its minority endings where nothing was edited', () => {
    const decoded = decodeText(utf8('a\r\nb\nc\r\nd\r\ne\n'));
    const outcome = applySearchReplace(decoded.text, [{ oldText: 'd\n', newText: 'D\nD2\n' }], { lineEnding: decoded.format.lineEnding });
    assert.equal(outcome.text, 'a\r\nb\nc\r\nD\r\nD2\r\ne\n');
  });
});
