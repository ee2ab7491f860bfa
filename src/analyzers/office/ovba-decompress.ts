/**
 * MS-OVBA compression, decompression side ([MS-OVBA] 2.4.1, "Compression and Decompression";
 * the algorithm of 2.4.1.3.1 Decompression, 2.4.1.3.2 Decompressing a CompressedChunk and
 * 2.4.1.3.19.2 Unpacking a CopyToken). Written by hand: there is no maintained npm package for it,
 * and the algorithm is a page of the spec. Output is capped so a crafted stream cannot grow memory.
 */

export interface Decompressed {
  data: Buffer;
  /** True when the output limit cut the stream short. */
  truncated: boolean;
  /** Set when the container ended in a malformed chunk (what came before is kept). */
  error?: string;
}

const CHUNK_BYTES = 4096;

export function decompressContainer(input: Uint8Array, maxOutput: number): Decompressed {
  if (input.length === 0 || input[0] !== 0x01) return { data: Buffer.alloc(0), truncated: false, error: 'no compressed container signature' };
  // A chunk decompresses to at most 4096 bytes, so the output is bounded by the chunk count too.
  const out = Buffer.alloc(Math.min(maxOutput, Math.ceil(input.length / 3) * CHUNK_BYTES + CHUNK_BYTES));
  let outLen = 0;
  let pos = 1;
  while (pos < input.length) {
    if (pos + 2 > input.length) return { data: out.subarray(0, outLen), truncated: false, error: 'truncated chunk header' };
    const header = input[pos]! | (input[pos + 1]! << 8);
    const chunkSize = (header & 0x0fff) + 3;
    const signature = (header >> 12) & 0x07;
    const compressed = (header & 0x8000) !== 0;
    if (signature !== 0b011) return { data: out.subarray(0, outLen), truncated: false, error: `bad chunk signature at ${pos}` };
    const chunkEnd = Math.min(pos + chunkSize, input.length);
    pos += 2;
    const chunkStart = outLen;
    if (!compressed) {
      // 2.4.1.3.3: an uncompressed chunk is 4096 raw bytes.
      const n = Math.min(CHUNK_BYTES, chunkEnd - pos);
      const room = out.length - outLen;
      out.set(input.subarray(pos, pos + Math.min(n, room)), outLen);
      outLen += Math.min(n, room);
      if (n > room) return { data: out.subarray(0, outLen), truncated: true };
      pos = chunkEnd;
      continue;
    }
    while (pos < chunkEnd) {
      const flags = input[pos++]!;
      for (let bit = 0; bit < 8 && pos < chunkEnd; bit++) {
        if ((flags & (1 << bit)) === 0) {
          if (outLen >= out.length) return { data: out, truncated: true };
          out[outLen++] = input[pos++]!;
          continue;
        }
        if (pos + 2 > chunkEnd) return { data: out.subarray(0, outLen), truncated: false, error: 'truncated copy token' };
        const token = input[pos]! | (input[pos + 1]! << 8);
        pos += 2;
        // 2.4.1.3.19.1 CopyToken Help: the split between offset and length bits grows with the position in the chunk.
        const difference = outLen - chunkStart;
        let bitCount = 4;
        while (1 << bitCount < difference) bitCount++;
        const lengthMask = 0xffff >> bitCount;
        const length = (token & lengthMask) + 3;
        const offset = (token >> (16 - bitCount)) + 1;
        if (offset > difference) return { data: out.subarray(0, outLen), truncated: false, error: `copy token reaches before its chunk at ${pos - 2}` };
        for (let i = 0; i < length; i++) {
          if (outLen >= out.length) return { data: out, truncated: true };
          out[outLen] = out[outLen - offset]!;
          outLen++;
        }
      }
    }
    pos = chunkEnd;
  }
  return { data: out.subarray(0, outLen), truncated: false };
}
