/**
 * What a PDF does or carries, from every object (older incremental versions and objects no page
 * refers to included): JavaScript (/JS strings or streams, wherever the action sits: /OpenAction,
 * /AA, the /Names JavaScript tree, annotations, form fields), URIs of /URI and /SubmitForm actions,
 * /Launch targets, and /EmbeddedFile streams with the names their file specifications give them.
 */
import type { PdfDocument } from './pdf-document.js';
import { dictOf, nameOf, pdfText, type PdfDict, type PdfValue } from './pdf-values.js';

export interface PdfScript {
  /** The object the /JS entry sits in. */
  object: number;
  code: string;
  /** Cut at the per-script or total character bound. */
  truncated: boolean;
}

export interface EmbeddedFile {
  name: string;
  object: number;
  bytes: Buffer;
  /** False when decoding stopped early (a bound, an error, an encrypted file). */
  complete: boolean;
}

export interface PdfActions {
  scripts: PdfScript[];
  urls: string[];
  launchTargets: string[];
  embeddedFiles: EmbeddedFile[];
}

export function extractActions(doc: PdfDocument): PdfActions {
  const { limits } = doc.budget;
  const scripts: PdfScript[] = [];
  const seenCode = new Set<string>();
  let scriptChars = 0;
  const urls = new Set<string>();
  const launchTargets = new Set<string>();
  /** Embedded-file stream object number -> the name its file specification gives. */
  const fileNames = new Map<number, string>();

  const addScript = (object: number, code: string) => {
    if (seenCode.has(code)) return;
    seenCode.add(code);
    if (scripts.length >= limits.maxScripts || scriptChars >= limits.maxTotalScriptChars) {
      doc.budget.hit.add('scripts');
      return;
    }
    const room = Math.min(limits.maxScriptChars, limits.maxTotalScriptChars - scriptChars);
    const kept = code.length > room ? code.slice(0, room) : code;
    scriptChars += kept.length;
    scripts.push({ object, code: kept, truncated: kept.length < code.length });
  };
  const addTo = (set: Set<string>, text: string | undefined) => {
    if (!text) return;
    if (set.size >= limits.maxUrls) doc.budget.hit.add('urls');
    else set.add(text);
  };

  const visitDict = (object: number, d: PdfDict) => {
    const js = doc.resolve(d.get('JS'));
    if (js?.kind === 'str') addScript(object, pdfText(js.bytes));
    else if (js?.kind === 'stream') {
      const decoded = doc.decoded(js);
      if (decoded.data.length > 0) addScript(object, pdfText(decoded.data));
    }
    const action = nameOf(d.get('S'));
    if (action === 'URI') addTo(urls, textOf(doc, d.get('URI')));
    if (action === 'SubmitForm') addTo(urls, fileSpecName(doc, d.get('F')));
    if (action === 'Launch') {
      addTo(launchTargets, fileSpecName(doc, d.get('F')));
      const win = dictOf(doc.resolve(d.get('Win')));
      if (win) {
        const file = textOf(doc, win.get('F'));
        const params = textOf(doc, win.get('P'));
        addTo(launchTargets, file && params ? `${file} ${params}` : file);
      }
      for (const os of ['Unix', 'Mac']) addTo(launchTargets, fileSpecName(doc, d.get(os)));
    }
    const ef = dictOf(doc.resolve(d.get('EF')));
    if (ef) {
      const name = textOf(doc, d.get('UF')) ?? textOf(doc, d.get('F')) ?? textOf(doc, d.get('DOS')) ?? textOf(doc, d.get('Unix'));
      for (const v of ef.values()) if (v.kind === 'ref' && name && !fileNames.has(v.num)) fileNames.set(v.num, name);
    }
  };

  for (const object of doc.versions) {
    if (doc.budget.outOfTime()) break;
    const stack: PdfValue[] = [object.value];
    while (stack.length > 0) {
      const v = stack.pop()!;
      if (v.kind === 'array') for (const item of v.items) stack.push(item);
      else if (v.kind === 'dict' || v.kind === 'stream') {
        visitDict(object.num, v.entries);
        for (const child of v.entries.values()) if (child.kind === 'array' || child.kind === 'dict') stack.push(child);
      }
    }
  }

  const embeddedFiles: EmbeddedFile[] = [];
  for (const object of doc.objects.values()) {
    const v = object.value;
    if (v.kind !== 'stream' || nameOf(v.entries.get('Type')) !== 'EmbeddedFile') continue;
    if (embeddedFiles.length >= limits.maxEmbeddedFiles) {
      doc.budget.hit.add('embedded_files');
      break;
    }
    const decoded = doc.decoded(v);
    const bytes = decoded.data.length > limits.maxEmbeddedFileBytes ? decoded.data.subarray(0, limits.maxEmbeddedFileBytes) : decoded.data;
    embeddedFiles.push({
      name: safeName(fileNames.get(object.num)) ?? `embedded-${object.num}`,
      object: object.num,
      bytes,
      complete: decoded.complete && bytes.length === decoded.data.length,
    });
  }
  return { scripts, urls: [...urls], launchTargets: [...launchTargets], embeddedFiles };
}

function textOf(doc: PdfDocument, value: PdfValue | undefined): string | undefined {
  const v = doc.resolve(value);
  if (v?.kind === 'str') return pdfText(v.bytes).slice(0, 2048) || undefined;
  return undefined;
}

/** A file specification: a string, or a dictionary's /UF, /F, /Unix, /DOS or /Mac. */
function fileSpecName(doc: PdfDocument, value: PdfValue | undefined): string | undefined {
  const v = doc.resolve(value);
  if (v?.kind === 'str') return textOf(doc, v);
  const d = dictOf(v);
  if (!d) return undefined;
  for (const key of ['UF', 'F', 'Unix', 'DOS', 'Mac']) {
    const name = textOf(doc, d.get(key));
    if (name) return name;
  }
  return undefined;
}

/** The last path component, without control characters: a name for a child file, never a path. */
function safeName(name: string | undefined): string | undefined {
  const base = name?.split(/[\\/]/).pop()?.replace(/[\u0000-\u001f\u007f]/g, '').trim();
  return base && base !== '.' && base !== '..' ? base.slice(0, 255) : undefined;
}
