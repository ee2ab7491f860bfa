/**
 * The SummaryInformation and DocumentSummaryInformation property sets ([MS-OLEPS] 2.21, 2.20) of
 * an OLE document, as VirusTotal's `office_info.summary_info` and `document_summary_info`.
 */

type Value = string | number | boolean | Date;

const VT_I2 = 0x02;
const VT_I4 = 0x03;
const VT_BOOL = 0x0b;
const VT_UI4 = 0x13;
const VT_I8 = 0x14;
const VT_LPSTR = 0x1e;
const VT_LPWSTR = 0x1f;
const VT_FILETIME = 0x40;
const MAX_PROPERTIES = 256;
const MAX_STRING_BYTES = 64 * 1024;

/** Reads the first property set of a property set stream: property id to value (strings decoded in its code page). */
export function readPropertySet(stream: Buffer): Map<number, Value> {
  const out = new Map<number, Value>();
  if (stream.length < 48 || stream.readUInt16LE(0) !== 0xfffe) return out;
  const setOffset = stream.readUInt32LE(44);
  if (setOffset + 8 > stream.length) return out;
  const set = stream.subarray(setOffset, Math.min(stream.length, setOffset + stream.readUInt32LE(setOffset)));
  if (set.length < 8) return out;
  const count = Math.min(set.readUInt32LE(4), MAX_PROPERTIES, Math.floor((set.length - 8) / 8));
  const offsets: Array<[number, number]> = [];
  for (let i = 0; i < count; i++) offsets.push([set.readUInt32LE(8 + i * 8), set.readUInt32LE(12 + i * 8)]);
  // The code page (property 1) decides how 8-bit strings decode, so read it first.
  let codePage = 1252;
  for (const [id, off] of offsets) {
    if (id === 1 && off + 6 <= set.length && set.readUInt16LE(off) === VT_I2) codePage = set.readUInt16LE(off + 4);
  }
  for (const [id, off] of offsets) {
    const value = readValue(set, off, codePage);
    if (value !== undefined) out.set(id, value);
  }
  return out;
}

function readValue(set: Buffer, off: number, codePage: number): Value | undefined {
  if (off + 8 > set.length) return undefined;
  const type = set.readUInt16LE(off);
  const at = off + 4;
  switch (type) {
    case VT_I2:
      return set.readInt16LE(at);
    case VT_I4:
      return set.readInt32LE(at);
    case VT_UI4:
      return set.readUInt32LE(at);
    case VT_BOOL:
      return set.readUInt16LE(at) !== 0;
    case VT_I8:
      return at + 8 <= set.length ? Number(set.readBigInt64LE(at)) : undefined;
    case VT_FILETIME:
      return at + 8 <= set.length ? filetime(set.readUInt32LE(at), set.readUInt32LE(at + 4)) : undefined;
    case VT_LPSTR: {
      const len = Math.min(set.readUInt32LE(at), MAX_STRING_BYTES, set.length - at - 4);
      const bytes = set.subarray(at + 4, at + 4 + len);
      if (codePage === 1200) return trimNul(bytes.toString('utf16le'));
      return trimNul(decodeCodePage(bytes, codePage));
    }
    case VT_LPWSTR: {
      const chars = Math.min(set.readUInt32LE(at), MAX_STRING_BYTES / 2, Math.floor((set.length - at - 4) / 2));
      return trimNul(set.toString('utf16le', at + 4, at + 4 + chars * 2));
    }
    default:
      return undefined;
  }
}

/** A FILETIME as a Date, or as a number of seconds when it is a duration (edit time), told apart by the year. */
function filetime(low: number, high: number): Date | number {
  const ticks = high * 2 ** 32 + low;
  const ms = ticks / 10_000 - 11_644_473_600_000;
  if (ms < Date.UTC(1970, 0, 1) - 300 * 365 * 86_400_000) return Math.round(ticks / 10_000_000);
  return new Date(ms);
}

function trimNul(s: string): string {
  const nul = s.indexOf('\0');
  return (nul >= 0 ? s.slice(0, nul) : s).trim();
}

export function decodeCodePage(bytes: Uint8Array, codePage: number): string {
  const label = codePage === 65001 ? 'utf-8' : codePage === 10000 ? 'macintosh' : `windows-${codePage}`;
  try {
    return new TextDecoder(label).decode(bytes);
  } catch {
    return new TextDecoder('windows-1252').decode(bytes);
  }
}

const CODE_PAGE_NAMES: Record<number, string> = {
  874: 'Thai',
  932: 'Japanese (Shift-JIS)',
  936: 'Chinese Simplified (GBK)',
  949: 'Korean (Wansung)',
  950: 'Chinese Traditional (Big5)',
  1200: 'Unicode UTF-16, little endian',
  1250: 'Latin II (Central European)',
  1251: 'Cyrillic',
  1252: 'Latin I',
  1253: 'Greek',
  1254: 'Turkish',
  1255: 'Hebrew',
  1256: 'Arabic',
  1257: 'Baltic',
  1258: 'Vietnamese',
  10000: 'Mac Roman',
  65001: 'Unicode (UTF-8)',
};

function codePageName(value: Value | undefined): string | undefined {
  if (typeof value !== 'number') return undefined;
  const cp = value < 0 ? value + 65536 : value;
  return CODE_PAGE_NAMES[cp] ?? String(cp);
}

/** VT writes dates as "%Y-%m-%d %H:%M:%S" (UTC). */
export function vtDate(d: Date): string {
  return Number.isNaN(d.getTime()) ? '' : d.toISOString().replace('T', ' ').slice(0, 19);
}

function put(out: Record<string, unknown>, key: string, value: Value | undefined): void {
  if (value === undefined || value === '') return;
  out[key] = value instanceof Date ? vtDate(value) : value;
}

/** [MS-OLEPS] 2.21 property ids, named as VT names them. */
export function summaryInfo(props: Map<number, Value>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  put(out, 'code_page', codePageName(props.get(1)));
  put(out, 'title', props.get(2));
  put(out, 'subject', props.get(3));
  put(out, 'author', props.get(4));
  put(out, 'keywords', props.get(5));
  put(out, 'comments', props.get(6));
  put(out, 'template', props.get(7));
  put(out, 'last_author', props.get(8));
  put(out, 'revision_number', props.get(9) === undefined ? undefined : String(props.get(9)));
  const edit = props.get(10);
  put(out, 'edit_time', edit instanceof Date ? undefined : edit);
  put(out, 'last_printed', props.get(11));
  put(out, 'creation_datetime', props.get(12));
  put(out, 'last_saved', props.get(13));
  put(out, 'page_count', props.get(14));
  put(out, 'word_count', props.get(15));
  put(out, 'character_count', props.get(16));
  put(out, 'application_name', props.get(18));
  put(out, 'security', props.get(19));
  return out;
}

/** [MS-OLEPS] 2.20 property ids, named as VT names them. */
export function documentSummaryInfo(props: Map<number, Value>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  put(out, 'code_page', codePageName(props.get(1)));
  put(out, 'category', props.get(2));
  put(out, 'line_count', props.get(5));
  put(out, 'paragraph_count', props.get(6));
  put(out, 'slide_count', props.get(7));
  put(out, 'scale', props.get(11));
  put(out, 'manager', props.get(14));
  put(out, 'company', props.get(15));
  put(out, 'links_dirty', props.get(16));
  put(out, 'characters_with_spaces', props.get(17));
  put(out, 'shared_document', props.get(19));
  put(out, 'hyperlinks_changed', props.get(22));
  put(out, 'version', props.get(23));
  return out;
}
