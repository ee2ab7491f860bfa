/** `assay domain NAME`: DNS records, WHOIS summary, certificate, popularity and verdicts of GET /domains/{name}. */
import { isIP } from 'node:net';
import { domainToASCII } from 'node:url';
import type { Command } from 'commander';
import type { VtObject } from '../../client/vt-client.js';
import { objectLookupCommand } from '../object-lookup.js';
import { type CliIo, formatDate, formatTable, registerClientCommand, runClientCommand, summarizeVerdicts, UsageError } from '../output.js';
import { categoriesText, cell, certificateRows, engineTable, isRecord, popularityText, statsText } from '../report-format.js';

const PARENTS = [] as const;
/** Fields of a DNS record shown after its value, in this order (MX priority, SOA timers, CAA tag). */
const RECORD_DETAILS = ['priority', 'rname', 'serial', 'refresh', 'retry', 'expire', 'minimum', 'flag', 'tag'];

const buildCommand = objectLookupCommand({
  name: 'domain',
  description: 'show the report of a domain: DNS records, WHOIS, certificate, popularity, verdicts',
  argument: ['name', 'domain name (unicode names are sent as punycode)'],
  check: domainName,
  fetch: (client, name) => client.getDomain(name),
  report: domainReport,
});

export function registerLookupDomain(program: Command): void {
  registerClientCommand(program, PARENTS, buildCommand);
}

/** Runs `assay domain` with `args` (what follows `domain`) in-process; resolves to the exit code. */
export function runLookupDomain(args: readonly string[], io: CliIo): Promise<number> {
  return runClientCommand(PARENTS, buildCommand, args, io);
}

/** The domain's id as VT spells it: lower-case punycode, no trailing dot. */
function domainName(input: string): string {
  const name = input.trim().replace(/\.$/, '');
  if (/[/:@?#\s]/.test(name)) throw new UsageError(`"${input}" is not a domain name${name.includes('/') ? ' (for a URL use `assay url`)' : ''}`);
  if (isIP(name) !== 0) throw new UsageError(`"${input}" is an IP address: use \`assay ip\``);
  const ascii = domainToASCII(name);
  if (ascii === '') throw new UsageError(`"${input}" is not a domain name`);
  return ascii;
}

export function domainReport(domain: VtObject): string[] {
  const a = domain.attributes;
  const { malicious, total } = summarizeVerdicts(a.last_analysis_stats, a.last_analysis_results);
  const rows: string[][] = [
    ['domain', domain.id],
    ['registrar', cell(a.registrar)],
    ['created', formatDate(a.creation_date)],
    ['expires', formatDate(a.expiration_date)],
    ['updated', formatDate(a.last_update_date)],
    ['whois checked', formatDate(a.whois_date)],
    ...certificateRows(a.last_https_certificate, a.last_https_certificate_date),
    ['categories', categoriesText(a.categories)],
    ['popularity', popularityText(a.popularity_ranks)],
    ['last analysis', formatDate(a.last_analysis_date)],
    ['detections', `${malicious}/${total}`],
    ['stats', statsText(a.last_analysis_stats)],
  ];
  return [...formatTable(rows), '', ...dnsTable(a.last_dns_records, a.last_dns_records_date), '', ...engineTable(a.last_analysis_results)];
}

/** TTL before the value: an SOA value runs long, and the last column is the one left unpadded. */
function dnsTable(records: unknown, date: unknown): string[] {
  const rows = (Array.isArray(records) ? records.filter(isRecord) : []).map((r) => {
    const details = RECORD_DETAILS.filter((k) => r[k] !== undefined && r[k] !== null).map((k) => `${k}=${cell(r[k])}`);
    return [cell(r.type), cell(r.ttl), [cell(r.value), ...details].join(' ')];
  });
  if (rows.length === 0) return ['no DNS records yet'];
  return [...formatTable(rows, ['TYPE', 'TTL', 'VALUE']), `(resolved ${formatDate(date)})`];
}
