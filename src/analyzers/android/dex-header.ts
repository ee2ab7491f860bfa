/** The header of a Dalvik executable (classes.dex): format version and its table sizes. */

export interface DexInfo {
  /** Format version from the magic, e.g. `035`, `039`. */
  version: string;
  file_size: number;
  string_count: number;
  type_count: number;
  proto_count: number;
  field_count: number;
  method_count: number;
  class_count: number;
}

const HEADER_SIZE = 0x70;

export function isDex(head: Buffer): boolean {
  return head.length >= 8 && head.toString('latin1', 0, 4) === 'dex\n' && /^0\d\d$/.test(head.toString('latin1', 4, 7)) && head[7] === 0;
}

/** The header's counts, or undefined when `bytes` is not a DEX header; a count is only a claim. */
export function parseDexHeader(bytes: Buffer): DexInfo | undefined {
  if (bytes.length < HEADER_SIZE || !isDex(bytes)) return undefined;
  const u32 = (at: number) => bytes.readUInt32LE(at);
  // 0x12345678 little-endian is the only endianness the platform loads.
  if (u32(40) !== 0x12345678) return undefined;
  return {
    version: bytes.toString('latin1', 4, 7),
    file_size: u32(32),
    string_count: u32(56),
    type_count: u32(64),
    proto_count: u32(72),
    field_count: u32(80),
    method_count: u32(88),
    class_count: u32(96),
  };
}
