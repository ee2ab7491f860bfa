/**
 * Android binary XML (AXML: AndroidManifest.xml inside an APK) to an element tree, by hand: the npm
 * readers (adbkit-apkreader, app-info-parser) are not installed here, trust chunk sizes and string
 * counts as given, and recurse per element, so a crafted manifest can make them allocate or loop
 * without bound. This one checks every chunk against the bytes that remain, caps strings, elements,
 * attributes and depth, and reads in one linear pass.
 */

export interface AxmlLimits {
  /** Largest manifest read (bytes). */
  maxBytes: number;
  maxStrings: number;
  /** Characters kept of one string. */
  maxStringChars: number;
  maxElements: number;
  maxAttributes: number;
  maxDepth: number;
}

export const DEFAULT_AXML_LIMITS: AxmlLimits = {
  maxBytes: 8 * 1024 * 1024,
  maxStrings: 200_000,
  maxStringChars: 4096,
  maxElements: 100_000,
  maxAttributes: 64,
  maxDepth: 128,
};

export interface AxmlAttribute {
  /** Local name; from the resource map when the string pool's name is empty (obfuscated APKs). */
  name: string;
  /** Namespace URI, or '' for none. */
  ns: string;
  /** The value as text: strings as is, integers in decimal, references as `@7F0B0001`. */
  value: string;
  /** Res_value data type (0x03 string, 0x10 decimal, 0x12 boolean...). */
  type: number;
}

export interface AxmlElement {
  name: string;
  attributes: AxmlAttribute[];
  children: AxmlElement[];
}

export interface AxmlDocument {
  root: AxmlElement | undefined;
  /** Why reading stopped early or what was skipped; the tree holds what was read up to there. */
  anomalies: string[];
}

const RES_XML_TYPE = 0x0003;
const RES_STRING_POOL_TYPE = 0x0001;
const RES_XML_RESOURCE_MAP_TYPE = 0x0180;
const RES_XML_START_NAMESPACE = 0x0100;
const RES_XML_END_NAMESPACE = 0x0101;
const RES_XML_START_ELEMENT = 0x0102;
const RES_XML_END_ELEMENT = 0x0103;
const RES_XML_CDATA = 0x0104;
const UTF8_FLAG = 0x100;
const NO_INDEX = 0xffffffff;

export const ANDROID_NS = 'http://schemas.android.com/apk/res/android';

/** android: attribute resource ids (android.R.attr) for names an obfuscator blanked in the string pool. */
const ATTRIBUTE_IDS: Record<number, string> = {
  0x01010003: 'name',
  0x01010006: 'permission',
  0x01010009: 'protectionLevel',
  0x0101000e: 'enabled',
  0x01010010: 'exported',
  0x01010018: 'authorities',
  0x0101020c: 'minSdkVersion',
  0x0101021b: 'versionCode',
  0x0101021c: 'versionName',
  0x01010270: 'targetSdkVersion',
  0x01010271: 'maxSdkVersion',
  0x01010202: 'targetActivity',
};

export function isAxml(bytes: Buffer): boolean {
  return bytes.length >= 8 && bytes.readUInt16LE(0) === RES_XML_TYPE && bytes.readUInt16LE(2) === 8;
}

export function parseAxml(bytes: Buffer, limits: AxmlLimits = DEFAULT_AXML_LIMITS): AxmlDocument {
  const anomalies: string[] = [];
  if (bytes.length > limits.maxBytes) return { root: undefined, anomalies: [`manifest of ${bytes.length} bytes is over the ${limits.maxBytes}-byte limit`] };
  if (!isAxml(bytes)) return { root: undefined, anomalies: ['not binary XML'] };
  // The document's own size may lie; the bytes we hold are the bound.
  const end = Math.min(bytes.length, Math.max(8, bytes.readUInt32LE(4)));
  let strings: string[] = [];
  let resourceIds: number[] = [];
  const namespaces: string[] = [];
  const stack: AxmlElement[] = [];
  let root: AxmlElement | undefined;
  let elements = 0;

  const str = (index: number): string => (index === NO_INDEX || index >= strings.length ? '' : strings[index]!);

  let offset = 8;
  while (offset + 8 <= end) {
    const type = bytes.readUInt16LE(offset);
    const headerSize = bytes.readUInt16LE(offset + 2);
    const size = bytes.readUInt32LE(offset + 4);
    if (headerSize < 8 || size < headerSize || size > end - offset) {
      anomalies.push(`chunk 0x${type.toString(16)} at ${offset}: size ${size} does not fit (truncated?)`);
      break;
    }
    const chunk = bytes.subarray(offset, offset + size);
    switch (type) {
      case RES_STRING_POOL_TYPE:
        strings = readStringPool(chunk, headerSize, limits, anomalies);
        break;
      case RES_XML_RESOURCE_MAP_TYPE: {
        const count = Math.min((size - headerSize) >>> 2, limits.maxStrings);
        resourceIds = Array.from({ length: count }, (_, i) => chunk.readUInt32LE(headerSize + i * 4));
        break;
      }
      case RES_XML_START_NAMESPACE:
        if (size >= 24) namespaces.push(str(chunk.readUInt32LE(20)));
        break;
      case RES_XML_END_NAMESPACE:
        namespaces.pop();
        break;
      case RES_XML_START_ELEMENT: {
        if (++elements > limits.maxElements) {
          anomalies.push(`more than ${limits.maxElements} elements`);
          return { root, anomalies };
        }
        if (stack.length >= limits.maxDepth) {
          anomalies.push(`elements nested deeper than ${limits.maxDepth}`);
          return { root, anomalies };
        }
        const element = readElement(chunk, headerSize, str, resourceIds, limits, anomalies);
        if (!element) break;
        const parent = stack.at(-1);
        if (parent) parent.children.push(element);
        else if (!root) root = element;
        else anomalies.push(`second root element <${element.name}> ignored`);
        stack.push(element);
        break;
      }
      case RES_XML_END_ELEMENT:
        if (stack.pop() === undefined) anomalies.push('end of an element never started');
        break;
      case RES_XML_CDATA:
        break;
      default:
        anomalies.push(`unknown chunk 0x${type.toString(16)} skipped`);
    }
    offset += size;
  }
  if (stack.length > 0) anomalies.push(`${stack.length} element(s) never closed`);
  return { root, anomalies };
}

function readStringPool(chunk: Buffer, headerSize: number, limits: AxmlLimits, anomalies: string[]): string[] {
  if (headerSize < 28 || chunk.length < 28) {
    anomalies.push('string pool header too short');
    return [];
  }
  const declared = chunk.readUInt32LE(8);
  const flags = chunk.readUInt32LE(16);
  const stringsStart = chunk.readUInt32LE(20);
  // Each string needs a 4-byte offset inside the chunk: a count beyond that is a lie, whatever it says.
  const fit = Math.floor((chunk.length - headerSize) / 4);
  const count = Math.min(declared, fit, limits.maxStrings);
  if (count < declared) anomalies.push(`string pool declares ${declared} strings; ${count} read`);
  const utf8 = (flags & UTF8_FLAG) !== 0;
  const out: string[] = new Array<string>(count);
  for (let i = 0; i < count; i++) {
    const at = stringsStart + chunk.readUInt32LE(headerSize + i * 4);
    out[i] = at < stringsStart || at >= chunk.length ? '' : utf8 ? readUtf8(chunk, at, limits.maxStringChars) : readUtf16(chunk, at, limits.maxStringChars);
  }
  return out;
}

function readUtf16(chunk: Buffer, at: number, maxChars: number): string {
  if (at + 2 > chunk.length) return '';
  let length = chunk.readUInt16LE(at);
  let start = at + 2;
  if (length & 0x8000) {
    if (at + 4 > chunk.length) return '';
    length = ((length & 0x7fff) << 16) | chunk.readUInt16LE(at + 2);
    start = at + 4;
  }
  const chars = Math.min(length, maxChars, Math.floor((chunk.length - start) / 2));
  return chunk.toString('utf16le', start, start + chars * 2);
}

function readUtf8(chunk: Buffer, at: number, maxChars: number): string {
  // Two lengths: characters (UTF-16 units), then bytes; each one or two bytes long.
  let p = at;
  const len = (): number => {
    if (p >= chunk.length) return 0;
    let n = chunk[p++]!;
    if (n & 0x80) {
      if (p >= chunk.length) return 0;
      n = ((n & 0x7f) << 8) | chunk[p++]!;
    }
    return n;
  };
  len();
  const bytes = len();
  const text = chunk.toString('utf8', p, Math.min(chunk.length, p + bytes));
  return text.length > maxChars ? text.slice(0, maxChars) : text;
}

function readElement(
  chunk: Buffer,
  headerSize: number,
  str: (i: number) => string,
  resourceIds: number[],
  limits: AxmlLimits,
  anomalies: string[],
): AxmlElement | undefined {
  const ext = headerSize;
  if (ext + 20 > chunk.length) {
    anomalies.push('element chunk too short');
    return undefined;
  }
  const nameIndex = chunk.readUInt32LE(ext + 4);
  const attributeStart = chunk.readUInt16LE(ext + 8);
  const attributeSize = chunk.readUInt16LE(ext + 10);
  const declared = chunk.readUInt16LE(ext + 12);
  const attributes: AxmlAttribute[] = [];
  const step = Math.max(20, attributeSize);
  const count = Math.min(declared, limits.maxAttributes);
  if (count < declared) anomalies.push(`element with ${declared} attributes; ${count} read`);
  for (let i = 0; i < count; i++) {
    const at = ext + attributeStart + i * step;
    if (at + 20 > chunk.length) {
      anomalies.push('attribute past the end of its element');
      break;
    }
    const ns = str(chunk.readUInt32LE(at));
    const nameIdx = chunk.readUInt32LE(at + 4);
    let name = str(nameIdx);
    const resId = nameIdx < resourceIds.length ? resourceIds[nameIdx]! : undefined;
    if (!name && resId !== undefined) name = ATTRIBUTE_IDS[resId] ?? `0x${resId.toString(16).padStart(8, '0')}`;
    const raw = chunk.readUInt32LE(at + 8);
    const type = chunk[at + 15]!;
    const data = chunk.readUInt32LE(at + 16);
    attributes.push({ name, ns, value: valueText(type, data, raw, str), type });
  }
  return { name: str(nameIndex), attributes, children: [] };
}

/** Res_value as text, the way aapt and androguard print the common types. */
function valueText(type: number, data: number, raw: number, str: (i: number) => string): string {
  switch (type) {
    case 0x03:
      return str(raw !== NO_INDEX ? raw : data);
    case 0x01:
      return `@${data.toString(16).toUpperCase().padStart(8, '0')}`;
    case 0x02:
      return `?${data.toString(16).toUpperCase().padStart(8, '0')}`;
    case 0x04:
      return String(new DataView(Uint32Array.of(data).buffer).getFloat32(0, true));
    case 0x10:
      return String(data | 0);
    case 0x11:
      return `0x${data.toString(16).padStart(8, '0')}`;
    case 0x12:
      return data !== 0 ? 'true' : 'false';
    default:
      if (raw !== NO_INDEX) return str(raw);
      return `0x${data.toString(16).padStart(8, '0')}`;
  }
}
