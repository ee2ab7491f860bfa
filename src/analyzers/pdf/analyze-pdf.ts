/**
 * One PDF in, VirusTotal's `pdf_info` (pdfid's keyword counts plus the page count), our additions
 * to it (extracted JavaScript, URIs, launch targets, embedded files, obfuscated names, findings),
 * VT-style tags, and the embedded files as candidate children. Pure and synchronous: the analyzer
 * runs it in a worker thread.
 */
import { createHash } from 'node:crypto';
import { extractActions } from './pdf-actions.js';
import { PdfDocument } from './pdf-document.js';
import { Budget, DEFAULT_PDF_LIMITS, type PdfLimits } from './pdf-limits.js';
import { catalog, countPages } from './pdf-pages.js';
import { dictOf, nameOf } from './pdf-values.js';
import { countKeywords, emptyCounts, PDFID_KEYWORDS } from './pdfid-keywords.js';

export interface PdfReport {
  /** The `pdf_info` attribute. */
  pdfInfo: Record<string, unknown>;
  tags: string[];
  /** Embedded files, for the pipeline to store and analyse as children. */
  embeddedFiles: Array<{ name: string; bytes: Buffer }>;
}

export function analyzePdf(buf: Buffer, limits: PdfLimits = DEFAULT_PDF_LIMITS): PdfReport {
  const budget = new Budget(limits);
  const counts = emptyCounts();
  countKeywords(buf, counts);
  const doc = PdfDocument.parse(buf, budget);
  // Names inside object streams are invisible to pdfid (and so to VirusTotal); they count here.
  for (const data of doc.objectStreamData) countKeywords(data, counts, true);
  const actions = extractActions(doc);
  const numPages = countPages(doc);
  const t = counts.total;
  const autoOpen = opensWithAction(doc);

  const obfuscated = Object.fromEntries(PDFID_KEYWORDS.filter((k) => counts.obfuscated[k] > 0).map((k) => [k, counts.obfuscated[k]]));
  const findings = [...doc.notes];
  if (Object.keys(obfuscated).length > 0) findings.push(`names obfuscated with #xx escapes: ${Object.keys(obfuscated).join(' ')}`);
  if (doc.encrypted) findings.push('encrypted: strings and streams were not decrypted');
  if (!doc.header) findings.push('no %PDF- header in the first 1024 bytes');

  const pdfInfo: Record<string, unknown> = {
    // VirusTotal's fields.
    header: doc.header ?? '',
    num_obj: t.obj,
    num_endobj: t.endobj,
    num_stream: t.stream,
    num_endstream: t.endstream,
    xref: t.xref,
    trailer: t.trailer,
    startxref: t.startxref,
    num_pages: numPages ?? 0,
    encrypted: t['/Encrypt'],
    num_object_streams: t['/ObjStm'],
    js: t['/JS'],
    javascript: t['/JavaScript'],
    autoaction: t['/AA'],
    openaction: t['/OpenAction'],
    acroform: t['/AcroForm'],
    jbig2_compression: t['/JBIG2Decode'],
    flash: t['/RichMedia'],
    num_launch_actions: t['/Launch'],
    embedded_file: t['/EmbeddedFile'],
    suspicious_colors: counts.suspiciousColors,
    // Ours: VirusTotal does not report these.
    xfa: t['/XFA'],
    uri: t['/URI'],
    obfuscated_names: obfuscated,
    javascript_code: actions.scripts.map((s) => ({ object: s.object, code: s.code, ...(s.truncated ? { truncated: true } : {}) })),
    urls: actions.urls,
    launch_targets: actions.launchTargets,
    embedded_files: actions.embeddedFiles.map((f) => ({
      name: f.name,
      size: f.bytes.length,
      sha256: createHash('sha256').update(f.bytes).digest('hex'),
      ...(f.complete ? {} : { complete: false }),
    })),
    findings,
    limits_hit: [...budget.hit].sort(),
  };

  const tags: string[] = [];
  if (t['/JS'] > 0 || t['/JavaScript'] > 0 || actions.scripts.length > 0) tags.push('js-embedded');
  if (t['/AA'] > 0 || autoOpen) tags.push('autoaction');
  if (t['/Launch'] > 0) tags.push('launch-action');
  if (t['/AcroForm'] > 0) tags.push('acroform');
  if (t['/EmbeddedFile'] > 0 || actions.embeddedFiles.length > 0) tags.push('file-embedded');
  if (doc.encrypted || t['/Encrypt'] > 0) tags.push('encrypted');
  if (t['/XFA'] > 0) tags.push('xfa');
  if (t['/RichMedia'] > 0) tags.push('flash-embedded');

  return { pdfInfo, tags, embeddedFiles: actions.embeddedFiles.map((f) => ({ name: f.name, bytes: f.bytes })) };
}

/**
 * Whether the catalog's /OpenAction is an action rather than a page to show: most documents open
 * at a page (a destination array, or a GoTo), which is not worth a tag.
 */
function opensWithAction(doc: PdfDocument): boolean {
  const action = dictOf(doc.resolve(catalog(doc)?.get('OpenAction')));
  const type = nameOf(action?.get('S'));
  return type !== undefined && type !== 'GoTo';
}
