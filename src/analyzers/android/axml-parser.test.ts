/** The AXML reader on manifests from the test encoder and on hostile ones: lying counts and sizes, truncation, endless nesting, random damage. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { prng } from '../../../test/support/prng.js';
import { manifestFacts } from './android-manifest.js';
import { DEFAULT_AXML_LIMITS, parseAxml } from './axml-parser.js';
import { encodeAxml, type XmlNode } from './testing/axml-encoder.js';
import { protectionLevelName } from './permission-levels.js';

const SMALL: XmlNode = {
  name: 'manifest',
  attrs: { package: 'org.example.small', versionCode: 3 },
  plain: ['package'],
  children: [
    { name: 'uses-permission', attrs: { name: 'android.permission.CAMERA' } },
    { name: 'application', children: [{ name: 'activity', attrs: { name: '.A', exported: true }, plain: ['exported'] }] },
  ],
};

const u32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n >>> 0);
  return b;
};
const u16 = (n: number) => {
  const b = Buffer.alloc(2);
  b.writeUInt16LE(n);
  return b;
};

test('reads what the encoder wrote', () => {
  const doc = parseAxml(encodeAxml(SMALL));
  assert.deepEqual(doc.anomalies, []);
  assert.equal(doc.root?.name, 'manifest');
  const facts = manifestFacts(doc.root!);
  assert.equal(facts.Package, 'org.example.small');
  assert.equal(facts.AndroidVersionCode, '3');
  assert.deepEqual(facts.Activities, ['org.example.small.A']);
  assert.deepEqual(facts.Permissions, { 'android.permission.CAMERA': { permission_type: 'dangerous' } });
  assert.equal(doc.root!.children[1]!.children[0]!.attributes.find((a) => a.name === 'exported')?.value, 'true');
});

test('a string pool claiming 2^31 strings reads only what fits', () => {
  const good = encodeAxml(SMALL);
  const bytes = Buffer.from(good);
  bytes.writeUInt32LE(0x80000000, 8 + 8); // the pool's stringCount
  const doc = parseAxml(bytes);
  assert.ok(doc.anomalies.some((a) => /declares 2147483648 strings/.test(a)));
  assert.equal(doc.root?.name, 'manifest');
});

test('every truncation of a manifest parses without a throw', () => {
  const good = encodeAxml(SMALL);
  for (let n = 0; n <= good.length; n++) {
    const doc = parseAxml(good.subarray(0, n));
    if (n < good.length) assert.ok(doc.anomalies.length > 0 || doc.root === undefined || n >= good.length - 24, `length ${n}`);
  }
});

test('chunk sizes of 0, too small or past the end stop the read with a reason', () => {
  const good = encodeAxml(SMALL);
  for (const size of [0, 4, 0x7fffffff, good.length]) {
    const bytes = Buffer.from(good);
    bytes.writeUInt32LE(size, 8 + 4); // the string pool's chunk size
    const doc = parseAxml(bytes);
    assert.ok(doc.anomalies.some((a) => /does not fit/.test(a)), `size ${size}: ${doc.anomalies.join('; ')}`);
  }
});

test('elements that never close, nested without end, stop at the depth limit', () => {
  const start = Buffer.concat([u16(0x0102), u16(16), u32(36), u32(1), u32(0xffffffff), u32(0xffffffff), u32(0), u16(20), u16(20), u16(0), u16(0), u16(0), u16(0)]);
  // A pool of one string, "a": header, one offset, then the string padded to 4 bytes.
  const pool = Buffer.concat([u16(0x0001), u16(28), u32(28 + 4 + 8), u32(1), u32(0), u32(0), u32(32), u32(0), u32(0), u16(1), Buffer.from('a', 'utf16le'), u16(0), u16(0)]);
  const body = Buffer.concat([pool, ...Array.from({ length: 100_000 }, () => start)]);
  const bytes = Buffer.concat([u16(0x0003), u16(8), u32(8 + body.length), body]);
  const doc = parseAxml(bytes);
  assert.ok(doc.anomalies.some((a) => /nested deeper than 128/.test(a)));
  let depth = 0;
  for (let e = doc.root; e; e = e.children[0]) depth++;
  assert.equal(depth, DEFAULT_AXML_LIMITS.maxDepth);
});

test('an element claiming 65535 attributes and strings claiming huge lengths are cut to the limits', () => {
  const good = encodeAxml(SMALL);
  const bytes = Buffer.from(good);
  // The first START_ELEMENT: find it by its type and bump attributeCount.
  let at = 8;
  while (at < bytes.length && bytes.readUInt16LE(at) !== 0x0102) at += bytes.readUInt32LE(at + 4);
  bytes.writeUInt16LE(65535, at + 16 + 12);
  const doc = parseAxml(bytes);
  assert.ok(doc.anomalies.some((a) => /65535 attributes/.test(a)));

  const long = Buffer.from(good);
  long.writeUInt16LE(0xffff, 8 + 28 + long.readUInt32LE(8 + 8) * 4); // first string's length word: 0x7fff.. with the high bit
  assert.doesNotThrow(() => parseAxml(long));
});

test('random damage: no throw, and every string stays within its cap', () => {
  const good = encodeAxml(SMALL);
  const rand = prng(20261207);
  for (let round = 0; round < 3000; round++) {
    const bytes = Buffer.from(good);
    const flips = 1 + Math.floor(rand() * 8);
    for (let i = 0; i < flips; i++) bytes[8 + Math.floor(rand() * (bytes.length - 8))] = Math.floor(rand() * 256);
    const doc = parseAxml(bytes);
    const walk = (e: NonNullable<typeof doc.root>): void => {
      assert.ok(e.name.length <= DEFAULT_AXML_LIMITS.maxStringChars);
      for (const a of e.attributes) assert.ok(a.value.length <= DEFAULT_AXML_LIMITS.maxStringChars + 16);
      e.children.forEach(walk);
    };
    if (doc.root) {
      walk(doc.root);
      assert.doesNotThrow(() => manifestFacts(doc.root!));
    }
  }
});

test('not AXML, or over the size limit', () => {
  assert.deepEqual(parseAxml(Buffer.from('<manifest/>')).anomalies, ['not binary XML']);
  assert.equal(parseAxml(Buffer.alloc(0)).root, undefined);
  assert.match(parseAxml(encodeAxml(SMALL), { ...DEFAULT_AXML_LIMITS, maxBytes: 16 }).anomalies[0]!, /over the 16-byte limit/);
});

test('protection levels written as names or integers', () => {
  assert.equal(protectionLevelName('signature|privileged'), 'signature');
  assert.equal(protectionLevelName('dangerous'), 'dangerous');
  assert.equal(protectionLevelName('0x1'), 'dangerous');
  assert.equal(protectionLevelName('2'), 'signature');
  assert.equal(protectionLevelName('0'), 'normal');
  assert.equal(protectionLevelName('appop'), 'unknown');
});
