/**
 * Fuzz targets for the password-ZIP path: the 7zz listing parser on hostile listing text, and
 * mutated ZIPs (hand-made and made by Debian's 7zz) through the header check and the real unpacker.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { lstat, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { looksLikeZip, UnpackError } from '../../../src/core/unpacker.js';
import { ListingParser } from '../../../src/unpackers/seven-zip/seven-zip-listing.js';
import { SevenZipUnpacker } from '../../../src/unpackers/seven-zip/seven-zip-unpacker.js';
import { findHeaderMismatch } from '../../../src/unpackers/seven-zip/zip-header-mismatch.js';
import { handMadeZip } from '../../../src/unpackers/seven-zip/testing/hand-made-zip.js';
import { expectOnly, fuzzTarget, mutationsOf, textBytes } from '../support/fuzz-target.js';

const MAX_ENTRIES = 8;
const MAX_TOTAL_BYTES = 256 * 1024;
const PASSWORD = 'fuzz-secret';

const LISTING_LINES = ['----------', 'Path = a.txt', 'Path = ', 'Folder = +', 'Folder = -', 'Size = 12', 'Size = 99999999999999999999', 'Size = -1', 'Size = ', 'Attributes = A -rw-r--r--', 'Attributes =  lrwxrwxrwx', 'Attributes = D drwxr-xr-x', 'Type = zip', 'Encrypted = +', ''];
const listingText = fc.array(fc.oneof(fc.constantFrom(...LISTING_LINES), fc.string({ maxLength: 30 })), { maxLength: 60 }).map((lines) => lines.join('\n'));

/** ZIP field offsets: local header, central directory record and end record fields a reader trusts. */
function zipOffsets(zip: Buffer): number[] {
  const out: number[] = [];
  for (let at = zip.indexOf('PK'); at !== -1; at = zip.indexOf('PK', at + 1)) {
    const sig = zip.readUInt32LE(Math.min(at, zip.length - 4));
    if (sig === 0x04034b50) for (const f of [6, 8, 14, 18, 22, 26, 28]) out.push(at + f);
    if (sig === 0x02014b50) for (const f of [8, 10, 16, 20, 24, 28, 30, 32, 38, 42]) out.push(at + f);
    if (sig === 0x06054b50) for (const f of [8, 10, 12, 16, 20]) out.push(at + f);
  }
  return out.filter((o) => o < zip.length);
}

async function zipSeeds(dir: string): Promise<Buffer[]> {
  const seeds = [
    handMadeZip([{ name: 'a.txt', data: 'hello' }, { name: 'dir/b.bin', data: Buffer.alloc(300, 7), deflate: true }]),
    handMadeZip([{ name: 'x', data: 'y', local: { flags: 1 } }]),
  ];
  await writeFile(path.join(dir, 'm1.txt'), 'member one '.repeat(20));
  await writeFile(path.join(dir, 'm2.txt'), 'two');
  execFileSync('7zz', ['a', '-bd', '-y', '-tzip', `-p${PASSWORD}`, 'enc.zip', 'm1.txt', 'm2.txt'], { cwd: dir, stdio: 'ignore' });
  execFileSync('7zz', ['a', '-bd', '-y', '-tzip', `-p${PASSWORD}`, '-mem=AES256', 'aes.zip', 'm1.txt'], { cwd: dir, stdio: 'ignore' });
  seeds.push(await readFile(path.join(dir, 'enc.zip')), await readFile(path.join(dir, 'aes.zip')));
  return seeds;
}

export const targets = {
  'seven-zip-listing': fuzzTarget({
    inputs: () => textBytes(listingText),
    check: (input) => {
      const parser = new ListingParser(MAX_ENTRIES);
      for (const line of input.toString('utf8').split('\n')) parser.line(line);
      const l = parser.listing;
      assert.ok(l.files >= 0 && l.directories >= 0);
      assert.ok(l.paths.length <= 2 * MAX_ENTRIES + 1, 'paths kept within the cap');
      assert.ok(Number.isFinite(l.declaredBytes) && l.declaredBytes >= 0);
      assert.ok([...l.folders].every((f) => l.paths.includes(f)));
    },
    shortRuns: 500,
  }),

  'zip-unpack': fuzzTarget({
    setup: async () => {
      const dir = await mkdtemp(path.join(os.tmpdir(), 'assay-fuzz-zip-'));
      const unpacker = new SevenZipUnpacker({ timeoutMs: 120_000 });
      assert.equal((await unpacker.start()).ready, true, '7zz is installed');
      const seeds = await zipSeeds(dir);
      await writeFile(path.join(dir, 'seed.zip'), seeds[2]!);
      const members = await unpacker.unpack(path.join(dir, 'seed.zip'), { password: PASSWORD, destDir: path.join(dir, 'seed'), maxTotalBytes: MAX_TOTAL_BYTES, maxEntries: MAX_ENTRIES });
      assert.equal(members.length, 2, 'the encrypted seed unpacks');
      await rm(path.join(dir, 'seed'), { recursive: true });
      return { dir, unpacker, seeds, offsets: [...new Set(seeds.flatMap(zipOffsets))], n: 0 };
    },
    teardown: async ({ dir }) => rm(dir, { recursive: true, force: true }),
    inputs: ({ seeds, offsets }) => mutationsOf(seeds, offsets),
    check: async (input, ctx) => {
      const archive = path.join(ctx.dir, `in-${ctx.n}.zip`);
      const destDir = path.join(ctx.dir, `out-${ctx.n++}`);
      await writeFile(archive, input);
      try {
        const mismatch = await findHeaderMismatch(archive);
        assert.ok(mismatch === undefined || typeof mismatch === 'string');
        if (!looksLikeZip(input)) return;
        let files;
        try {
          files = await ctx.unpacker.unpack(archive, { password: PASSWORD, destDir, maxTotalBytes: MAX_TOTAL_BYTES, maxEntries: MAX_ENTRIES });
        } catch (error) {
          expectOnly(error, [UnpackError], 'unpack');
          assert.notEqual((error as UnpackError).reason, 'unavailable');
          await assert.rejects(lstat(destDir), 'a failed unpack leaves no directory behind');
          return;
        }
        assert.ok(files.length <= MAX_ENTRIES);
        assert.ok(files.reduce((n, f) => n + f.size, 0) <= MAX_TOTAL_BYTES);
        for (const f of files) {
          assert.ok(f.path.startsWith(`${destDir}${path.sep}`), `${f.path} is inside the destination`);
          const st = await lstat(f.path);
          assert.ok(st.isFile(), `${f.name} is a regular file`);
          assert.equal(st.size, f.size);
        }
      } finally {
        await rm(destDir, { recursive: true, force: true });
        await rm(archive, { force: true });
      }
    },
    shortRuns: 120,
  }),
};
