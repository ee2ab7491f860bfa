/** `assay ip ADDR`: network, owner, location, WHOIS summary and verdicts of GET /ip_addresses/{ip}. */
import { isIP } from 'node:net';
import type { Command } from 'commander';
import type { VtObject } from '../../client/vt-client.js';
import { objectLookupCommand } from '../object-lookup.js';
import { type CliIo, formatDate, formatTable, registerClientCommand, runClientCommand, summarizeVerdicts, UsageError } from '../output.js';
import { cell, certificateRows, engineTable, listRows, statsText } from '../report-format.js';

const PARENTS = [] as const;
/**
 * WHOIS lines worth a glance, in the spellings of ARIN (`NetName`, `OrgName`) and of RIPE, APNIC,
 * AFRINIC and LACNIC (`netname`, `descr`, `org-name`, `owner`); the full text is in --json.
 */
const WHOIS_SUMMARY_KEYS = new Set(['netname', 'nettype', 'orgname', 'organization', 'org-name', 'descr', 'owner', 'regdate', 'updated', 'orgabuseemail', 'abuse-mailbox']);
const WHOIS_SUMMARY_MAX_LINES = 8;

const buildCommand = objectLookupCommand({
  name: 'ip',
  description: 'show the report of an IP address: network, owner, location, WHOIS, verdicts',
  argument: ['addr', 'IPv4 or IPv6 address'],
  check(addr) {
    const ip = addr.trim().replace(/^\[(.*)\]$/, '$1');
    if (isIP(ip) === 0) throw new UsageError(`"${addr}" is not an IPv4 or IPv6 address`);
    return ip.toLowerCase();
  },
  fetch: (client, ip) => client.getIpAddress(ip),
  report: ipReport,
});

export function registerLookupIp(program: Command): void {
  registerClientCommand(program, PARENTS, buildCommand);
}

/** Runs `assay ip` with `args` (what follows `ip`) in-process; resolves to the exit code. */
export function runLookupIp(args: readonly string[], io: CliIo): Promise<number> {
  return runClientCommand(PARENTS, buildCommand, args, io);
}

export function ipReport(ip: VtObject): string[] {
  const a = ip.attributes;
  const { malicious, total } = summarizeVerdicts(a.last_analysis_stats, a.last_analysis_results);
  const rows: string[][] = [
    ['ip', ip.id],
    ['asn', typeof a.asn === 'number' ? `AS${a.asn}` : '-'],
    ['as owner', cell(a.as_owner)],
    ['country', cell(a.country)],
    ['continent', cell(a.continent)],
    ['network', cell(a.network)],
    ['rir', cell(a.regional_internet_registry)],
    ...listRows('whois', whoisSummary(a.whois)),
    ['whois checked', formatDate(a.whois_date)],
    ...certificateRows(a.last_https_certificate, a.last_https_certificate_date),
    ['last analysis', formatDate(a.last_analysis_date)],
    ['detections', `${malicious}/${total}`],
    ['stats', statsText(a.last_analysis_stats)],
  ];
  return [...formatTable(rows), '', ...engineTable(a.last_analysis_results)];
}

/** The first few `Key: value` lines of the WHOIS text whose key names the network or its holder. */
export function whoisSummary(whois: unknown): string[] {
  if (typeof whois !== 'string') return [];
  const lines: string[] = [];
  const seen = new Set<string>();
  for (const raw of whois.split('\n')) {
    const match = /^\s*([A-Za-z-]+):\s*(\S.*)$/.exec(raw);
    if (!match) continue;
    const key = match[1]!.toLowerCase();
    // A repeated key (several `descr:` lines) adds little after its first line.
    if (!WHOIS_SUMMARY_KEYS.has(key) || seen.has(key)) continue;
    seen.add(key);
    lines.push(`${match[1]}: ${match[2]!.trim()}`);
    if (lines.length === WHOIS_SUMMARY_MAX_LINES) break;
  }
  return lines;
}
