/**
 * VT's `office_info` for OLE compound files (.doc, .xls, .ppt, .msg, ...): summary properties,
 * directory entries, VBA macros with findings, DDE fields, Excel 4.0 macro sheets and embedded
 * objects; plus the document tags (`macros`, `auto-open`, ...).
 */
import { createHash } from 'node:crypto';
import { readBiffSheets } from './biff-sheets.js';
import { ddeFieldsInWordBinary } from './dde-fields.js';
import { autoExecOf, macrosOf } from './macro-report.js';
import { parseOle10Native } from './ole10-native.js';
import { compressedOleObjects } from './ppt-vba.js';
import type { OleEntry, OleFile } from './ole-reader.js';
import { embeddedStorages, storageAsFile } from './embedded-storage.js';
import { documentSummaryInfo, readPropertySet, summaryInfo } from './property-set.js';
import { tagsFromMacros } from './vba-keywords.js';
import type { VbaLimits } from './vba-project.js';

const MAX_LISTED_ENTRIES = 2000;
const MAX_EMBEDDED = 200;

/** Well-known CLSIDs, for VT's `clsid_literal`. */
const CLSIDS: Record<string, string> = {
  '00020906-0000-0000-c000-000000000046': 'Microsoft Word 97-2003 Document',
  '00020900-0000-0000-c000-000000000046': 'Microsoft Word 6.0-7.0 Document',
  '00020820-0000-0000-c000-000000000046': 'Microsoft Excel 97-2003 Worksheet',
  '00020810-0000-0000-c000-000000000046': 'Microsoft Excel 5.0/95 Worksheet',
  '64818d10-4f9b-11cf-86ea-00aa00b929e8': 'Microsoft PowerPoint 97-2003 Presentation',
  '0003000c-0000-0000-c000-000000000046': 'OLE Package Object',
  '0002ce02-0000-0000-c000-000000000046': 'Microsoft Equation 3.0',
  '00000300-0000-0000-c000-000000000046': 'OLE 1.0 Object (StdOleLink)',
  '00000319-0000-0000-c000-000000000046': 'Enhanced Metafile',
  '000c1084-0000-0000-c000-000000000046': 'MSI Installer Package',
  'f20da720-c02f-11ce-927b-0800095ae340': 'OLE Package Object (Packager)',
  'd27cdb6e-ae6d-11cf-96b8-444553540000': 'Shockwave Flash Object',
};

export interface EmbeddedObject {
  name: string;
  size: number;
  sha256: string;
  /** Set for an embedded document kept as a storage (its bytes are the storage rewritten as a file). */
  clsid?: string;
  clsid_literal?: string;
  /** From an OLE Package (`\x01Ole10Native`): the embedded file's own name and paths. */
  filename?: string;
  source_path?: string;
  temp_path?: string;
}

export interface OfficeInfoResult {
  info: Record<string, unknown>;
  tags: string[];
}

export function officeInfo(ole: OleFile, limits: VbaLimits): OfficeInfoResult {
  const warnings: string[] = [];
  const info: Record<string, unknown> = {};
  const tags = new Set<string>();

  const summary = ole.find('\x05SummaryInformation');
  if (summary) info.summary_info = summaryInfo(readPropertySet(ole.read(summary)));
  const docSummary = ole.find('\x05DocumentSummaryInformation');
  if (docSummary) info.document_summary_info = documentSummaryInfo(readPropertySet(ole.read(docSummary)));

  info.entries = ole.entries.slice(0, MAX_LISTED_ENTRIES).map((e) => ({
    sid: e.sid,
    name: e.name,
    type_literal: e.kind,
    size: e.kind === 'storage' ? 0 : e.size,
    clsid: e.clsid,
    clsid_literal: CLSIDS[e.clsid] ?? '',
  }));
  info.document_type = documentType(ole);

  const budget = { bytes: limits.maxTotalBytes };
  const { entries, findings } = macrosOf(ole, limits, budget, warnings);
  // PowerPoint 97-2003 keeps its VBA project as a compressed compound file inside the document stream.
  const pptStream = ole.find('PowerPoint Document');
  if (pptStream) {
    for (const inner of compressedOleObjects(ole.read(pptStream), limits.maxTotalBytes)) {
      const got = macrosOf(inner, limits, budget, warnings, 'PowerPoint Document');
      entries.push(...got.entries);
      findings.push(...got.findings);
    }
  }
  info.ole = { macros: entries, num_macros: entries.length, ...(entries.length > 0 ? { auto_exec: autoExecOf(entries) } : {}) };
  for (const t of tagsFromMacros(findings)) tags.add(t);

  const word = ole.find('WordDocument');
  if (word) {
    const dde = ddeFieldsInWordBinary(ole.read(word));
    if (dde.length > 0) info.dde_links = dde;
  }

  const workbook = ole.find('Workbook') ?? ole.find('Book');
  if (workbook) {
    const { sheets, encrypted } = readBiffSheets(ole.read(workbook));
    if (sheets.length > 0) info.excel_sheets = sheets;
    const xlm = sheets.filter((s) => s.type === 'macrosheet');
    if (xlm.length > 0) {
      info.xlm_macros = { macro_sheets: xlm.map((s) => s.name) };
      tags.add('macros');
    }
    if (encrypted) info.encrypted = true;
  }
  if (ole.find('EncryptionInfo') && ole.find('EncryptedPackage')) info.encrypted = true;

  const embedded = embeddedObjects(ole);
  if (embedded.length > 0) info.embedded_objects = embedded.map((o) => o.meta);

  const allWarnings = [...ole.warnings, ...warnings];
  if (allWarnings.length > 0) info.warnings = allWarnings.slice(0, 50);
  info.tags = [...tags].sort();
  return { info, tags: [...tags].sort() };
}

function documentType(ole: OleFile): string {
  if (ole.find('WordDocument')) return 'doc';
  if (ole.find('Workbook') || ole.find('Book')) return 'xls';
  if (ole.find('PowerPoint Document')) return 'ppt';
  if (ole.entries.some((e) => e.name.startsWith('__substg1.0_'))) return 'msg';
  if (ole.find('EncryptedPackage')) return 'encrypted-ooxml';
  if (ole.find('VBA/dir')) return 'vbaproject';
  return 'ole';
}

/**
 * Embedded objects: OLE Package payloads (`\x01Ole10Native`), `Package` streams (embedded OOXML)
 * and `CONTENTS` streams, anywhere in the tree; and embedded documents kept as storages (ObjectPool
 * in Word, MBD storages in Excel), rewritten as files.
 */
export function embeddedObjects(ole: OleFile): Array<{ meta: EmbeddedObject; bytes: Buffer }> {
  const out: Array<{ meta: EmbeddedObject; bytes: Buffer }> = [];
  for (const e of ole.entries) {
    if (out.length >= MAX_EMBEDDED) break;
    if (e.kind !== 'stream') continue;
    const name = e.name.toLowerCase();
    if (name === '\x01ole10native') {
      const parsed = parseOle10Native(ole.read(e));
      if (!parsed) continue;
      out.push({
        meta: { name: e.path, size: parsed.payload.length, sha256: sha256(parsed.payload), filename: parsed.filename, source_path: parsed.sourcePath, temp_path: parsed.tempPath },
        bytes: parsed.payload,
      });
    } else if ((name === 'package' || name === 'contents') && isEmbeddingStorage(e)) {
      const bytes = ole.read(e);
      out.push({ meta: { name: e.path, size: bytes.length, sha256: sha256(bytes) }, bytes });
    }
  }
  for (const storage of embeddedStorages(ole)) {
    if (out.length >= MAX_EMBEDDED) break;
    let bytes: Buffer | undefined;
    try {
      bytes = storageAsFile(ole, storage);
    } catch (err) {
      // A damaged directory can give names cfb's writer refuses; the object is then left out.
      ole.warnings.push(`${storage.path}: not rewritten as a file (${(err as Error).message})`);
    }
    if (!bytes) continue;
    out.push({ meta: { name: storage.path, size: bytes.length, sha256: sha256(bytes), clsid: storage.clsid, clsid_literal: CLSIDS[storage.clsid] ?? '' }, bytes });
  }
  return out;
}

/** `Package`/`CONTENTS` at the root are the document itself (e.g. a CONTENTS-based format), not an embedding. */
function isEmbeddingStorage(e: OleEntry): boolean {
  return e.path.includes('/');
}

function sha256(b: Buffer): string {
  return createHash('sha256').update(b).digest('hex');
}
