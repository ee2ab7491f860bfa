/** Writes Android binary XML (AXML) for tests: a string pool (UTF-16 or UTF-8), the resource map and one element tree. */

export interface XmlNode {
  name: string;
  /** `android:` attributes unless `plain` lists them; strings, decimal integers or booleans. */
  attrs?: Record<string, string | number | boolean>;
  plain?: string[];
  children?: XmlNode[];
}

export const ANDROID_NS = 'http://schemas.android.com/apk/res/android';

/** android.R.attr ids of the attributes tests use. */
const ATTR_IDS: Record<string, number> = {
  name: 0x01010003,
  protectionLevel: 0x01010009,
  minSdkVersion: 0x0101020c,
  versionCode: 0x0101021b,
  versionName: 0x0101021c,
  targetSdkVersion: 0x01010270,
};

const u16 = (n: number) => {
  const b = Buffer.alloc(2);
  b.writeUInt16LE(n);
  return b;
};
const u32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n >>> 0);
  return b;
};
const chunk = (type: number, headerSize: number, header: Buffer, body: Buffer) =>
  Buffer.concat([u16(type), u16(headerSize), u32(8 + header.length + body.length), header, body]);

export interface EncodeOptions {
  utf8?: boolean;
  /** Blank the android: attribute names in the pool, as obfuscators do (readers fall back to the resource map). */
  blankAttributeNames?: boolean;
}

export function encodeAxml(root: XmlNode, options: EncodeOptions = {}): Buffer {
  // Android attribute names first: the resource map runs parallel to the start of the pool.
  const androidNames: string[] = [];
  const others: string[] = [];
  const walk = (node: XmlNode) => {
    for (const key of Object.keys(node.attrs ?? {})) {
      const isAndroid = !(node.plain ?? []).includes(key) && key in ATTR_IDS;
      const list = isAndroid ? androidNames : others;
      if (!list.includes(key)) list.push(key);
      const v = node.attrs![key];
      if (typeof v === 'string' && !others.includes(v)) others.push(v);
    }
    if (!others.includes(node.name)) others.push(node.name);
    for (const c of node.children ?? []) walk(c);
  };
  walk(root);
  const pool = [...androidNames, ...others.filter((s) => !androidNames.includes(s)), 'android', ANDROID_NS];
  const poolText = pool.map((s, i) => (options.blankAttributeNames && i < androidNames.length ? '' : s));
  const index = (s: string) => pool.indexOf(s);

  const encoded = poolText.map((s) => {
    if (options.utf8) {
      const bytes = Buffer.from(s, 'utf8');
      return Buffer.concat([Buffer.from([s.length, bytes.length]), bytes, Buffer.from([0])]);
    }
    return Buffer.concat([u16(s.length), Buffer.from(s, 'utf16le'), u16(0)]);
  });
  let at = 0;
  const offsets = encoded.map((e) => {
    const o = at;
    at += e.length;
    return o;
  });
  let data = Buffer.concat(encoded);
  if (data.length % 4) data = Buffer.concat([data, Buffer.alloc(4 - (data.length % 4))]);
  const poolHeader = Buffer.concat([u32(pool.length), u32(0), u32(options.utf8 ? 0x100 : 0), u32(28 + pool.length * 4), u32(0)]);
  const stringPool = chunk(0x0001, 28, poolHeader, Buffer.concat([...offsets.map(u32), data]));
  const resourceMap = chunk(0x0180, 8, Buffer.alloc(0), Buffer.concat(androidNames.map((n) => u32(ATTR_IDS[n]!))));

  const node = (type: number, extra: Buffer) => chunk(type, 16, Buffer.concat([u32(1), u32(0xffffffff)]), extra);
  const body: Buffer[] = [node(0x0100, Buffer.concat([u32(index('android')), u32(index(ANDROID_NS))]))];
  const emit = (n: XmlNode) => {
    const attrs = Object.entries(n.attrs ?? {});
    const attrBytes = attrs.map(([key, v]) => {
      const android = !(n.plain ?? []).includes(key) && key in ATTR_IDS;
      const ns = android ? index(ANDROID_NS) : 0xffffffff;
      let raw = 0xffffffff;
      let type = 0x03;
      let value = 0;
      if (typeof v === 'string') {
        raw = index(v);
        value = raw;
      } else if (typeof v === 'number') {
        type = 0x10;
        value = v;
      } else {
        type = 0x12;
        value = v ? 0xffffffff : 0;
      }
      return Buffer.concat([u32(ns), u32(index(key)), u32(raw), u16(8), Buffer.from([0, type]), u32(value)]);
    });
    const ext = Buffer.concat([u32(0xffffffff), u32(index(n.name)), u16(20), u16(20), u16(attrs.length), u16(0), u16(0), u16(0)]);
    body.push(node(0x0102, Buffer.concat([ext, ...attrBytes])));
    for (const c of n.children ?? []) emit(c);
    body.push(node(0x0103, Buffer.concat([u32(0xffffffff), u32(index(n.name))])));
  };
  emit(root);
  body.push(node(0x0101, Buffer.concat([u32(index('android')), u32(index(ANDROID_NS))])));
  return chunk(0x0003, 8, Buffer.alloc(0), Buffer.concat([stringPool, resourceMap, ...body]));
}

/** A DEX header (0x70 bytes, the rest of a real file left out) with the given table sizes. */
export function minimalDex(counts: { strings: number; types: number; protos: number; fields: number; methods: number; classes: number }, version = '035'): Buffer {
  const b = Buffer.alloc(0x70);
  b.write(`dex\n${version}\0`, 0, 'latin1');
  b.writeUInt32LE(0x70, 32);
  b.writeUInt32LE(0x70, 36);
  b.writeUInt32LE(0x12345678, 40);
  b.writeUInt32LE(counts.strings, 56);
  b.writeUInt32LE(counts.types, 64);
  b.writeUInt32LE(counts.protos, 72);
  b.writeUInt32LE(counts.fields, 80);
  b.writeUInt32LE(counts.methods, 88);
  b.writeUInt32LE(counts.classes, 96);
  return b;
}
