/** A vendor command's exit code and output turned into a verdict by the operator's rules, and probe values into versions and dates. */
import { PluginError, type EngineVerdict } from '../../core/plugin.js';
import type { CommandRun } from './run-sandboxed.js';
import type { VendorRule } from './vendor-config.js';

const MAX_RESULT = 200;

export function ruleVerdict(rules: readonly VendorRule[], run: CommandRun): Pick<EngineVerdict, 'category' | 'result'> {
  if (run.exitCode === null) throw new PluginError('scanner_killed', `the scanner was killed by ${run.signal ?? 'a signal'}${tail(run.stderr)}`);
  for (const rule of rules) {
    if (rule.exitCodes && !rule.exitCodes.includes(run.exitCode)) continue;
    if (rule.match === undefined) return { category: rule.category, result: rule.result ?? null };
    const text = rule.output === 'stdout' ? run.stdout : rule.output === 'stderr' ? run.stderr : `${run.stdout}\n${run.stderr}`;
    const found = new RegExp(rule.match, 'm').exec(text);
    if (!found) continue;
    const captured = found.groups?.threat ?? found[1];
    return { category: rule.category, result: cleanName(captured) ?? rule.result ?? null };
  }
  throw new PluginError('unexpected_output', `no verdict rule fits exit code ${run.exitCode}${tail(run.stderr || run.stdout)}`);
}

/** The value a probe's expression captures in the output (first group, or `(?<value>...)`). */
export function probeValue(expression: string, run: CommandRun): string | undefined {
  const found = new RegExp(expression, 'm').exec(`${run.stdout}\n${run.stderr}`);
  if (!found) return undefined;
  return cleanName(found.groups?.value ?? found[1] ?? found[0]);
}

/** A captured date as YYYYMMDD: `20261207`, `2026-12-07...`, or anything Date understands (`Mon Dec  7 09:00:00 2026`). */
export function toYyyymmdd(text: string): string | undefined {
  if (/^\d{8}$/.test(text)) return text;
  const iso = /^(\d{4})-(\d{2})-(\d{2})/.exec(text);
  if (iso) return `${iso[1]}${iso[2]}${iso[3]}`;
  const ms = Date.parse(text);
  if (Number.isNaN(ms)) return undefined;
  return new Date(ms).toISOString().slice(0, 10).replaceAll('-', '');
}

function cleanName(value: string | undefined): string | undefined {
  const name = value?.replace(/[\u0000-\u001f\u007f]/g, '').trim().slice(0, MAX_RESULT);
  return name ? name : undefined;
}

function tail(text: string): string {
  const last = text.trim().split('\n').slice(-3).join(' | ').slice(-300);
  return last ? `: ${last}` : '';
}
