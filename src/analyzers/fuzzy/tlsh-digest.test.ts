/** TLSH digests against Debian's `tlsh -f` 3.4.4, including the inputs it declines. */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { makeTempDir } from '../../../test/fixtures/analyzers/samples.js';
import { content, prng, writeDigestCorpus } from './testing/corpus.js';
import { referenceCliSkip, tlshCli } from './testing/reference-cli.js';
import { tlshDigest } from './tlsh-digest.js';

let temp: ReturnType<typeof makeTempDir>;
let files: string[];

before(() => {
  temp = makeTempDir('tlsh');
  files = writeDigestCorpus(temp.dir, 120, 2 * 1024 * 1024, 0x7154);
  // Around the CLI's limits: 256 bytes, and half of the first 128 buckets filled (few distinct bytes).
  const rand = prng(0x256);
  for (let i = 0; i < 60; i++) {
    const p = path.join(temp.dir, `narrow-${i}`);
    writeFileSync(p, content('narrow', 200 + Math.floor(rand() * 900), rand));
    files.push(p);
  }
});

after(() => temp.remove());

test('equals `tlsh -f` on every file, and is absent exactly where the CLI gives none', { skip: referenceCliSkip }, () => {
  const wrong: string[] = [];
  let hashed = 0;
  let declined = 0;
  for (const file of files) {
    const cli = tlshCli(file);
    const ours = tlshDigest(readFileSync(file)) ?? undefined;
    if (cli === undefined) declined++;
    else hashed++;
    if (ours !== cli) wrong.push(`${path.basename(file)}: cli ${cli} ours ${ours}`);
  }
  assert.deepEqual(wrong, []);
  // Both outcomes are exercised, on both sides of 512 bytes (the npm package's own lower limit).
  assert.ok(hashed >= 100 && declined >= 20, `hashed ${hashed}, declined ${declined}`);
  assert.ok(files.some((f) => f.endsWith('size-300') || f.endsWith('size-511')));
});

test('known digest of the self-test text; short or uniform inputs have none', () => {
  const fox = Buffer.from('The quick brown fox jumps over the lazy dog.\n'.repeat(40));
  assert.equal(tlshDigest(fox), 'T1EB31024A21181794658A18C8438D94B2D2C8C510612114116530614219082259CD8551');
  assert.equal(tlshDigest(randomBytes(255)), null);
  assert.equal(tlshDigest(Buffer.alloc(100_000)), null);
  assert.match(tlshDigest(randomBytes(256)) ?? '', /^T1[0-9A-F]{70}$/);
});
