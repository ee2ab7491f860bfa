/** ssdeep digests against the `ssdeep -s -b` CLI on a generated corpus, whole and fed in pieces. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { makeTempDir } from '../../../test/fixtures/analyzers/samples.js';
import { SsdeepHasher, ssdeepDigest } from './ssdeep-digest.js';
import { writeDigestCorpus } from './testing/corpus.js';
import { referenceCliSkip, ssdeepCli } from './testing/reference-cli.js';

let temp: ReturnType<typeof makeTempDir>;
let files: string[];

before(() => {
  temp = makeTempDir('ssdeep');
  // 240 generated files of 0 B – 2 MB, ~45 block-size and threshold edges, system binaries.
  files = writeDigestCorpus(temp.dir, 240, 2 * 1024 * 1024, 0x55de);
});

after(() => temp.remove());

test('equals `ssdeep -s -b` on every file of the corpus', { skip: referenceCliSkip }, () => {
  assert.ok(files.length >= 280, `only ${files.length} files`);
  const expected = ssdeepCli(files);
  const wrong: string[] = [];
  files.forEach((file, i) => {
    const ours = ssdeepDigest(readFileSync(file));
    if (ours !== expected[i]) wrong.push(`${path.basename(file)}: cli ${expected[i]} ours ${ours}`);
  });
  assert.deepEqual(wrong, []);
});

test('known digests: the self-test text, an empty input, one byte', () => {
  const fox = Buffer.from('The quick brown fox jumps over the lazy dog.\n'.repeat(40));
  assert.equal(ssdeepDigest(fox), '6:FHIGiDIGiDIGiDIGiDIGiDIGiDIGiDIGiDIGiDIGiDIGiDIGiDIGiDIGiDIGiDId:F1');
  assert.equal(ssdeepDigest(new Uint8Array(0)), '3::');
  assert.equal(ssdeepDigest(Buffer.from('a')), '3:E:E');
});

test('feeding a file in pieces of any size gives the same digest as at once', () => {
  for (const file of files.filter((_, i) => i % 7 === 0)) {
    const data = readFileSync(file);
    const whole = ssdeepDigest(data);
    // Byte by byte only where that stays quick.
    for (const piece of data.length < 100_000 ? [1, 7, 4099] : [4099, 65536]) {
      const hasher = new SsdeepHasher(data.length);
      for (let at = 0; at < data.length; at += piece) hasher.update(data.subarray(at, at + piece));
      assert.equal(hasher.digest(), whole, `${path.basename(file)} in pieces of ${piece}`);
    }
  }
});

test('an input shorter than announced is hashed as it is; a longer one is refused', () => {
  const data = readFileSync(files.find((f) => f.endsWith('edge-6'))!);
  const short = new SsdeepHasher(data.length + 5000).update(data);
  assert.equal(short.digest(), ssdeepDigest(data));
  assert.throws(() => new SsdeepHasher(10).update(new Uint8Array(11)), RangeError);
});
