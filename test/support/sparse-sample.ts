/** Large test samples that cost no disk: a sparse file of zeros with a marker written near its end. */
import fs from 'node:fs/promises';

/** The string signatures/clamav/assay.ndb's Assay.Test.Marker matches anywhere in a file. */
export const ASSAY_TEST_MARKER = 'ASSAY-HARMLESS-TEST-MARKER-5c1b7e';

/** Writes `size` bytes (holes, except the marker `tailBytes` before the end); remove it after use. */
export async function writeSparseSample(file: string, size: number, marker = ASSAY_TEST_MARKER, tailBytes = 4096): Promise<void> {
  const handle = await fs.open(file, 'w');
  try {
    await handle.truncate(size);
    await handle.write(Buffer.from(marker), 0, Buffer.byteLength(marker), size - tailBytes);
  } finally {
    await handle.close();
  }
}
