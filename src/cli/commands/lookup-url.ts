/** `assay url URL`: a readable report of GET /urls/{id} (or the API's `data` object with --json). */
import type { Command } from 'commander';
import type { VtObject } from '../../client/vt-client.js';
import { objectLookupCommand } from '../object-lookup.js';
import { type CliIo, formatDate, formatTable, registerClientCommand, runClientCommand, summarizeVerdicts, UsageError } from '../output.js';
import { categoriesText, cell, engineTable, listRows, statsText, stringsOf } from '../report-format.js';

const PARENTS = [] as const;

const buildCommand = objectLookupCommand({
  name: 'url',
  description: 'show the report of a URL (the URL itself, or its sha256 id)',
  argument: ['url', 'the URL as submitted, or the 64-hex id VT gives it'],
  check(url) {
    if (url.trim() === '') throw new UsageError('the URL is empty');
    return url;
  },
  fetch: (client, url) => client.getUrl(url),
  report: urlReport,
});

export function registerLookupUrl(program: Command): void {
  registerClientCommand(program, PARENTS, buildCommand);
}

/** Runs `assay url` with `args` (what follows `url`) in-process; resolves to the exit code. */
export function runLookupUrl(args: readonly string[], io: CliIo): Promise<number> {
  return runClientCommand(PARENTS, buildCommand, args, io);
}

export function urlReport(url: VtObject): string[] {
  const a = url.attributes;
  const { malicious, total } = summarizeVerdicts(a.last_analysis_stats, a.last_analysis_results);
  const chain = stringsOf(a.redirection_chain);
  const rows: string[][] = [
    ['url', cell(a.url)],
    ['id', url.id],
    ['final url', cell(a.last_final_url)],
    ['title', cell(a.title)],
    ['status code', cell(a.last_http_response_code)],
    // A chain of one is the URL itself: no redirect happened.
    ...listRows('redirects', chain.length > 1 ? chain.map((hop, i) => `${i + 1}. ${hop}`) : []),
  ];
  if (typeof a.last_fetch_error === 'string' || typeof a.last_fetch_error === 'number') rows.push(['fetch error', cell(a.last_fetch_error)]);
  rows.push(
    ['categories', categoriesText(a.categories)],
    ['threat names', stringsOf(a.threat_names).join(', ') || '-'],
    ['submissions', `${cell(a.times_submitted)} (first ${formatDate(a.first_submission_date)}, last ${formatDate(a.last_submission_date)})`],
    ['last analysis', formatDate(a.last_analysis_date)],
    ['detections', `${malicious}/${total}`],
    ['stats', statsText(a.last_analysis_stats)],
  );
  return [...formatTable(rows), '', ...engineTable(a.last_analysis_results)];
}
