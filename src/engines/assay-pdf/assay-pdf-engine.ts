/** Assay-PDF: heuristic verdicts on PDF documents from pdf_info (pdfid counts, extracted JavaScript, actions, embedded files). */
import { createHeuristicEngine, list, num, record, str } from '../heuristics/heuristic-engine.js';
import type { FileInput } from '../../core/plugin.js';
import type { Hit } from '../heuristics/signal.js';
import { PDF_RULES as R } from './pdf-signals.js';

export const ASSAY_PDF_RULES_DATE = '20261207';

const PAYLOAD_NAME = /\.(?:exe|scr|com|pif|dll|js|jse|vbs|vbe|wsf|hta|ps1|bat|cmd|lnk|jar|msi|docm|xlsm)$/i;
const EXPLOIT_JS = /%u9090|%u0c0c|\\x90\\x90|unescape\s*\(\s*["']%u|util\.printf\s*\(|Collab\.(?:getIcon|collectEmailInfo)|media\.newPlayer|spell\.customDictionaryOpen|\.getAnnots\s*\(|printSeps\s*\(|app\.setTimeOut/i;
const OBFUSCATED_JS = /\beval\s*\(|String\.fromCharCode|unescape\s*\(|\\x[0-9a-f]{2}(?:\\x[0-9a-f]{2}){20}|[A-Za-z0-9+/]{400}/i;

export function detectPdf(input: FileInput): Hit[] {
  const info = record(input.attributes?.pdf_info);
  if (!info) return [];
  const hits: Hit[] = [];
  const code = list(info.javascript_code).map((j) => str(record(j)?.code)).join('\n');
  const hasJs = num(info.js) > 0 || num(info.javascript) > 0 || code.length > 0;
  const auto = num(info.openaction) > 0 || num(info.autoaction) > 0;
  if (EXPLOIT_JS.test(code)) hits.push({ rule: R['js-exploit'], evidence: EXPLOIT_JS.exec(code)?.[0] });
  const launches = list(info.launch_targets).map((t) => JSON.stringify(t));
  const program = launches.find((t) => /cmd(?:\.exe)?\b|powershell|mshta|wscript|cscript|rundll32|regsvr32|\/bin\/(?:ba)?sh|\.(?:exe|scr|bat|cmd|com|pif|vbs|vbe|js|jse|wsf|hta|ps1|lnk|jar|msi)\b/i.test(t));
  if (program) hits.push({ rule: R['launch-action'], evidence: program.slice(0, 120) });
  else if (num(info.num_launch_actions) > 0) hits.push({ rule: R['launch-file'] });
  for (const f of list(info.embedded_files).map((e) => record(e) ?? {})) if (PAYLOAD_NAME.test(str(f.name))) hits.push({ rule: R['embedded-executable'], evidence: str(f.name) });
  if (hasJs && auto) hits.push({ rule: R['auto-javascript'] });
  if (OBFUSCATED_JS.test(code)) hits.push({ rule: R['obfuscated-javascript'] });
  const obfuscated = Object.keys(record(info.obfuscated_names) ?? {});
  if (obfuscated.some((n) => /JavaScript|JS|OpenAction|AA|Launch|EmbeddedFile|URI/i.test(n))) hits.push({ rule: R['obfuscated-names'], evidence: obfuscated.join(' ') });
  if (hasJs) hits.push({ rule: R.javascript });
  if (num(info.embedded_file) > 0 || list(info.embedded_files).length > 0) hits.push({ rule: R['embedded-file'] });
  if (num(info.xfa) > 0) hits.push({ rule: R['xfa-form'] });
  if (!str(info.header) || Math.abs(num(info.num_obj) - num(info.num_endobj)) > 2) hits.push({ rule: R.malformed });
  return hits;
}

export function createAssayPdfEngine() {
  return createHeuristicEngine({
    manifest: {
      name: 'Assay-PDF',
      version: '1.0.0',
      description: 'heuristics over PDF documents: auto-run and exploit JavaScript, launch actions, embedded programs (pdf_info)',
      accepts: { kinds: ['file'], typeTags: ['pdf'] },
      timeoutMs: 20_000,
      needsNetwork: false,
    },
    prefix: 'Assay.PDF',
    rulesDate: ASSAY_PDF_RULES_DATE,
    async detect(input) {
      return detectPdf(input);
    },
  });
}
