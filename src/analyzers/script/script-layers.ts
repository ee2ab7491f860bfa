/**
 * De-obfuscation of scripts into decoded layers: base64 (and PowerShell -EncodedCommand, UTF-16LE),
 * gzip/deflate inside base64, char-code arrays, literal concatenation, \x / \u / % escapes, long hex
 * strings and reversed literals, applied again to each result up to a bounded depth.
 */
// Every regex here is a run of one character class with a bounded length, or literals: none can
// backtrack more than its bound at a position. Sizes, depth, layer count and time are all capped.
import { gunzipSync, inflateRawSync, inflateSync } from 'node:zlib';

export interface DecodedLayer {
  /** 1 for what was decoded from the file's text, 2 for what was decoded from that, ... */
  depth: number;
  /** What undid this layer, e.g. `base64`, `powershell-encodedcommand`, `base64+gzip`, `char-codes+concatenation`. */
  encoding: string;
  text: string;
  /** Index of the layer this one came from, or -1 for the file itself. */
  parent: number;
}

export interface LayerLimits {
  maxDepth: number;
  maxLayers: number;
  /** Longest layer kept (characters); longer decoded text is cut. */
  maxLayerChars: number;
  /** All layers together. */
  maxTotalChars: number;
  /** Largest inflated payload. */
  maxInflateBytes: number;
  /** Candidates (base64 runs, escape runs...) examined per layer. */
  maxCandidatesPerLayer: number;
  /** Time budget for one script (a bound, not a target: checked between steps). */
  maxMillis: number;
}

export const DEFAULT_LAYER_LIMITS: LayerLimits = {
  maxDepth: 8,
  maxLayers: 64,
  maxLayerChars: 1024 * 1024,
  maxTotalChars: 8 * 1024 * 1024,
  maxInflateBytes: 4 * 1024 * 1024,
  maxCandidatesPerLayer: 256,
  maxMillis: 3000,
};

const MIN_PAYLOAD_CHARS = 8;

/** Decoded layers of `text`, breadth first; the file's own text is not among them. */
export function decodedLayers(text: string, limits: LayerLimits = DEFAULT_LAYER_LIMITS): DecodedLayer[] {
  const deadline = performance.now() + limits.maxMillis;
  const layers: DecodedLayer[] = [];
  const seen = new Set<string>([fingerprint(text)]);
  let total = 0;
  const queue: Array<{ text: string; depth: number; index: number }> = [{ text, depth: 0, index: -1 }];
  while (queue.length > 0) {
    const current = queue.shift()!;
    if (current.depth >= limits.maxDepth) continue;
    for (const found of decodeOnce(current.text, limits)) {
      if (layers.length >= limits.maxLayers || total >= limits.maxTotalChars || performance.now() > deadline) return layers;
      const cut = found.text.slice(0, Math.min(limits.maxLayerChars, limits.maxTotalChars - total));
      const key = fingerprint(cut);
      if (seen.has(key)) continue;
      seen.add(key);
      total += cut.length;
      const layer: DecodedLayer = { depth: current.depth + 1, encoding: found.encoding, text: cut, parent: current.index };
      layers.push(layer);
      queue.push({ text: cut, depth: layer.depth, index: layers.length - 1 });
    }
  }
  return layers;
}

function fingerprint(text: string): string {
  return `${text.length}:${text.slice(0, 256)}:${text.slice(-256)}`;
}

interface Found {
  text: string;
  encoding: string;
}

/** One step: the whole text with inline encodings undone, or else the payloads extracted from it. */
function decodeOnce(text: string, limits: LayerLimits): Found[] {
  // A rewritten text is a layer of its own; its payloads (base64 pieces whole only once joined)
  // are found when that layer is decoded in turn, one level deeper.
  const rewritten = rewriteInline(text, limits);
  if (rewritten.steps.length > 0 && rewritten.text !== text) return [{ text: rewritten.text, encoding: rewritten.steps.join('+') }];
  return extractPayloads(text, limits);
}

// ---------------------------------------------------------------------------------------------
// Inline rewrites: char codes, concatenation, escapes, reversed literals.

const QUOTED_PAIR = /(["'])([^"'\n]{0,4000})\1[ \t]{0,8}(?:\+|&|\.)[ \t]{0,8}(?:_[ \t]{0,8}\r?\n[ \t]{0,8})?(["'])([^"'\n]{0,4000})\3/g;
const CHAR_TOKEN = /\[char\][ \t]{0,4}\(?[ \t]{0,4}(0x[0-9a-f]{1,6}|\d{1,7})[ \t]{0,4}\)?|\bchrw?\([ \t]{0,4}(&h[0-9a-f]{1,6}|\d{1,7})[ \t]{0,4}\)|\bchrw?\$?[ \t]{1,4}(\d{1,7})\b/gi;
const CHAR_GAP = /^[\s+&,()'"_]{0,16}$/;
const FROM_CHAR_CODE = /String\.fromCharCode\(([0-9a-fA-Fx, \t\r\n]{1,200000})\)/g;
const CHAR_ARRAY = /\[char\[\]\][ \t]{0,4}\(?[ \t]{0,4}((?:0x[0-9a-f]{1,6}|\d{1,7})(?:[ \t]{0,4},[ \t\r\n]{0,8}(?:0x[0-9a-f]{1,6}|\d{1,7})){2,50000})/gi;
const HEX_ESCAPES = /(?:\\x[0-9a-fA-F]{2}){4,}/g;
const UNICODE_ESCAPES = /(?:\\u[0-9a-fA-F]{4}){2,}/g;
const PERCENT_ESCAPES = /(?:%[0-9a-fA-F]{2}){4,}/g;
const REVERSED_JS = /(["'])([^"'\n]{1,20000})\1[ \t]{0,4}\.split\([ \t]{0,4}(["'])\3[ \t]{0,4}\)[ \t]{0,4}\.reverse\(\)[ \t]{0,4}\.join\([ \t]{0,4}(["'])\4[ \t]{0,4}\)/g;

function rewriteInline(text: string, limits: LayerLimits): { text: string; steps: string[] } {
  const steps: string[] = [];
  let t = text;
  const apply = (name: string, fn: (s: string) => string) => {
    const next = fn(t);
    if (next !== t) {
      steps.push(name);
      t = next;
    }
  };
  apply('char-codes', (s) => replaceCharCodes(s, limits));
  apply('escapes', replaceEscapes);
  apply('reversed', (s) => s.replace(REVERSED_JS, (_m, q: string, body: string) => q + [...body].reverse().join('') + q));
  apply('concatenation', joinLiterals);
  return { text: t, steps };
}

/** 'a' + 'b', "a" & "b", 'a'.'b' -> 'ab', repeatedly (each pass halves a chain), bounded. */
function joinLiterals(s: string): string {
  let t = s;
  for (let pass = 0; pass < 24; pass++) {
    const next = t.replace(QUOTED_PAIR, (_m, q: string, a: string, _q2: string, b: string) => q + a + b + q);
    if (next === t) break;
    t = next;
  }
  return t;
}

function codeToChar(token: string): string {
  const lower = token.toLowerCase();
  const n = lower.startsWith('0x') ? parseInt(lower.slice(2), 16) : lower.startsWith('&h') ? parseInt(lower.slice(2), 16) : parseInt(lower, 10);
  return n >= 0 && n <= 0x10ffff ? String.fromCodePoint(n) : '';
}

function replaceCharCodes(s: string, limits: LayerLimits): string {
  let t = s.replace(FROM_CHAR_CODE, (_m, list: string) => JSON.stringify(list.split(',').map((x) => codeToChar(x.trim())).join('')));
  t = t.replace(CHAR_ARRAY, (_m, list: string) => `'${list.split(',').map((x) => codeToChar(x.trim())).join('')}'`);
  // [char]72+[char]105 / Chr(72) & Chr(105): tokens joined by operators only become one literal.
  const runs: Array<{ start: number; end: number; chars: string }> = [];
  let count = 0;
  for (const m of t.matchAll(CHAR_TOKEN)) {
    if (++count > limits.maxCandidatesPerLayer * 64) break;
    const ch = codeToChar(m[1] ?? m[2]?.replace(/^&h/i, '0x') ?? m[3] ?? '');
    const last = runs[runs.length - 1];
    if (last && CHAR_GAP.test(t.slice(last.end, m.index))) {
      last.end = m.index + m[0].length;
      last.chars += ch;
    } else {
      runs.push({ start: m.index, end: m.index + m[0].length, chars: ch });
    }
  }
  const multi = runs.filter((r) => r.chars.length >= 2);
  if (multi.length === 0) return t;
  let out = '';
  let at = 0;
  for (const r of multi) {
    out += t.slice(at, r.start) + `'${r.chars.replace(/'/g, "''")}'`;
    at = r.end;
  }
  return out + t.slice(at);
}

function replaceEscapes(s: string): string {
  return s
    .replace(HEX_ESCAPES, (m) => Buffer.from(m.replace(/\\x/g, ''), 'hex').toString('latin1'))
    .replace(UNICODE_ESCAPES, (m) => m.split('\\u').slice(1).map((h) => String.fromCharCode(parseInt(h, 16))).join(''))
    .replace(PERCENT_ESCAPES, (m) => {
      const bytes = Buffer.from(m.replace(/%/g, ''), 'hex');
      const utf8 = bytes.toString('utf8');
      return utf8.includes('\ufffd') ? bytes.toString('latin1') : utf8;
    });
}

// ---------------------------------------------------------------------------------------------
// Payload extraction: base64 (maybe compressed, maybe UTF-16LE) and long hex strings.

const BASE64_RUN = /[A-Za-z0-9+/]{20,}={0,2}/g;
const HEX_RUN = /\b(?:[0-9a-fA-F]{2}){16,}\b/g;
const ENCODED_COMMAND_BEFORE = /-(?:e|ec|en|enc|enco|encod|encode|encoded|encodedc|encodedco|encodedcom|encodedcomm|encodedcomma|encodedcomman|encodedcommand)[ \t]{1,8}["']?$/i;

function extractPayloads(text: string, limits: LayerLimits): Found[] {
  const out: Found[] = [];
  let examined = 0;
  const compressedHint = /GzipStream|DeflateStream|zlib|inflate|gzip/i.test(text);
  for (const m of text.matchAll(BASE64_RUN)) {
    if (++examined > limits.maxCandidatesPerLayer) break;
    const run = m[0];
    if (!looksLikeBase64(run)) continue;
    const bytes = Buffer.from(run, 'base64');
    const before = text.slice(Math.max(0, m.index - 24), m.index);
    const label = ENCODED_COMMAND_BEFORE.test(before) ? 'powershell-encodedcommand' : 'base64';
    const inflated = tryInflate(bytes, compressedHint, limits.maxInflateBytes);
    if (inflated) {
      const decoded = bytesToText(inflated.bytes);
      if (decoded) out.push({ text: decoded.text, encoding: `${label}+${inflated.kind}${decoded.suffix}` });
      continue;
    }
    const decoded = bytesToText(bytes);
    if (decoded) out.push({ text: decoded.text, encoding: `${label}${decoded.suffix}` });
  }
  examined = 0;
  for (const m of text.matchAll(HEX_RUN)) {
    if (++examined > limits.maxCandidatesPerLayer) break;
    const bytes = Buffer.from(m[0], 'hex');
    const inflated = tryInflate(bytes, compressedHint, limits.maxInflateBytes);
    const decoded = bytesToText(inflated?.bytes ?? bytes);
    if (decoded) out.push({ text: decoded.text, encoding: `hex${inflated ? `+${inflated.kind}` : ''}${decoded.suffix}` });
  }
  return out;
}

/** Rejects identifiers and paths that happen to use the alphabet: real base64 mixes cases and digits. */
function looksLikeBase64(run: string): boolean {
  const body = run.replace(/=+$/, '');
  if (body.length % 4 === 1) return false;
  return /[a-z]/.test(body) && /[A-Z]/.test(body) && (/[0-9+/]/.test(body) || body.length >= 40);
}

function tryInflate(bytes: Buffer, hint: boolean, max: number): { bytes: Buffer; kind: string } | undefined {
  const opts = { maxOutputLength: max };
  try {
    if (bytes[0] === 0x1f && bytes[1] === 0x8b) return { bytes: gunzipSync(bytes, opts), kind: 'gzip' };
    if (bytes[0] === 0x78 && (bytes[0]! * 256 + bytes[1]!) % 31 === 0) return { bytes: inflateSync(bytes, opts), kind: 'zlib' };
    if (hint) return { bytes: inflateRawSync(bytes, opts), kind: 'deflate' };
  } catch {
    // Not compressed after all, or larger than the cap: treated as plain bytes.
  }
  return undefined;
}

/** Decoded bytes as text when they are text: UTF-16LE (PowerShell), UTF-8, else none. */
export function bytesToText(bytes: Buffer): { text: string; suffix: string } | undefined {
  if (bytes.length < MIN_PAYLOAD_CHARS) return undefined;
  let oddZeros = 0;
  const sample = Math.min(bytes.length, 4096);
  for (let i = 1; i < sample; i += 2) if (bytes[i] === 0) oddZeros++;
  if (oddZeros > sample / 2 * 0.6) {
    const text = bytes.toString('utf16le');
    return printable(text) ? { text, suffix: '-utf16le' } : undefined;
  }
  const text = bytes.toString('utf8');
  return printable(text) ? { text, suffix: '' } : undefined;
}

function printable(text: string): boolean {
  if (text.length < MIN_PAYLOAD_CHARS) return false;
  let good = 0;
  const n = Math.min(text.length, 8192);
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if ((c >= 0x20 && c < 0x7f) || c === 9 || c === 10 || c === 13 || (c >= 0xa0 && c !== 0xfffd)) good++;
  }
  return good / n >= 0.9;
}
