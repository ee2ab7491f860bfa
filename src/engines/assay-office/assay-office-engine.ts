/** Assay-Office: heuristic verdicts on Office and RTF documents from office_info / openxml_info and RTF control words. */
import type { FileInput } from '../../core/plugin.js';
import { createHeuristicEngine, list, record, str } from '../heuristics/heuristic-engine.js';
import { readHead } from '../heuristics/file-text.js';
import type { Hit } from '../heuristics/signal.js';
import { OFFICE_RULES as R } from './office-signals.js';

export const ASSAY_OFFICE_RULES_DATE = '20261207';
export const OFFICE_ENGINE_TYPE_TAGS = ['doc', 'docx', 'xls', 'xlsx', 'ppt', 'pptx', 'rtf', 'outlook'];

const PAYLOAD_NAME = /\.(?:exe|scr|com|pif|dll|cpl|js|jse|vbs|vbe|wsf|wsh|hta|ps1|bat|cmd|lnk|jar|msi)$/i;
/** Equation Editor 3.0's CLSID and ProgID. */
const EQUATION = /0002ce02-0000-0000-c000-000000000046|equation\.3|\\objclass\s*equation/i;

function officeHits(info: Record<string, unknown>, hits: Hit[]): void {
  const ole = record(info.ole) ?? {};
  const macros = list(ole.macros).map((m) => record(m) ?? {});
  const keywords = macros.flatMap((m) => list(m.keywords).map((k) => record(k) ?? {}));
  const properties = new Set(macros.flatMap((m) => list(m.properties).map(str)));
  const autoExec = list(ole.auto_exec).length > 0 || keywords.some((k) => str(k.type) === 'AutoExec') || properties.has('auto-open') || properties.has('auto-close');
  const suspicious = keywords.filter((k) => str(k.type) === 'Suspicious').map((k) => str(k.keyword).toLowerCase());
  const runs = suspicious.some((k) => /^(shell|wscript\.shell|shellexecute|run|exec|createobject|powershell|cmd|createprocess|winexec|urldownloadtofile|xmlhttp|msxml2\.xmlhttp|adodb\.stream|savetofile|callbyname|macscript|createtextfile|open|write|put|binary|kill|environ|call)$/.test(k)) || ['run-file', 'download', 'create-ole', 'mshta', 'certutil', 'bitsadmin', 'schtasks'].some((p) => properties.has(p));
  const downloads = properties.has('download') || suspicious.some((k) => /xmlhttp|urldownloadtofile|winhttp|adodb\.stream|downloadfile|downloadstring|responsebody|savetofile/.test(k)) || macros.some((m) => list(m.patterns).includes('url-pattern'));
  if (macros.length > 0) hits.push({ rule: R.macros });
  if (autoExec && (downloads || (runs && suspicious.length >= 2))) hits.push({ rule: R['macro-downloader'], evidence: suspicious.slice(0, 6).join(' ') });
  if (autoExec) hits.push({ rule: R['auto-exec-macro'] });
  if (runs) hits.push({ rule: R['macro-shell'], evidence: suspicious.slice(0, 6).join(' ') });
  if (properties.has('obfuscated') || properties.has('hex') || keywords.some((k) => /Hex String|Base64 String/.test(str(k.type))) || suspicious.some((k) => /^(chr|chrw|chrb|strreverse)$/.test(k))) hits.push({ rule: R['macro-obfuscation'] });
  const xlm = record(info.xlm_macros);
  if (xlm && list(xlm.macro_sheets).length > 0) {
    const names = JSON.stringify(info).toLowerCase();
    if (/auto_open|auto_close|workbook_open/.test(names)) hits.push({ rule: R['xlm-auto-open'] });
    hits.push({ rule: R['xlm-macro-sheet'] });
  }
  if (list(info.remote_template).length > 0) hits.push({ rule: R['remote-template'], evidence: str(list(info.remote_template)[0]) });
  const dde = list(info.dde_links).map((d) => JSON.stringify(d));
  if (dde.some((d) => /cmd|powershell|mshta|rundll|regsvr|\.exe|\\\\/i.test(d))) hits.push({ rule: R['dde-command'], evidence: dde[0] });
  for (const o of list(info.embedded_objects).map((e) => record(e) ?? {})) {
    const name = `${str(o.filename)} ${str(o.name)} ${str(o.source_path)}`.trim();
    if (PAYLOAD_NAME.test(str(o.filename)) || PAYLOAD_NAME.test(str(o.source_path))) hits.push({ rule: R['embedded-executable'], evidence: name });
  }
  for (const r of list(info.external_relationships).map((e) => record(e) ?? {})) {
    if (/oleObject/i.test(str(r.type)) && /^(?:https?|file|mhtml|ms-msdt):/i.test(str(r.target))) hits.push({ rule: R['external-ole-link'], evidence: str(r.target) });
  }
  const entries = list(info.entries).map((e) => record(e) ?? {});
  if (entries.some((e) => EQUATION.test(str(e.clsid)) || /equation/i.test(str(e.clsid_literal)))) hits.push({ rule: R['equation-editor-exploit'] });
  if (info.encrypted === true) hits.push({ rule: R['encrypted-document'] });
}

/** RTF is read directly: no analyzer parses it, and the tell-tale control words are plain text. */
function rtfHits(head: Buffer, hits: Hit[]): void {
  const text = head.toString('latin1');
  if (!text.startsWith('{\\rtf1') && text.startsWith('{\\rt')) hits.push({ rule: R['rtf-obfuscation'], evidence: text.slice(0, 12) });
  const hasObject = /\\objdata\b|\\object\b/i.test(text);
  if (hasObject && EQUATION.test(text.replace(/\\'[0-9a-f]{2}|[\r\n]/gi, ''))) hits.push({ rule: R['equation-editor-exploit'] });
  // Equation Editor's class name hex-encoded inside \objdata ("Equation.3" = 4571756174696f6e2e33).
  if (hasObject && /4571756174696f6e2e33|02ce020000000000c000000000000046/i.test(text.replace(/[^0-9a-f]/gi, ''))) hits.push({ rule: R['equation-editor-exploit'] });
  if (hasObject && /\\objupdate|\\objautlink|\\objlink/i.test(text)) hits.push({ rule: R['rtf-object'] });
  // Control words split by junk ({\*\...} groups, whitespace inside hex) are how exploit kits hide objects.
  if (hasObject && /\\objdata[^}]{0,200}\{\\\*|\\bin0{3,}|\\objdata[\s\S]{0,40}[^0-9a-fA-F\s\\{}]/.test(text)) hits.push({ rule: R['rtf-obfuscation'] });
  if (/0105000002000000|d0cf11e0a1b11ae1/i.test(text.replace(/[\s\r\n]/g, '')) && /\.(?:exe|scr|hta|vbs|js|bat|lnk)\b/i.test(Buffer.from(text.replace(/[^0-9a-fA-F]/g, '').slice(0, 400_000), 'hex').toString('latin1'))) hits.push({ rule: R['embedded-executable'] });
}

export function createAssayOfficeEngine() {
  return createHeuristicEngine({
    manifest: {
      name: 'Assay-Office',
      version: '1.0.0',
      description: 'heuristics over Office and RTF documents: auto-run macros, downloaders, DDE, XLM, template injection, Equation Editor exploits (office_info, openxml_info)',
      accepts: { kinds: ['file'], typeTags: OFFICE_ENGINE_TYPE_TAGS },
      timeoutMs: 30_000,
      needsNetwork: false,
    },
    prefix: 'Assay.Office',
    rulesDate: ASSAY_OFFICE_RULES_DATE,
    async detect(input: FileInput, signal) {
      const hits: Hit[] = [];
      const attrs = input.attributes ?? {};
      const info = record(attrs.office_info) ?? record(attrs.openxml_info);
      if (info) officeHits(info, hits);
      if (input.typeTag === 'rtf') {
        rtfHits(await readHead(input.path, 8 * 1024 * 1024), hits);
        signal.throwIfAborted();
      }
      return hits;
    },
  });
}
