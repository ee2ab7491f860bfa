/**
 * One Office file's bytes to VT attributes (`office_info` for OLE files, `openxml_info` for OOXML
 * packages) and tags; and `extractChildren`, the embedded objects as files for the unpacker.
 */
import { embeddedObjects, officeInfo } from './office-info.js';
import { isOle, OleFile } from './ole-reader.js';
import { OoxmlPackage, type ZipLimits, DEFAULT_ZIP_LIMITS } from './ooxml-package.js';
import { openxmlInfo } from './openxml-info.js';
import { DEFAULT_VBA_LIMITS, type VbaLimits } from './vba-project.js';

export interface OfficeAnalysis {
  attributes: Record<string, unknown>;
  tags: string[];
}

export interface OfficeLimits {
  vba: VbaLimits;
  zip: ZipLimits;
}

export const DEFAULT_OFFICE_LIMITS: OfficeLimits = { vba: DEFAULT_VBA_LIMITS, zip: DEFAULT_ZIP_LIMITS };

function isZip(data: Buffer): boolean {
  return data.length >= 4 && data.readUInt32LE(0) === 0x04034b50;
}

/** Attributes for an OLE or OOXML file; empty for anything else (or a ZIP that is not OOXML). */
export async function analyzeOffice(data: Buffer, limits: OfficeLimits = DEFAULT_OFFICE_LIMITS): Promise<OfficeAnalysis> {
  if (isOle(data)) {
    const { info, tags } = officeInfo(new OleFile(data), limits.vba);
    return { attributes: { office_info: info }, tags };
  }
  if (isZip(data)) {
    const pkg = await OoxmlPackage.open(data, limits.zip);
    try {
      if (!pkg.part('[Content_Types].xml')) return { attributes: {}, tags: [] };
      const { info, tags } = await openxmlInfo(pkg, limits.vba);
      return { attributes: { openxml_info: info }, tags };
    } finally {
      pkg.close();
    }
  }
  return { attributes: {}, tags: [] };
}

/** The last component of a part, storage or Windows path: a child's name, never a path. */
function baseName(name: string): string {
  return name.split(/[\\/]/).filter(Boolean).pop() ?? 'embedded';
}

/** Embedded objects (OLE Package payloads, embedded documents, ActiveX binaries) as candidate child files. */
export async function extractChildren(data: Buffer, limits: OfficeLimits = DEFAULT_OFFICE_LIMITS): Promise<Array<{ name: string; bytes: Buffer }>> {
  if (isOle(data)) {
    return embeddedObjects(new OleFile(data)).map(({ meta, bytes }) => ({ name: baseName(meta.filename || meta.name), bytes }));
  }
  if (isZip(data)) {
    const pkg = await OoxmlPackage.open(data, limits.zip);
    try {
      if (!pkg.part('[Content_Types].xml')) return [];
      return (await openxmlInfo(pkg, limits.vba)).children.map((c) => ({ name: baseName(c.name), bytes: c.bytes }));
    } finally {
      pkg.close();
    }
  }
  return [];
}
