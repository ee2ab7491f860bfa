/** Runs Debian's androguard (androguard-reference.py) on APKs and compares its manifest facts with the android analyzer's. */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const PYTHON = '/usr/bin/python3';
const SCRIPT = path.join(path.dirname(fileURLToPath(import.meta.url)), 'androguard-reference.py');

export interface AndroguardFacts {
  path: string;
  package: string;
  permissions: string[];
  activities: string[];
  services: string[];
  receivers: string[];
  providers: string[];
  main_activity: string | null;
  min_sdk: string;
  target_sdk: string;
  version_code: string;
  version_name: string;
  error?: string;
}

export function androguardAvailable(): boolean {
  if (!existsSync(PYTHON)) return false;
  try {
    execFileSync(PYTHON, ['-c', 'import androguard.core.bytecodes.apk'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export function androguardFacts(files: readonly string[]): AndroguardFacts[] {
  if (files.length === 0) return [];
  const out = execFileSync(PYTHON, [SCRIPT, ...files], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, timeout: 600_000 });
  return out.trim().split('\n').map((line) => JSON.parse(line) as AndroguardFacts);
}

/** Field-by-field differences between our androguard attribute and the tool's facts (lists compared as sets). */
export function differences(ours: Record<string, unknown>, ref: AndroguardFacts): string[] {
  const diffs: string[] = [];
  const same = (field: string, a: unknown, b: unknown) => {
    if (JSON.stringify(a) !== JSON.stringify(b)) diffs.push(`${field}: ours ${JSON.stringify(a)} androguard ${JSON.stringify(b)}`);
  };
  const set = (v: unknown) => [...new Set((v as string[] | undefined) ?? [])].sort();
  same('package', ours.Package ?? '', ref.package);
  same('permissions', set(Object.keys((ours.Permissions as object | undefined) ?? {})), set(ref.permissions));
  same('activities', set(ours.Activities), set(ref.activities));
  same('services', set(ours.Services), set(ref.services));
  same('receivers', set(ours.Receivers), set(ref.receivers));
  same('providers', set(ours.Providers), set(ref.providers));
  same('main_activity', ours.main_activity ?? null, ref.main_activity ?? null);
  same('min_sdk', ours.MinSdkVersion ?? '', ref.min_sdk);
  same('target_sdk', ours.TargetSdkVersion ?? '', ref.target_sdk);
  same('version_code', ours.AndroidVersionCode ?? '', ref.version_code);
  same('version_name', ours.AndroidVersionName ?? '', ref.version_name);
  return diffs;
}
