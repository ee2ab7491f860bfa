/**
 * Compares the android analyzer with Debian's androguard on a folder of APKs (read only; nothing is
 * run or kept). Usage: node --import tsx src/analyzers/android/testing/compare-corpus.ts DIR
 * Prints counts and the differences found, field by field.
 */
import { readdirSync, statSync } from 'node:fs';
import { open } from 'node:fs/promises';
import path from 'node:path';
import { pino } from 'pino';
import { createAndroidAnalyzer } from '../android-analyzer.js';
import { androguardFacts, differences } from './androguard-reference.js';

const dir = process.argv[2];
if (!dir) throw new Error('usage: compare-corpus.ts DIR');

async function isZip(file: string): Promise<boolean> {
  const h = await open(file, 'r');
  try {
    const b = Buffer.alloc(4);
    await h.read(b, 0, 4, 0);
    return b.readUInt32LE(0) === 0x04034b50;
  } finally {
    await h.close();
  }
}

const analyzer = createAndroidAnalyzer({ logger: pino({ level: 'silent' }) });
await analyzer.start();
const files = readdirSync(dir).map((f) => path.join(dir, f)).filter((f) => statSync(f).isFile());
const zips: string[] = [];
for (const f of files) if (await isZip(f)) zips.push(f);
const counts = { files: files.length, zips: zips.length, apks: 0, refused: 0, compared: 0, identical: 0, fieldDiffs: {} as Record<string, number> };
const examples: string[] = [];
for (let i = 0; i < zips.length; i += 20) {
  const batch = zips.slice(i, i + 20);
  const refs = androguardFacts(batch);
  for (const ref of refs) {
    const out = await analyzer.analyze({ path: ref.path, size: 0, md5: '', sha1: '', sha256: path.basename(ref.path), names: [] }, new AbortController().signal);
    const ours = out.attributes.androguard as Record<string, unknown> | undefined;
    if (ref.error || !ref.package) {
      counts.refused++;
      continue;
    }
    counts.apks++;
    if (!ours) {
      counts.fieldDiffs.missing = (counts.fieldDiffs.missing ?? 0) + 1;
      examples.push(`${path.basename(ref.path)}: no androguard attribute`);
      continue;
    }
    counts.compared++;
    const diffs = differences(ours, ref);
    if (diffs.length === 0) counts.identical++;
    for (const d of diffs) {
      const field = d.split(':')[0]!;
      counts.fieldDiffs[field] = (counts.fieldDiffs[field] ?? 0) + 1;
      if (examples.length < 40) examples.push(`${path.basename(ref.path).slice(0, 16)} ${d.slice(0, 300)}`);
    }
  }
}
await analyzer.close();
console.log(JSON.stringify(counts, null, 1));
for (const e of examples) console.log(e);
