/**
 * The VS_VERSIONINFO resource's strings (ProductName, FileDescription, ...), which VirusTotal shows
 * in `signature_info` as `product`, `description`, `copyright`, `original name`, `internal name`
 * and `file version`, signed or not. Nodes are walked with a depth and count limit.
 */

const VT_KEYS: Readonly<Record<string, string>> = {
  ProductName: 'product',
  FileDescription: 'description',
  LegalCopyright: 'copyright',
  OriginalFilename: 'original name',
  InternalName: 'internal name',
  FileVersion: 'file version',
  Comments: 'comments',
};
const MAX_DEPTH = 4;
const MAX_NODES = 512;

interface Node {
  key: string;
  /** The value's bytes (text values: UTF-16LE). */
  value: Buffer;
  children: Node[];
}

/** Reads the node at `at` in `data` (the resource's bytes); undefined when it does not fit. */
function readNode(data: Buffer, at: number, depth: number, budget: { nodes: number }, maxChars: number): Node | undefined {
  if (depth > MAX_DEPTH || --budget.nodes < 0 || at + 6 > data.length) return undefined;
  const length = data.readUInt16LE(at);
  const valueLength = data.readUInt16LE(at + 2);
  const isText = data.readUInt16LE(at + 4) === 1;
  const end = Math.min(at + length, data.length);
  if (length < 6) return undefined;
  let p = at + 6;
  let keyEnd = p;
  while (keyEnd + 1 < end && data.readUInt16LE(keyEnd) !== 0) keyEnd += 2;
  const key = data.subarray(p, Math.min(keyEnd, p + maxChars * 2)).toString('utf16le');
  p = (keyEnd + 2 + 3) & ~3;
  const valueBytes = isText ? valueLength * 2 : valueLength;
  const value = data.subarray(Math.min(p, end), Math.min(p + valueBytes, end));
  p = (p + valueBytes + 3) & ~3;
  const children: Node[] = [];
  while (p + 6 <= end) {
    const child = readNode(data, p, depth + 1, budget, maxChars);
    if (!child) break;
    children.push(child);
    const childLength = data.readUInt16LE(p);
    p = (p + childLength + 3) & ~3;
  }
  return { key, value, children };
}

/** The version strings of the first string table, under VirusTotal's names. */
export function versionStrings(resource: Buffer, maxChars: number): Record<string, string> {
  const root = readNode(resource, 0, 0, { nodes: MAX_NODES }, maxChars);
  const out: Record<string, string> = {};
  if (!root || root.key !== 'VS_VERSION_INFO') return out;
  const stringFileInfo = root.children.find((c) => c.key === 'StringFileInfo');
  const table = stringFileInfo?.children[0];
  for (const entry of table?.children ?? []) {
    const vtKey = VT_KEYS[entry.key];
    if (!vtKey) continue;
    const text = entry.value.subarray(0, maxChars * 2).toString('utf16le').replace(/\0+$/, '').trim();
    if (text) out[vtKey] = text;
  }
  return out;
}
