/**
 * Builders for the office analyzer's tests: an MS-OVBA compressor (spec 2.4.1.3.6-2.4.1.3.9,
 * independent of the decompressor it checks), VBA `dir` streams, property set streams, OLE files
 * through the `cfb` package's writer, and ZIP packages. Nothing here is read from third parties.
 */
import { crc32, deflateRawSync } from 'node:zlib';
import CFB from 'cfb';

/** MS-OVBA CompressedContainer of `data`, with copy tokens for repeats (greedy longest match). */
export function ovbaCompress(data: Buffer): Buffer {
  const out: number[] = [0x01];
  for (let start = 0; start < data.length; start += 4096) {
    const chunk = data.subarray(start, start + 4096);
    const body: number[] = [];
    let pos = 0;
    while (pos < chunk.length) {
      const flagAt = body.length;
      body.push(0);
      for (let bit = 0; bit < 8 && pos < chunk.length; bit++) {
        let bitCount = 4;
        while (1 << bitCount < pos) bitCount++;
        const maxLength = (0xffff >> bitCount) + 3;
        let bestLen = 0;
        let bestOff = 0;
        for (let cand = pos - 1; cand >= 0; cand--) {
          let len = 0;
          while (len < maxLength && pos + len < chunk.length && chunk[cand + len] === chunk[pos + len]) len++;
          if (len > bestLen) {
            bestLen = len;
            bestOff = pos - cand;
          }
        }
        if (bestLen >= 3) {
          const token = ((bestOff - 1) << (16 - bitCount)) | (bestLen - 3);
          body.push(token & 0xff, token >> 8);
          body[flagAt]! |= 1 << bit;
          pos += bestLen;
        } else {
          body.push(chunk[pos]!);
          pos++;
        }
      }
    }
    if (body.length > 4096) {
      if (chunk.length !== 4096) throw new Error('incompressible short chunk');
      out.push(0xff, 0x3f, ...chunk);
    } else {
      const header = 0x8000 | 0x3000 | (body.length + 2 - 3);
      out.push(header & 0xff, header >> 8, ...body);
    }
  }
  return Buffer.from(out);
}

function rec(id: number, body: Buffer | string = Buffer.alloc(0)): Buffer {
  const b = typeof body === 'string' ? Buffer.from(body, 'latin1') : body;
  const h = Buffer.alloc(6);
  h.writeUInt16LE(id, 0);
  h.writeUInt32LE(b.length, 2);
  return Buffer.concat([h, b]);
}
const u16 = (n: number) => Buffer.from([n & 0xff, n >> 8]);
const u32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n >>> 0);
  return b;
};

export interface TestModule {
  name: string;
  code: string;
  /** Bytes of p-code before the source (MODULEOFFSET); default 0. */
  offset?: number;
}

/** An uncompressed `dir` stream ([MS-OVBA] 2.3.4.2) for these modules. */
/**
 * Text in a project code page: 1252 as latin1, 1251 for ASCII and the Cyrillic А–я block (enough
 * for tests; Node has no encoder for Windows code pages).
 */
export function encodeCodePage(text: string, codePage: 1252 | 1251): Buffer {
  if (codePage === 1252) return Buffer.from(text, 'latin1');
  return Buffer.from(
    [...text].map((c) => {
      const code = c.codePointAt(0)!;
      if (code < 0x80) return code;
      if (code >= 0x410 && code <= 0x44f) return code - 0x410 + 0xc0;
      throw new Error(`no 1251 byte for ${c}`);
    }),
  );
}

export function dirStream(modules: TestModule[], codePage: 1252 | 1251 = 1252): Buffer {
  const enc = (t: string) => encodeCodePage(t, codePage);
  const version = Buffer.concat([u16(0x0009), u32(4), u32(0x1234), u16(7)]);
  const parts = [
    rec(0x0001, u32(3)),
    rec(0x0002, u32(0x409)),
    rec(0x0014, u32(0x409)),
    rec(0x0003, u16(codePage)),
    rec(0x0004, 'Project'),
    rec(0x0005, ''),
    rec(0x0040, ''),
    rec(0x0006, ''),
    rec(0x003d, ''),
    rec(0x0007, u32(0)),
    rec(0x0008, u32(0)),
    version,
    rec(0x000c, ''),
    rec(0x003c, ''),
    // A reference to the OLE Automation library, as every real project has (2.3.4.2.2); references
    // sit between the project information and the modules (olevba refuses them elsewhere).
    rec(0x0016, 'stdole'),
    rec(0x003e, Buffer.from('stdole', 'utf16le')),
    rec(0x000d, Buffer.concat([u32(Buffer.byteLength(STDOLE_LIBID)), Buffer.from(STDOLE_LIBID, 'latin1'), u32(0), u16(0)])),
    rec(0x000f, u16(modules.length)),
    rec(0x0013, u16(0xffff)),
  ];
  for (const m of modules) {
    parts.push(
      rec(0x0019, enc(m.name)),
      rec(0x0047, Buffer.from(m.name, 'utf16le')),
      rec(0x001a, enc(m.name)),
      rec(0x0032, Buffer.from(m.name, 'utf16le')),
      rec(0x001c, ''),
      rec(0x0048, ''),
      rec(0x0031, u32(m.offset ?? 0)),
      rec(0x001e, u32(0)),
      rec(0x002c, u16(0xffff)),
      rec(0x0021),
      rec(0x002b),
    );
  }
  parts.push(rec(0x0010));
  return Buffer.concat(parts);
}

const STDOLE_LIBID = '*\\G{00020430-0000-0000-C000-000000000046}#2.0#0#C:\\Windows\\System32\\stdole2.tlb#OLE Automation';

/** Streams of a VBA project below `prefix` ('' for vbaProject.bin, 'Macros/' in a Word document). */
export function vbaProjectStreams(modules: TestModule[], prefix = '', codePage: 1252 | 1251 = 1252): Array<[string, Buffer]> {
  const enc = (t: string) => encodeCodePage(t, codePage);
  const streams: Array<[string, Buffer]> = [
    [`${prefix}VBA/dir`, ovbaCompress(dirStream(modules, codePage))],
    [`${prefix}VBA/_VBA_PROJECT`, Buffer.from([0xcc, 0x61, 0xff, 0xff, 0x00, 0x00, 0x00])],
    [`${prefix}PROJECT`, enc(`ID="{00000000-0000-0000-0000-000000000000}"\r\n${modules.map((m) => (/^This(Document|Workbook)$/.test(m.name) ? `Document=${m.name}/&H00000000` : `Module=${m.name}`)).join('\r\n')}\r\n`)],
  ];
  for (const m of modules) streams.push([`${prefix}VBA/${m.name}`, Buffer.concat([Buffer.alloc(m.offset ?? 0, 0xaa), ovbaCompress(enc(m.code))])]);
  return streams;
}

/** An OLE compound file written by the `cfb` package. */
export function oleFile(streams: Array<[string, Buffer]>): Buffer {
  const container = CFB.utils.cfb_new();
  for (const [path, content] of streams) CFB.utils.cfb_add(container, `/${path}`, content);
  return Buffer.from(CFB.write(container, { type: 'buffer' }) as Uint8Array);
}

export type PropValue = { type: 'i2' | 'i4'; value: number } | { type: 'lpstr'; value: string } | { type: 'filetime'; value: Date } | { type: 'duration'; seconds: number };

/** A property set stream with one property set ([MS-OLEPS] 2.21). */
export function propertySetStream(fmtid: string, props: Array<[number, PropValue]>): Buffer {
  const values = props.map(([, p]) => {
    switch (p.type) {
      case 'i2':
        return Buffer.concat([u32(0x02), u16(p.value), u16(0)]);
      case 'i4':
        return Buffer.concat([u32(0x03), u32(p.value)]);
      case 'lpstr': {
        const s = Buffer.from(`${p.value}\0`, 'latin1');
        const padded = Buffer.concat([s, Buffer.alloc((4 - (s.length % 4)) % 4)]);
        return Buffer.concat([u32(0x1e), u32(s.length), padded]);
      }
      case 'filetime':
      case 'duration': {
        const ticks = p.type === 'filetime' ? (BigInt(p.value.getTime()) + 11_644_473_600_000n) * 10_000n : BigInt(p.seconds) * 10_000_000n;
        const b = Buffer.alloc(12);
        b.writeUInt32LE(0x40, 0);
        b.writeBigUInt64LE(ticks, 4);
        return b;
      }
    }
  });
  const headerLen = 8 + props.length * 8;
  let offset = headerLen;
  const table = props.map(([id], i) => {
    const entry = Buffer.concat([u32(id), u32(offset)]);
    offset += values[i]!.length;
    return entry;
  });
  const set = Buffer.concat([u32(offset), u32(props.length), ...table, ...values]);
  const guid = Buffer.from(fmtid.replace(/-/g, ''), 'hex');
  const le = Buffer.concat([Buffer.from(guid.subarray(0, 4)).reverse(), Buffer.from(guid.subarray(4, 6)).reverse(), Buffer.from(guid.subarray(6, 8)).reverse(), guid.subarray(8)]);
  const header = Buffer.concat([u16(0xfffe), u16(0), u32(0x00020006), Buffer.alloc(16), u32(1), le, u32(48)]);
  return Buffer.concat([header, set]);
}

export const FMTID_SUMMARY = 'F29F85E0-4FF9-1068-AB91-08002B27B3D9';
export const FMTID_DOC_SUMMARY = 'D5CDD502-2E9C-101B-9397-08002B2CF9AE';

/** An `\x01Ole10Native` stream wrapping `payload` under `filename`. */
export function ole10Native(filename: string, sourcePath: string, payload: Buffer): Buffer {
  const body = Buffer.concat([u16(2), Buffer.from(`${filename}\0${sourcePath}\0`, 'latin1'), u32(0x00030000), u32(sourcePath.length + 1), Buffer.from(`${sourcePath}\0`, 'latin1'), u32(payload.length), payload, u16(0)]);
  return Buffer.concat([u32(body.length), body]);
}

export interface ZipEntrySpec {
  name: string;
  data: Buffer;
  /** Store instead of deflate. */
  store?: boolean;
  /** Write this uncompressed size instead of the real one (a lying header). */
  declaredSize?: number;
}

/** A ZIP file (local headers, central directory, end record), deflated unless told to store. */
export function zipFile(entries: ZipEntrySpec[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const name = Buffer.from(e.name, 'utf8');
    const body = e.store ? e.data : deflateRawSync(e.data);
    const crc = crc32(e.data);
    const size = e.declaredSize ?? e.data.length;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x0800, 6);
    local.writeUInt16LE(e.store ? 0 : 8, 8);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(body.length, 18);
    local.writeUInt32LE(size, 22);
    local.writeUInt16LE(name.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x0800, 8);
    central.writeUInt16LE(e.store ? 0 : 8, 10);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(body.length, 20);
    central.writeUInt32LE(size, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, body);
    centrals.push(central, name);
    offset += 30 + name.length + body.length;
  }
  const cd = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, end]);
}

const CT_NS = 'http://schemas.openxmlformats.org/package/2006/content-types';
const REL_NS = 'http://schemas.openxmlformats.org/package/2006/relationships';
export const REL = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';

/** A minimal WordprocessingML package; `extra` parts and relationships of word/document.xml added as given. */
export function docxPackage(options: {
  body: string;
  macroEnabled?: boolean;
  documentRels?: Array<{ id: string; type: string; target: string; external?: boolean }>;
  settingsRels?: Array<{ id: string; type: string; target: string; external?: boolean }>;
  extra?: ZipEntrySpec[];
  core?: Record<string, string>;
}): Buffer {
  const mainType = options.macroEnabled ? 'application/vnd.ms-word.document.macroEnabled.main+xml' : 'application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml';
  const rels = (list: Array<{ id: string; type: string; target: string; external?: boolean }>) =>
    `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="${REL_NS}">${list
      .map((r) => `<Relationship Id="${r.id}" Type="${r.type}" Target="${r.target.replace(/&/g, '&amp;')}"${r.external ? ' TargetMode="External"' : ''}/>`)
      .join('')}</Relationships>`;
  const core = options.core ?? {};
  const parts: ZipEntrySpec[] = [
    {
      name: '[Content_Types].xml',
      data: Buffer.from(
        `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="${CT_NS}"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/><Override PartName="/word/document.xml" ContentType="${mainType}"/><Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/><Override PartName="/docProps/app.xml" ContentType="application/vnd.openxmlformats-officedocument.extended-properties+xml"/></Types>`,
      ),
    },
    { name: '_rels/.rels', data: Buffer.from(rels([{ id: 'rId1', type: `${REL}/officeDocument`, target: 'word/document.xml' }, { id: 'rId2', type: 'http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties', target: 'docProps/core.xml' }, { id: 'rId3', type: `${REL}/extended-properties`, target: 'docProps/app.xml' }])) },
    {
      name: 'docProps/core.xml',
      data: Buffer.from(
        `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">${Object.entries(core)
          .map(([k, v]) => `<${k}>${v}</${k}>`)
          .join('')}</cp:coreProperties>`,
      ),
    },
    { name: 'docProps/app.xml', data: Buffer.from(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"><Template>Normal.dotm</Template><Application>Microsoft Office Word</Application><Pages>1</Pages><HeadingPairs><vt:vector size="2" baseType="variant"/></HeadingPairs></Properties>`) },
    { name: 'word/document.xml', data: Buffer.from(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>${options.body}</w:body></w:document>`) },
  ];
  if (options.documentRels) parts.push({ name: 'word/_rels/document.xml.rels', data: Buffer.from(rels(options.documentRels)) });
  if (options.settingsRels) parts.push({ name: 'word/_rels/settings.xml.rels', data: Buffer.from(rels(options.settingsRels)) }, { name: 'word/settings.xml', data: Buffer.from('<w:settings xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"/>') });
  return zipFile([...parts, ...(options.extra ?? [])]);
}
