/**
 * Compares the PE analyzer with Debian's pefile on the PE files this machine has (Wine's DLLs and
 * EXEs, the MinGW-w64 runtime DLLs, EFI binaries, Python's launcher EXEs) and prints the counts
 * and every difference. Run: node --import tsx bench/pe-compare.ts [max-files]
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { analyzePe } from '../src/analyzers/pe/analyze-pe.js';
import { differences, pefileFacts } from '../src/analyzers/pe/testing/pefile-compare.js';

const ROOTS = [
  '/usr/lib/x86_64-linux-gnu/wine/x86_64-windows',
  '/usr/lib/i386-linux-gnu/wine/i386-windows',
  '/usr/lib/x86_64-linux-gnu/wine/i386-windows',
  '/usr/lib/gcc/x86_64-w64-mingw32',
  '/usr/lib/gcc/i686-w64-mingw32',
  '/usr/x86_64-w64-mingw32',
  '/usr/i686-w64-mingw32',
  '/usr/lib/shim',
  '/usr/lib/grub',
  '/usr/lib/ipxe',
  '/usr/lib/python3',
  '/usr/share/nsis',
  '/usr/lib/mono',
];
const PE_NAME = /\.(dll|exe|efi|sys|drv|ocx|cpl|acm|ax|tlb|ds|msstyles|nls16|mui|efi\.signed)$/i;

function collect(dir: string, out: string[], depth = 0): void {
  if (depth > 8) return;
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return;
  }
  for (const name of entries.sort()) {
    const full = path.join(dir, name);
    let st;
    try {
      st = statSync(full);
    } catch {
      continue;
    }
    if (st.isDirectory()) collect(full, out, depth + 1);
    else if (st.isFile() && st.size >= 64 && PE_NAME.test(name)) {
      const head = readFileSync(full).subarray(0, 2);
      if (head[0] === 0x4d && head[1] === 0x5a) out.push(full);
    }
  }
}

const max = Number(process.argv[2] ?? 100000);
const files: string[] = [];
for (const root of ROOTS) collect(root, files);
const picked = [...new Set(files)].slice(0, max);
console.log(`pe-compare: ${picked.length} PE files found under ${ROOTS.filter((r) => files.some((f) => f.startsWith(r))).join(', ')}`);

const started = Date.now();
const refs = await pefileFacts(picked);
const pefileMs = Date.now() - started;
let same = 0;
let differing = 0;
let ourErrors = 0;
let refErrors = 0;
let ourMs = 0;
const fieldCounts = new Map<string, number>();
const counts = { imports: 0, exports: 0, resources: 0, overlays: 0, sections: 0, signed: 0, verified: 0, authentihashSame: 0, noReference: 0, dotnet: 0, rich: 0, packers: 0 };

/** The SHA-256 Authenticode digest osslsigncode calculates, when it prints one for a SHA-256 signature. */
function osslsigncodeDigest(file: string): string | undefined {
  let text = '';
  try {
    text = execFileSync('osslsigncode', ['verify', '-in', file], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (err) {
    text = String((err as { stdout?: string }).stdout ?? '');
  }
  if (!/Message digest algorithm\s*:\s*SHA256/.test(text)) return undefined;
  return /Calculated message digest\s*:\s*([0-9A-F]{64})/.exec(text)?.[1]?.toLowerCase();
}
for (let i = 0; i < picked.length; i++) {
  const file = picked[i]!;
  const ref = refs[i]!;
  const t0 = Date.now();
  let ours;
  try {
    ours = analyzePe(readFileSync(file));
  } catch (err) {
    ourMs += Date.now() - t0;
    if (ref.error) refErrors++;
    else {
      ourErrors++;
      console.log(`DIFF ${file}: we refused (${(err as Error).message}), pefile parsed it`);
    }
    continue;
  }
  ourMs += Date.now() - t0;
  if (ref.error) {
    refErrors++;
    console.log(`NOTE ${file}: pefile refused (${ref.error}), we parsed it`);
    continue;
  }
  const info = ours.attributes.pe_info;
  counts.sections += info.sections.length;
  counts.imports += info.import_list.reduce((n, l) => n + l.imported_functions.length, 0);
  counts.exports += info.exports?.length ?? 0;
  counts.resources += info.resource_details?.length ?? 0;
  if (info.overlay) counts.overlays++;
  if (ours.attributes.signature_info) {
    counts.signed++;
    if (ours.attributes.signature_info.verified === 'Signed') counts.verified++;
    // osslsigncode is the reference for the Authenticode digest of signed files.
    const digest = osslsigncodeDigest(file);
    if (digest === undefined) counts.noReference++;
    else if (digest === ours.attributes.authentihash) counts.authentihashSame++;
    else console.log(`DIFF ${file}: authentihash ${ours.attributes.authentihash} != osslsigncode ${digest}`);
  }
  if (ours.attributes.dot_net_assembly) counts.dotnet++;
  if (info.rich_pe_header_hash) counts.rich++;
  if (ours.attributes.packers) counts.packers++;
  const diff = differences(ours, ref);
  if (diff.length === 0) same++;
  else {
    differing++;
    for (const d of diff) {
      const field = d.slice(0, d.indexOf(':'));
      fieldCounts.set(field, (fieldCounts.get(field) ?? 0) + 1);
      console.log(`DIFF ${file}: ${d}`);
    }
  }
}
console.log(`files: ${picked.length}; identical to pefile: ${same}; differing: ${differing}; refused by us only: ${ourErrors}; refused by pefile: ${refErrors}`);
console.log(`differing fields: ${fieldCounts.size === 0 ? 'none' : [...fieldCounts].map(([f, n]) => `${f}=${n}`).join(', ')}`);
console.log(`compared: ${counts.sections} sections, ${counts.imports} imported functions, ${counts.exports} exports, ${counts.resources} resources, ${counts.overlays} overlays; ${counts.dotnet} .NET, ${counts.rich} with a Rich header, ${counts.packers} with packers`);
console.log(`signed: ${counts.signed}, verified "Signed": ${counts.verified}; authentihash equal to osslsigncode's: ${counts.authentihashSame} (no SHA-256 reference digest for ${counts.noReference})`);
console.log(`time: ours ${ourMs} ms, pefile ${pefileMs} ms (including Python start-up)`);
