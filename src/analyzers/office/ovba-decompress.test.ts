import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decompressContainer } from './ovba-decompress.js';
import { ovbaCompress } from './testing/office-fixtures.js';

/** A fixed-seed generator, so a failure reproduces. */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}

function vbaLikeText(bytes: number, rand: () => number): Buffer {
  const words = ['Dim ', 'As String', 'Sub ', 'End Sub', '\r\n', 'CreateObject(', '"', 'x', ' = ', 'Chr(', '104', ')', ' & '];
  let s = '';
  while (s.length < bytes) s += words[Math.floor(rand() * words.length)];
  return Buffer.from(s.slice(0, bytes), 'latin1');
}

test('decompression undoes the compressor for sizes around the 4096-byte chunk boundary', () => {
  const rand = lcg(7);
  for (const size of [0, 1, 2, 3, 17, 100, 4095, 4096, 4097, 8192, 12_345, 40_000]) {
    for (const data of [vbaLikeText(size, rand), Buffer.alloc(size, 0x41)]) {
      const packed = ovbaCompress(data);
      if (size > 64) assert.ok(packed.length < data.length, `size ${size} compresses`);
      const out = decompressContainer(packed, 1 << 20);
      assert.equal(out.error, undefined);
      assert.equal(out.truncated, false);
      assert.ok(out.data.equals(data), `round trip of ${size} bytes`);
    }
  }
});

test('uncompressed chunks (flag 0) are copied as they are', () => {
  const raw = vbaLikeText(4096, lcg(3));
  const out = decompressContainer(Buffer.concat([Buffer.from([0x01, 0xff, 0x3f]), raw]), 1 << 20);
  assert.ok(out.data.equals(raw));
});

test('a decompression bomb stops at the output limit', () => {
  const chunk = ovbaCompress(Buffer.alloc(4096, 0x41)).subarray(1);
  const bomb = Buffer.concat([Buffer.from([0x01]), ...Array.from({ length: 10_000 }, () => chunk)]);
  const out = decompressContainer(bomb, 1 << 20);
  assert.equal(out.truncated, true);
  assert.equal(out.data.length, 1 << 20);
});

test('malformed containers end with an error and keep what came before', () => {
  assert.match(decompressContainer(Buffer.from([0x00, 1, 2]), 100).error ?? '', /signature/);
  assert.match(decompressContainer(Buffer.from([0x01, 0x05, 0x00]), 100).error ?? '', /chunk signature/);
  // A copy token as the first token of a chunk points before the chunk.
  assert.match(decompressContainer(Buffer.from([0x01, 0x02, 0xb0, 0x01, 0x00, 0x00]), 100).error ?? '', /before its chunk/);
  const good = ovbaCompress(Buffer.from('Sub A()\r\nEnd Sub\r\n'));
  const cut = decompressContainer(good.subarray(0, good.length - 3), 100);
  assert.ok(cut.data.length > 0);
});
