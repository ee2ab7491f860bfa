/**
 * VT's `openxml_info` for OOXML packages (.docx/.docm/.xlsx/.xlsm/.pptx/...): content types,
 * docProps, relationships (external targets and remote templates called out), the VBA project
 * (`vbaProject.bin`) with findings, DDE fields, Excel 4.0 macro sheets and embedded objects.
 */
import { createHash } from 'node:crypto';
import { ddeFieldsInXml } from './dde-fields.js';
import { autoExecOf, macrosOf, type MacroEntry } from './macro-report.js';
import { parseOle10Native } from './ole10-native.js';
import { isOle, OleFile } from './ole-reader.js';
import type { OoxmlPackage, ZipPart } from './ooxml-package.js';
import { tagsFromMacros, type MacroFindings } from './vba-keywords.js';
import type { VbaLimits } from './vba-project.js';
import { leafTexts, localName, walkXml } from './xml-events.js';
import type { EmbeddedObject } from './office-info.js';

const MAX_RELS_PARTS = 2000;
const MAX_RELS = 5000;
const MAX_EMBEDDED = 200;

interface Relationship {
  source: string;
  id: string;
  type: string;
  target: string;
  external: boolean;
}

/** Main part content type (without `.main+xml`) to VT's file_type and the application. */
const MAIN_TYPES: Array<[string, string, string]> = [
  ['application/vnd.openxmlformats-officedocument.wordprocessingml.document', 'docx', 'Word'],
  ['application/vnd.ms-word.document.macroenabled', 'docm', 'Word'],
  ['application/vnd.openxmlformats-officedocument.wordprocessingml.template', 'dotx', 'Word'],
  ['application/vnd.ms-word.template.macroenabledtemplate', 'dotm', 'Word'],
  ['application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', 'xlsx', 'Excel'],
  ['application/vnd.ms-excel.sheet.macroenabled', 'xlsm', 'Excel'],
  ['application/vnd.ms-excel.sheet.binary.macroenabled', 'xlsb', 'Excel'],
  ['application/vnd.openxmlformats-officedocument.spreadsheetml.template', 'xltx', 'Excel'],
  ['application/vnd.ms-excel.template.macroenabled', 'xltm', 'Excel'],
  ['application/vnd.ms-excel.addin.macroenabled', 'xlam', 'Excel'],
  ['application/vnd.openxmlformats-officedocument.presentationml.presentation', 'pptx', 'PowerPoint'],
  ['application/vnd.ms-powerpoint.presentation.macroenabled', 'pptm', 'PowerPoint'],
  ['application/vnd.openxmlformats-officedocument.presentationml.slideshow', 'ppsx', 'PowerPoint'],
  ['application/vnd.ms-powerpoint.slideshow.macroenabled', 'ppsm', 'PowerPoint'],
  ['application/vnd.openxmlformats-officedocument.presentationml.template', 'potx', 'PowerPoint'],
  ['application/vnd.ms-powerpoint.template.macroenabled', 'potm', 'PowerPoint'],
  ['application/vnd.ms-powerpoint.addin.macroenabled', 'ppam', 'PowerPoint'],
];

export interface OpenxmlInfoResult {
  info: Record<string, unknown>;
  tags: string[];
  /** Embedded parts and OLE Package payloads, for the unpacker. */
  children: Array<{ name: string; bytes: Buffer }>;
}

export async function openxmlInfo(pkg: OoxmlPackage, limits: VbaLimits): Promise<OpenxmlInfoResult> {
  const info: Record<string, unknown> = {};
  const tags = new Set<string>();
  const warnings: string[] = [];
  const children: Array<{ name: string; bytes: Buffer }> = [];

  // [Content_Types].xml: Default (by extension) and Override (by part) content types.
  const overrides = new Map<string, string>();
  const defaults = new Map<string, string>();
  const ctXml = await pkg.readText('[Content_Types].xml');
  if (ctXml) {
    walkXml(ctXml, {
      open(name, a) {
        const local = localName(name);
        if (local === 'Override' && a.PartName && a.ContentType) overrides.set(a.PartName.replace(/^\//, '').toLowerCase(), a.ContentType);
        if (local === 'Default' && a.Extension && a.ContentType) defaults.set(a.Extension.toLowerCase(), a.ContentType);
      },
    });
  }
  info.content_types = [...new Set([...defaults.values(), ...overrides.values()])];

  const rels = await relationships(pkg);
  info.rels = [...new Set(rels.map((r) => r.type))];
  const mainPart = rels.find((r) => r.source === '' && r.type.endsWith('/officeDocument'))?.target.replace(/^\//, '');
  const mainType = mainPart ? (overrides.get(mainPart.toLowerCase()) ?? '').toLowerCase().replace(/\.main\+xml$/, '') : '';
  const known = MAIN_TYPES.find(([ct]) => ct === mainType);
  info.file_type = known?.[1] ?? (mainPart ? 'unknown' : 'not-ooxml');
  info.type_of_document = known?.[2] ?? 'Unknown';

  const core = await pkg.readText('docProps/core.xml');
  if (core) info.docprops_core = leafTexts(core);
  const app = await pkg.readText('docProps/app.xml');
  if (app) info.docprops_app = leafTexts(app);

  const external = rels.filter((r) => r.external);
  if (external.length > 0) {
    info.external_relationships = external.slice(0, 500).map((r) => ({ source: r.source, id: r.id, type: shortType(r.type), target: r.target }));
    const templates = external.filter((r) => shortType(r.type) === 'attachedTemplate');
    if (templates.length > 0) info.remote_template = templates.map((r) => r.target);
  }

  // VBA projects (Word, Excel and PowerPoint keep them in a vbaProject.bin part).
  const macroEntries: MacroEntry[] = [];
  const findings: MacroFindings[] = [];
  const budget = { bytes: limits.maxTotalBytes };
  for (const part of pkg.parts.filter((p) => /(^|\/)vbaProject\.bin$/i.test(p.name))) {
    const ole = await readOle(pkg, part);
    if (!ole) continue;
    const got = macrosOf(ole, limits, budget, warnings, part.name);
    macroEntries.push(...got.entries);
    findings.push(...got.findings);
    warnings.push(...ole.warnings.map((w) => `${part.name}: ${w}`));
  }
  info.ole = { macros: macroEntries, num_macros: macroEntries.length, ...(macroEntries.length > 0 ? { auto_exec: autoExecOf(macroEntries) } : {}) };
  for (const t of tagsFromMacros(findings)) tags.add(t);

  // DDE fields in the Word body, headers, footers and notes; DDE links of Excel external links.
  const dde: string[] = [];
  for (const part of pkg.parts.filter((p) => /^word\/(document|header\d*|footer\d*|footnotes|endnotes|comments)\.xml$/i.test(p.name))) {
    const xml = (await pkg.read(part))?.toString('utf8');
    if (xml) dde.push(...ddeFieldsInXml(xml));
  }
  for (const part of pkg.parts.filter((p) => /^xl\/externalLinks\/[^/]+\.xml$/i.test(p.name)).slice(0, 100)) {
    const xml = (await pkg.read(part))?.toString('utf8');
    if (!xml) continue;
    walkXml(xml, {
      open(name, a) {
        if (localName(name) === 'ddeLink') dde.push(`DDE ${a.ddeService ?? ''} ${a.ddeTopic ?? ''}`.trim());
      },
    });
  }
  if (dde.length > 0) info.dde_links = dde.slice(0, 100);

  // Excel 4.0 macro sheets.
  const macroSheets = pkg.parts.filter((p) => /^xl\/(macrosheets|intlMacrosheets)\//i.test(p.name) || /macrosheet/i.test(overrides.get(p.name.toLowerCase()) ?? ''));
  if (macroSheets.length > 0) {
    info.xlm_macros = { macro_sheets: macroSheets.map((p) => p.name) };
    tags.add('macros');
  }
  const workbook = await pkg.readText('xl/workbook.xml');
  if (workbook) {
    const sheets: Array<{ name: string; state: string }> = [];
    const book: Record<string, unknown> = {};
    walkXml(workbook, {
      open(name, a) {
        const local = localName(name);
        if (local === 'sheet' && sheets.length < 1000) sheets.push({ name: a.name ?? '', state: a.state ?? 'visible' });
        if (local === 'fileVersion') for (const key of ['lastEdited', 'lowestEdited', 'rupBuild']) if (a[key]) book[key] = a[key];
        if (local === 'calcPr' && a.calcId) book.calcPr = a.calcId;
      },
    });
    info.type_content = { workbook: { sheets: sheets.length, ...book }, sheets };
  } else {
    // Word and PowerPoint: the languages text is marked with, counted as VT reports them.
    const languagePart = /^(word\/(document|styles)\.xml|ppt\/slides\/slide\d+\.xml)$/i;
    const languages: Record<string, number> = {};
    for (const part of pkg.parts.filter((p) => languagePart.test(p.name)).slice(0, 500)) {
      const xml = (await pkg.read(part))?.toString('utf8');
      if (xml) countLanguages(xml, languages);
    }
    if (Object.keys(languages).length > 0) info.type_content = { languages };
  }

  // Embedded objects and ActiveX binaries.
  const embedded: EmbeddedObject[] = [];
  for (const part of pkg.parts.filter((p) => /\/(embeddings|activeX)\/[^/]+$/i.test(p.name)).slice(0, MAX_EMBEDDED)) {
    const bytes = await pkg.read(part);
    if (!bytes) continue;
    embedded.push({ name: part.name, size: bytes.length, sha256: sha256(bytes) });
    children.push({ name: part.name, bytes });
    if (!isOle(bytes)) continue;
    try {
      const ole = new OleFile(bytes);
      const native = ole.find('\x01Ole10Native');
      const parsed = native ? parseOle10Native(ole.read(native)) : undefined;
      if (parsed) {
        embedded.push({ name: `${part.name}/\x01Ole10Native`, size: parsed.payload.length, sha256: sha256(parsed.payload), filename: parsed.filename, source_path: parsed.sourcePath, temp_path: parsed.tempPath });
        children.push({ name: parsed.filename || `${part.name}.payload`, bytes: parsed.payload });
      }
    } catch (err) {
      warnings.push(`${part.name}: ${(err as Error).message}`);
    }
  }
  if (embedded.length > 0) info.embedded_objects = embedded;

  const allWarnings = [...pkg.warnings, ...warnings];
  if (allWarnings.length > 0) info.warnings = allWarnings.slice(0, 50);
  info.tags = [...tags].sort();
  return { info, tags: [...tags].sort(), children };
}

async function readOle(pkg: OoxmlPackage, part: ZipPart): Promise<OleFile | undefined> {
  const bytes = await pkg.read(part);
  if (!bytes || !isOle(bytes)) return undefined;
  try {
    return new OleFile(bytes);
  } catch {
    return undefined;
  }
}

/** Every relationship of every `.rels` part; `source` is the part the rels file describes ('' for the package). */
async function relationships(pkg: OoxmlPackage): Promise<Relationship[]> {
  const out: Relationship[] = [];
  for (const part of pkg.parts.filter((p) => /(^|\/)_rels\/[^/]*\.rels$/i.test(p.name)).slice(0, MAX_RELS_PARTS)) {
    if (out.length >= MAX_RELS) break;
    const xml = (await pkg.read(part))?.toString('utf8');
    if (!xml) continue;
    const source = part.name.replace(/(^|\/)_rels\/([^/]*)\.rels$/i, '$1$2');
    walkXml(xml, {
      open(name, a) {
        if (localName(name) !== 'Relationship' || out.length >= MAX_RELS) return;
        const external = (a.TargetMode ?? '').toLowerCase() === 'external';
        out.push({ source, id: a.Id ?? '', type: a.Type ?? '', target: external ? (a.Target ?? '') : resolveTarget(source, a.Target ?? ''), external });
      },
    });
  }
  return out;
}

/** Counts language tags: Word's `w:lang` (val, eastAsia, bidi) and DrawingML's `lang` attributes. */
function countLanguages(xml: string, counts: Record<string, number>): void {
  const add = (tag: string | undefined) => {
    if (!tag || !/^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$/.test(tag)) return;
    const key = tag.toLowerCase();
    if (counts[key] === undefined && Object.keys(counts).length >= 100) return;
    counts[key] = (counts[key] ?? 0) + 1;
  };
  walkXml(xml, {
    open(name, a) {
      if (localName(name) === 'lang') {
        add(a['w:val']);
        add(a['w:eastAsia']);
        add(a['w:bidi']);
      } else if (a.lang) add(a.lang);
    },
  });
}

/** An internal target resolved against the folder of its source part (OPC part names). */
function resolveTarget(source: string, target: string): string {
  if (target.startsWith('/')) return target.slice(1);
  const base = source.includes('/') ? source.slice(0, source.lastIndexOf('/') + 1) : '';
  const parts: string[] = [];
  for (const seg of `${base}${target}`.split('/')) {
    if (seg === '..') parts.pop();
    else if (seg !== '.' && seg !== '') parts.push(seg);
  }
  return parts.join('/');
}

function shortType(type: string): string {
  return type.slice(type.lastIndexOf('/') + 1);
}

function sha256(b: Buffer): string {
  return createHash('sha256').update(b).digest('hex');
}
