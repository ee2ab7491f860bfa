/**
 * An embedded OLE document kept as a storage inside its container (Word's `ObjectPool/_<id>`,
 * Excel's `MBD<hex>`) rewritten as a standalone compound file with the `cfb` package's writer, so
 * the unpacker can analyse it as a file. cfb adds its 4-byte `\x01Sh33tJ5` marker stream to every
 * file it writes; the streams of the embedded document are otherwise copied as they are.
 */
import CFB from 'cfb';
import type { OleEntry, OleFile } from './ole-reader.js';

const MAX_STREAMS = 1000;
const MAX_BYTES = 64 * 1024 * 1024;

/**
 * Storages that hold an embedded document; not those holding an OLE Package payload, an OOXML
 * `Package` or a `CONTENTS` stream, which are taken as they are instead.
 */
export function embeddedStorages(ole: OleFile): OleEntry[] {
  return ole.entries.filter((e) => {
    if (e.kind !== 'storage') return false;
    const isPoolObject = /^ObjectPool\/[^/]+$/i.test(e.path);
    const isExcelObject = /^MBD[0-9A-F]{8}$/i.test(e.path);
    return (isPoolObject || isExcelObject) && !['\x01Ole10Native', 'Package', 'CONTENTS'].some((name) => ole.find(`${e.path}/${name}`));
  });
}

/** The storage's streams as a compound file, or undefined when it holds none or exceeds the limits. */
export function storageAsFile(ole: OleFile, storage: OleEntry): Buffer | undefined {
  const prefix = `${storage.path.toLowerCase()}/`;
  const streams = ole.entries.filter((e) => e.kind === 'stream' && e.path.toLowerCase().startsWith(prefix));
  if (streams.length === 0 || streams.length > MAX_STREAMS) return undefined;
  const container = CFB.utils.cfb_new();
  let total = 0;
  for (const s of streams) {
    const content = ole.read(s);
    total += content.length;
    if (total > MAX_BYTES) return undefined;
    CFB.utils.cfb_add(container, `/${s.path.slice(prefix.length)}`, content);
  }
  if (storage.clsid) container.FileIndex[0]!.clsid = clsidBytesHex(storage.clsid);
  return Buffer.from(CFB.write(container, { type: 'buffer' }) as Uint8Array);
}

/** cfb writes a CLSID from 32 hex digits in on-disk order; ole-reader gives the text form. */
function clsidBytesHex(text: string): string {
  const h = text.replace(/-/g, '');
  const swap = (s: string) => s.match(/../g)!.reverse().join('');
  return swap(h.slice(0, 8)) + swap(h.slice(8, 12)) + swap(h.slice(12, 16)) + h.slice(16);
}
