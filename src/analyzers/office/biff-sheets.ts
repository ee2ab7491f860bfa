/**
 * The sheets of a BIFF8 `Workbook` stream ([MS-XLS] 2.4.28 BoundSheet8): name, kind and
 * visibility, which tells Excel 4.0 (XLM) macro sheets and hidden sheets apart; and FilePass
 * (2.4.117), which marks an encrypted workbook.
 */

export interface BiffSheet {
  name: string;
  type: 'worksheet' | 'macrosheet' | 'chart' | 'vbamodule' | 'unknown';
  state: 'visible' | 'hidden' | 'very hidden';
}

const BOUNDSHEET8 = 0x0085;
const FILEPASS = 0x002f;
const EOF = 0x000a;
const MAX_RECORDS = 200_000;
const MAX_SHEETS = 1000;

export function readBiffSheets(stream: Buffer): { sheets: BiffSheet[]; encrypted: boolean } {
  const sheets: BiffSheet[] = [];
  let encrypted = false;
  let pos = 0;
  // Only the workbook globals substream, up to its first EOF record, holds BoundSheet8 records.
  for (let n = 0; n < MAX_RECORDS && pos + 4 <= stream.length; n++) {
    const type = stream.readUInt16LE(pos);
    const length = stream.readUInt16LE(pos + 2);
    const body = stream.subarray(pos + 4, Math.min(stream.length, pos + 4 + length));
    pos += 4 + length;
    if (type === EOF) break;
    if (type === FILEPASS) encrypted = true;
    if (type !== BOUNDSHEET8 || body.length < 8 || sheets.length >= MAX_SHEETS) continue;
    const state = body[4]! & 0x03;
    const dt = body[5]!;
    const cch = body[6]!;
    const wide = (body[7]! & 0x01) !== 0;
    const name = wide ? body.toString('utf16le', 8, Math.min(body.length, 8 + cch * 2)) : body.toString('latin1', 8, Math.min(body.length, 8 + cch));
    sheets.push({
      name,
      type: dt === 0 ? 'worksheet' : dt === 1 ? 'macrosheet' : dt === 2 ? 'chart' : dt === 6 ? 'vbamodule' : 'unknown',
      state: state === 0 ? 'visible' : state === 1 ? 'hidden' : 'very hidden',
    });
  }
  return { sheets, encrypted };
}
