/**
 * Compares the ELF analyzer's parser with GNU readelf, field by field, on ELF files from /usr/bin and
 * /usr/lib (or the directories given): prints counts and every difference.
 *   node --import tsx bench/elf-compare.ts [--limit N] [dir ...]
 */
import { openSync, readSync, closeSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { compareFile, readelfAvailable } from '../src/analyzers/elf/testing/readelf-reference.js';

const args = process.argv.slice(2);
const limitAt = args.indexOf('--limit');
const limit = limitAt >= 0 ? Number(args[limitAt + 1]) : 600;
const dirs = args.filter((a, i) => a !== '--limit' && i !== limitAt + 1);
if (dirs.length === 0) dirs.push('/usr/bin', '/usr/lib');

if (!readelfAvailable()) {
  console.error('readelf (binutils) is not installed');
  process.exit(2);
}

function isElf(file: string): boolean {
  const fd = openSync(file, 'r');
  try {
    const b = Buffer.alloc(4);
    return readSync(fd, b, 0, 4, 0) === 4 && b.readUInt32BE(0) === 0x7f454c46;
  } finally {
    closeSync(fd);
  }
}

/** Regular ELF files under each directory, breadth-first, taking an equal share from each. */
function collect(dir: string, want: number): string[] {
  const out: string[] = [];
  const queue = [dir];
  while (queue.length > 0 && out.length < want) {
    const d = queue.shift()!;
    let entries: string[];
    try {
      entries = readdirSync(d).sort();
    } catch {
      continue;
    }
    for (const name of entries) {
      const p = path.join(d, name);
      let st;
      try {
        st = statSync(p, { throwIfNoEntry: false });
      } catch {
        continue;
      }
      if (!st) continue;
      if (st.isDirectory()) queue.push(p);
      else if (st.isFile() && st.size > 0 && st.size < 256 * 1024 * 1024 && isElf(p) && out.length < want) out.push(p);
    }
  }
  return out;
}

const seen = new Set<string>();
const files: string[] = [];
for (const dir of dirs) {
  for (const f of collect(dir, Math.ceil(limit / dirs.length))) {
    const real = path.resolve(f);
    if (!seen.has(real)) {
      seen.add(real);
      files.push(real);
    }
  }
}

let compared = 0;
let differing = 0;
let values = 0;
let differences = 0;
let failed = 0;
const kinds = { is64: 0, is32: 0, bigEndian: 0, withDynsym: 0, pie: 0 };
for (const file of files) {
  try {
    const r = await compareFile(file);
    compared++;
    values += r.compared;
    if (r.parsed.is64) kinds.is64++; else kinds.is32++;
    if (!r.parsed.littleEndian) kinds.bigEndian++;
    if (r.parsed.dynamicSymbols.length > 0) kinds.withDynsym++;
    if (r.parsed.isPie) kinds.pie++;
    if (r.differences.length > 0) {
      differing++;
      differences += r.differences.length;
      for (const d of r.differences) console.log(`DIFF ${file}: ${d}`);
    }
  } catch (err) {
    failed++;
    console.log(`FAIL ${file}: ${(err as Error).message}`);
  }
}
console.log(
  `files ${compared} (64-bit ${kinds.is64}, 32-bit ${kinds.is32}, big-endian ${kinds.bigEndian}, with dynamic symbols ${kinds.withDynsym}, PIE ${kinds.pie}); ` +
    `values compared ${values}; differences ${differences} in ${differing} file(s); failures ${failed}`,
);
process.exit(differences > 0 || failed > 0 ? 1 : 0);
