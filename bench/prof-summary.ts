/**
 * Summarises V8 .cpuprofile files (from BENCH_CPU_PROF=DIR, i.e. node --cpu-prof): self time by
 * function and by source file, one section per profile (main thread and each worker thread).
 *
 *   node --import tsx bench/prof-summary.ts DIR [top=15]
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples?: number[];
  timeDeltas?: number[];
}

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = path.join(dir, name);
    return statSync(p).isDirectory() ? files(p) : name.endsWith('.cpuprofile') ? [p] : [];
  });
}

function short(url: string): string {
  if (!url) return '(native/internal)';
  const u = url.replace(/^file:\/\//, '');
  const nm = u.lastIndexOf('node_modules/');
  if (nm >= 0) return u.slice(nm + 'node_modules/'.length).split('/').slice(0, 1).join('/') + ' (dependency)';
  const dist = u.indexOf('/dist/');
  if (dist >= 0) return u.slice(dist + 1);
  if (u.startsWith('node:')) return u;
  return u;
}

function summarise(file: string, top: number): void {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<number, number>();
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  for (let i = 0; i < samples.length; i++) selfUs.set(samples[i]!, (selfUs.get(samples[i]!) ?? 0) + (deltas[i] ?? 0));
  const fn = new Map<string, number>();
  const src = new Map<string, number>();
  let busy = 0;
  let total = 0;
  for (const [id, us] of selfUs) {
    const n = byId.get(id)!;
    total += us;
    const name = n.callFrame.functionName || '(anonymous)';
    if (name === '(idle)' || name === '(program)' || name === '(garbage collector)') {
      fn.set(name, (fn.get(name) ?? 0) + us);
      if (name !== '(idle)') busy += us;
      continue;
    }
    busy += us;
    const key = `${name}  ${short(n.callFrame.url)}:${n.callFrame.lineNumber + 1}`;
    fn.set(key, (fn.get(key) ?? 0) + us);
    src.set(short(n.callFrame.url), (src.get(short(n.callFrame.url)) ?? 0) + us);
  }
  const ms = (us: number) => `${(us / 1000).toFixed(0).padStart(7)} ms`;
  process.stdout.write(`\n## ${path.basename(file)}: ${ms(total)} sampled, ${ms(busy)} not idle\n`);
  process.stdout.write('  by function (self):\n');
  for (const [k, v] of [...fn].sort((a, b) => b[1] - a[1]).slice(0, top)) process.stdout.write(`   ${ms(v)}  ${k}\n`);
  process.stdout.write('  by source (self):\n');
  for (const [k, v] of [...src].sort((a, b) => b[1] - a[1]).slice(0, top)) process.stdout.write(`   ${ms(v)}  ${k}\n`);
}

const dir = process.argv[2];
if (!dir) {
  console.error('usage: node --import tsx bench/prof-summary.ts DIR [top]');
  process.exit(2);
}
const top = Number(process.argv[3]) || 15;
for (const f of files(dir).sort()) summarise(f, top);
