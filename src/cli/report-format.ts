/**
 * The pieces every object report prints the same way (files, URLs, domains, IPs): cell text, the
 * stats line, the per-engine table, distinguished names and certificate rows.
 */
import { formatDate, formatTable } from './output.js';

/** The order VT lists stats in; unknown keys follow. */
const STAT_ORDER = ['malicious', 'suspicious', 'undetected', 'harmless', 'timeout', 'confirmed-timeout', 'failure', 'type-unsupported'];
/** How a distinguished name is usually read: the common name first. */
const DN_ORDER = ['CN', 'O', 'OU', 'L', 'ST', 'C'];

export const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export const recordOf = (v: unknown): Record<string, unknown> => (isRecord(v) ? v : {});

/** A cell: strings and numbers as they are, anything else (absent, empty, null) as `-`. */
export const cell = (v: unknown): string => (typeof v === 'string' && v !== '' ? v : typeof v === 'number' ? String(v) : '-');

export const stringsOf = (v: unknown): string[] => (Array.isArray(v) ? v.filter((s): s is string => typeof s === 'string' && s !== '') : []);

/** `malicious 1, suspicious 0, ...` in VT's order, or `-` when there are no stats. */
export function statsText(stats: unknown): string {
  const s = recordOf(stats);
  const keys = [...STAT_ORDER.filter((k) => k in s), ...Object.keys(s).filter((k) => !STAT_ORDER.includes(k))];
  return keys.length ? keys.map((k) => `${k} ${cell(s[k])}`).join(', ') : '-';
}

/** ENGINE / CATEGORY / RESULT, engines by name; one line saying so when there are none. */
export function engineTable(results: unknown): string[] {
  const rows = Object.entries(recordOf(results))
    .sort(([x], [y]) => x.localeCompare(y))
    .map(([engine, r]) => [engine, cell(recordOf(r).category), cell(recordOf(r).result)]);
  return rows.length ? formatTable(rows, ['ENGINE', 'CATEGORY', 'RESULT']) : ['no engine results yet'];
}

/** `CN=example.com, O=Example Inc, C=US` from VT's {CN, O, ...} dict. */
export function distinguishedName(dn: unknown): string {
  const parts = recordOf(dn);
  const keys = [...DN_ORDER.filter((k) => k in parts), ...Object.keys(parts).filter((k) => !DN_ORDER.includes(k))];
  const text = keys
    .filter((k) => typeof parts[k] === 'string' && parts[k] !== '')
    .map((k) => `${k}=${parts[k] as string}`)
    .join(', ');
  return text || '-';
}

/** Rows for last_https_certificate (VT's certificate dict): subject, issuer, validity; none when absent. */
export function certificateRows(certificate: unknown, date?: unknown): string[][] {
  if (!isRecord(certificate)) return [];
  const validity = recordOf(certificate.validity);
  const rows = [
    ['certificate', distinguishedName(certificate.subject)],
    ['  issuer', distinguishedName(certificate.issuer)],
    ['  valid', `${cell(validity.not_before)} to ${cell(validity.not_after)}`],
  ];
  const names = stringsOf(recordOf(certificate.extensions).subject_alternative_name);
  if (names.length) rows.push(['  names', names.length > 6 ? `${names.slice(0, 6).join(', ')} (+${names.length - 6} more)` : names.join(', ')]);
  if (date !== undefined) rows.push(['  seen', formatDate(date)]);
  return rows;
}

/** One row per item: the label on the first, blanks below, so a list stays in the table's columns. */
export function listRows(label: string, items: readonly string[]): string[][] {
  if (items.length === 0) return [[label, '-']];
  return items.map((item, i) => [i === 0 ? label : '', item]);
}

/** VT's popularity_ranks {source: {rank, timestamp}} as `Tranco #12 (2025-01-01)`. */
export function popularityText(ranks: unknown): string {
  const parts = Object.entries(recordOf(ranks))
    .sort(([x], [y]) => x.localeCompare(y))
    .map(([source, r]) => {
      const { rank, timestamp } = recordOf(r);
      const day = typeof timestamp === 'number' ? ` (${formatDate(timestamp).slice(0, 10)})` : '';
      return `${source} #${cell(rank)}${day}`;
    });
  return parts.length ? parts.join(', ') : '-';
}

/** VT's categories {vendor: category} as `vendor: category, ...`. */
export function categoriesText(categories: unknown): string {
  const parts = Object.entries(recordOf(categories)).map(([vendor, c]) => `${vendor}: ${cell(c)}`);
  return parts.length ? parts.join(', ') : '-';
}
