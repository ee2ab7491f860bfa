/**
 * The predictors of FlateDecode and LZWDecode (ISO 32000-1 §7.4.4.4): TIFF predictor 2 and the PNG
 * row filters (10–15). Parameters out of range are refused rather than guessed, and the row width
 * is bounded, so a hostile /Columns cannot ask for a huge row.
 */

export interface PredictorParams {
  predictor: number;
  colors: number;
  bitsPerComponent: number;
  columns: number;
}

export class PredictorError extends Error {}

/** The widest row accepted, in bytes (a 16-bit RGBA row of 2^20 pixels is 8 MiB). */
const MAX_ROW_BYTES = 1 << 24;

export function unpredict(data: Buffer, p: PredictorParams): Buffer {
  if (p.predictor === 1) return data;
  const valid =
    Number.isInteger(p.colors) && p.colors >= 1 && p.colors <= 32 &&
    [1, 2, 4, 8, 16].includes(p.bitsPerComponent) &&
    Number.isInteger(p.columns) && p.columns >= 1;
  if (!valid) throw new PredictorError(`predictor parameters out of range (Colors ${p.colors}, BitsPerComponent ${p.bitsPerComponent}, Columns ${p.columns})`);
  const rowBytes = Math.ceil((p.colors * p.bitsPerComponent * p.columns) / 8);
  if (rowBytes > MAX_ROW_BYTES) throw new PredictorError(`predictor row of ${rowBytes} bytes is too wide`);
  const bpp = Math.max(1, Math.ceil((p.colors * p.bitsPerComponent) / 8));
  if (p.predictor === 2) return tiff(data, rowBytes, p);
  if (p.predictor >= 10 && p.predictor <= 15) return png(data, rowBytes, bpp);
  throw new PredictorError(`unknown predictor ${p.predictor}`);
}

function png(data: Buffer, rowBytes: number, bpp: number): Buffer {
  const rows = Math.floor(data.length / (rowBytes + 1));
  const out = Buffer.alloc(rows * rowBytes);
  for (let r = 0; r < rows; r++) {
    const inRow = r * (rowBytes + 1);
    const filter = data[inRow]!;
    const o = r * rowBytes;
    for (let i = 0; i < rowBytes; i++) {
      const x = data[inRow + 1 + i]!;
      const left = i >= bpp ? out[o + i - bpp]! : 0;
      const up = r > 0 ? out[o - rowBytes + i]! : 0;
      const upLeft = r > 0 && i >= bpp ? out[o - rowBytes + i - bpp]! : 0;
      let v: number;
      switch (filter) {
        case 0: v = x; break;
        case 1: v = x + left; break;
        case 2: v = x + up; break;
        case 3: v = x + ((left + up) >> 1); break;
        case 4: {
          const pa = Math.abs(up - upLeft);
          const pb = Math.abs(left - upLeft);
          const pc = Math.abs(left + up - 2 * upLeft);
          v = x + (pa <= pb && pa <= pc ? left : pb <= pc ? up : upLeft);
          break;
        }
        default:
          throw new PredictorError(`PNG row filter ${filter} out of range`);
      }
      out[o + i] = v & 0xff;
    }
  }
  return out;
}

/** TIFF predictor 2 for 8- and 16-bit components (the ones seen in practice); others are refused. */
function tiff(data: Buffer, rowBytes: number, p: PredictorParams): Buffer {
  if (p.bitsPerComponent !== 8 && p.bitsPerComponent !== 16) throw new PredictorError(`TIFF predictor with ${p.bitsPerComponent}-bit components is not supported`);
  const out = Buffer.from(data.subarray(0, data.length - (data.length % rowBytes)));
  const step = p.colors * (p.bitsPerComponent / 8);
  for (let o = 0; o < out.length; o += rowBytes) {
    if (p.bitsPerComponent === 8) {
      for (let i = step; i < rowBytes; i++) out[o + i] = (out[o + i]! + out[o + i - step]!) & 0xff;
    } else {
      for (let i = step; i + 1 < rowBytes; i += 2) out.writeUInt16BE((out.readUInt16BE(o + i) + out.readUInt16BE(o + i - step)) & 0xffff, o + i);
    }
  }
  return out;
}
