// findHeaderMismatch on hand-made ZIPs: agreeing headers, each kind of lie, and hostile bytes
// (truncated, counts and offsets past the end, a huge claimed directory) that must end quietly.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { handMadeZip, setLocalFlags } from './testing/hand-made-zip.js';
import { findHeaderMismatch } from './zip-header-mismatch.js';

describe('findHeaderMismatch', () => {
  let tmp: string;
  let count = 0;
  before(async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), 'assay-zip-headers-'));
  });
  after(() => rm(tmp, { recursive: true, force: true }));

  const check = async (bytes: Buffer) => {
    const file = path.join(tmp, `${++count}.zip`);
    await writeFile(file, bytes);
    return findHeaderMismatch(file);
  };
  const two = () => handMadeZip([{ name: 'a.txt', data: 'first' }, { name: 'b.txt', data: 'second entry', deflate: true }]);
  /** Offset of the second local header in two(). */
  const second = 30 + 'a.txt'.length + 'first'.length;

  it('finds nothing when every local header agrees with the central directory', async () => {
    assert.equal(await check(two()), undefined);
  });

  it('names the entry and what differs: flags, sizes, CRC, name', async () => {
    assert.match((await check(setLocalFlags(two(), second, 0x0008)))!, /entry 2 \("b\.txt"\).*flags/);
    assert.match((await check(setLocalFlags(two(), 0, 0x0001)))!, /entry 1 \("a\.txt"\).*flags/);
    for (const local of [{ packed: 1 }, { size: 99 }, { crc: 1 }]) {
      const zip = handMadeZip([{ name: 'a.txt', data: 'first' }, { name: 'b.txt', data: 'second', local }]);
      assert.match((await check(zip))!, /entry 2 \("b\.txt"\).*sizes or CRC/, JSON.stringify(local));
    }
    const renamed = two();
    renamed.write('A', 30); // the first local header's name only
    assert.match((await check(renamed))!, /entry 1 .*different name/);
  });

  it('takes sizes in a data descriptor as not comparable when both headers say so', async () => {
    const zip = handMadeZip([{ name: 'a.txt', data: 'first', local: { flags: 0x0008, packed: 0, size: 0, crc: 0 } }]);
    // The central directory says no descriptor, so the flags differ.
    assert.match((await check(zip))!, /flags/);
    const both = Buffer.from(zip);
    const central = both.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
    both.writeUInt16LE(0x0008, central + 8);
    assert.equal(await check(both), undefined);
  });

  it('ends quietly on hostile bytes: truncated, garbage, empty, counts and offsets past the end', async () => {
    const zip = two();
    for (let cut = 0; cut < zip.length; cut += 7) assert.equal(typeof ((await check(zip.subarray(0, cut))) ?? ''), 'string');
    assert.equal(await check(Buffer.alloc(0)), undefined);
    assert.equal(await check(randomBytes(70_000)), undefined);

    const end = zip.length - 22;
    const huge = Buffer.from(zip);
    huge.writeUInt16LE(0xfffe, end + 10); // 65534 records claimed, two present
    assert.equal(await check(huge), undefined);
    const pastEnd = Buffer.from(zip);
    pastEnd.writeUInt32LE(0x7fffffff, end + 16); // directory offset past the end
    assert.equal(await check(pastEnd), undefined);
    const bigDirectory = Buffer.from(zip);
    bigDirectory.writeUInt32LE(0xfffffff0, end + 12); // a 4 GiB directory
    assert.equal(await check(bigDirectory), undefined);
    const zip64 = Buffer.from(zip);
    zip64.writeUInt32LE(0xffffffff, end + 16);
    assert.equal(await check(zip64), undefined);

    const localPastEnd = Buffer.from(zip);
    const central = localPastEnd.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
    localPastEnd.writeUInt32LE(0x7ffffff0, central + 42);
    assert.match((await check(localPastEnd))!, /past the end/);
    const noLocal = Buffer.from(zip);
    noLocal.writeUInt32LE(3, central + 42);
    assert.match((await check(noLocal))!, /no local header/);
  });

  it('reads a directory of many entries without reading their data', async () => {
    const entries = Array.from({ length: 2000 }, (_, i) => ({ name: `f${i}.bin`, data: randomBytes(100) }));
    assert.equal(await check(handMadeZip(entries)), undefined);
  });
});
