/**
 * The string pool of an Android binary XML file (AndroidManifest.xml in an APK): where permission,
 * component and action names live. Parsed by hand because no analyzer provides it and only the
 * pool is needed; every count and offset is bounded by the buffer and by MAX_STRINGS.
 */

export const MAX_STRINGS = 20_000;
const RES_XML_TYPE = 0x0003;
const RES_STRING_POOL_TYPE = 0x0001;
const UTF8_FLAG = 0x100;

/** The strings of the first string pool, or [] when `bytes` is not binary XML. Never throws. */
export function axmlStrings(bytes: Buffer): string[] {
  try {
    if (bytes.length < 36 || bytes.readUInt16LE(0) !== RES_XML_TYPE) return [];
    const pool = bytes.readUInt16LE(2); // header size of the XML chunk: the pool follows it
    if (pool < 8 || pool + 28 > bytes.length || bytes.readUInt16LE(pool) !== RES_STRING_POOL_TYPE) return [];
    const headerSize = bytes.readUInt16LE(pool + 2);
    const chunkSize = bytes.readUInt32LE(pool + 4);
    const count = Math.min(bytes.readUInt32LE(pool + 8), MAX_STRINGS);
    const flags = bytes.readUInt32LE(pool + 16);
    const stringsStart = bytes.readUInt32LE(pool + 20);
    const end = Math.min(bytes.length, pool + chunkSize);
    const utf8 = (flags & UTF8_FLAG) !== 0;
    const out: string[] = [];
    for (let i = 0; i < count; i++) {
      const offAt = pool + headerSize + i * 4;
      if (offAt + 4 > end) break;
      let at = pool + stringsStart + bytes.readUInt32LE(offAt);
      if (at >= end) continue;
      if (utf8) {
        // Two lengths (UTF-16 units, then bytes), each one or two bytes.
        at += bytes[at]! & 0x80 ? 2 : 1;
        if (at >= end) continue;
        let len = bytes[at]!;
        if (len & 0x80) len = ((len & 0x7f) << 8) | (bytes[at + 1] ?? 0), (at += 1);
        at += 1;
        out.push(bytes.toString('utf8', at, Math.min(end, at + len)));
      } else {
        if (at + 2 > end) continue;
        let len = bytes.readUInt16LE(at);
        at += 2;
        if (len & 0x8000) {
          if (at + 2 > end) continue;
          len = ((len & 0x7fff) << 16) | bytes.readUInt16LE(at);
          at += 2;
        }
        out.push(bytes.toString('utf16le', at, Math.min(end, at + len * 2)));
      }
    }
    return out;
  } catch {
    return [];
  }
}
