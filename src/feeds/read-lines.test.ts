// Feed text and lines: pieces split anywhere (inside CRLF, inside a UTF-8 character), BOM, and the line bound.
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { describe, it } from 'node:test';
import { linesOf, linesOfStream, textOf } from './read-lines.js';

async function collect<T>(source: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of source) out.push(x);
  return out;
}

async function* pieces(text: string, size: number): AsyncGenerator<string> {
  for (let i = 0; i < text.length; i += size) yield text.slice(i, i + size);
}

describe('linesOf', () => {
  it('gives the same lines however the text is cut', async () => {
    const text = 'first\r\nsecond\n\nfourth\r\nlast without newline';
    for (const size of [1, 2, 3, 7, 1000]) {
      assert.deepEqual(await collect(linesOf(pieces(text, size))), ['first', 'second', '', 'fourth', 'last without newline'], `size ${size}`);
    }
  });

  it('cuts a line past the limit to limit + 1 characters and keeps the next line whole', async () => {
    const long = 'x'.repeat(100);
    for (const size of [1, 9, 64, 1000]) {
      const lines = await collect(linesOf(pieces(`ok\n${long}\r\nnext\n${'y'.repeat(10)}\r\n`, size), 10));
      assert.deepEqual(lines, ['ok', 'x'.repeat(11), 'next', 'y'.repeat(10)], `size ${size}`);
    }
  });
});

describe('textOf and linesOfStream', () => {
  it('decodes UTF-8 split inside a character and drops a leading BOM', async () => {
    const bytes = Buffer.from('\uFEFFhttp://bücher.example/\nzweite Zeile ü\n', 'utf8');
    const chunks = [...bytes].map((b) => Buffer.from([b]));
    assert.deepEqual(await collect(linesOfStream(Readable.from(chunks))), ['http://bücher.example/', 'zweite Zeile ü']);
    assert.equal((await collect(textOf(Readable.from(chunks)))).join(''), 'http://bücher.example/\nzweite Zeile ü\n');
  });
});
