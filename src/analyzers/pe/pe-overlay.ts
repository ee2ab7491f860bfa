/** Where appended data (the overlay) starts: the end of the furthest header, section or directory, as pefile finds it. */
import { DIR, type PeImage } from './pe-image.js';

/** The overlay's file offset, or undefined when nothing follows the last structure. */
export function overlayOffset(pe: PeImage): number | undefined {
  const fileSize = pe.data.length;
  let best = 0;
  const consider = (offset: number, size: number): void => {
    const end = offset + size;
    if (end <= fileSize && end > best) best = end;
  };
  consider(pe.optionalHeaderOffset, pe.sizeOfOptionalHeader);
  for (const s of pe.sections) consider(s.rawPointer, s.rawSize);
  pe.directories.forEach((d, index) => {
    // The Authenticode signature sits after the image and is reported as part of the overlay.
    if (index === DIR.SECURITY) return;
    const offset = pe.offsetOfRva(d.rva);
    if (offset !== undefined) consider(offset, d.size);
  });
  return fileSize > best ? best : undefined;
}
