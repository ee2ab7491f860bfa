/**
 * The `\x01Ole10Native` stream of an OLE Package object (an embedded file): its label, source
 * path and payload. The layout is undocumented by Microsoft; this follows the one oletools'
 * oleobj reads: size, a short, three NUL-terminated strings around two longs, then the data.
 */

export interface Ole10Native {
  filename: string;
  sourcePath: string;
  tempPath: string;
  payload: Buffer;
}

const MAX_NAME = 1024;

export function parseOle10Native(stream: Buffer): Ole10Native | undefined {
  let pos = 4; // total size
  if (stream.length < 12) return undefined;
  pos += 2; // usually 2
  const cstring = (): string | undefined => {
    const end = stream.indexOf(0, pos);
    if (end < 0 || end - pos > MAX_NAME) return undefined;
    const s = stream.toString('latin1', pos, end);
    pos = end + 1;
    return s;
  };
  const filename = cstring();
  const sourcePath = cstring();
  if (filename === undefined || sourcePath === undefined) return undefined;
  pos += 8;
  const tempPath = cstring();
  if (tempPath === undefined || pos + 4 > stream.length) return undefined;
  const size = stream.readUInt32LE(pos);
  pos += 4;
  const payload = stream.subarray(pos, pos + Math.min(size, stream.length - pos));
  return { filename, sourcePath, tempPath, payload };
}
