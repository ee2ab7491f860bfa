/**
 * Our own packer and installer rules (section names, entry-point bytes, overlay and resource
 * markers, the CLR header): what fills VirusTotal's `packers` under the tool name `assay`.
 * Written from the formats' public descriptions; no third-party signature set is used.
 */

export interface PackerEvidence {
  sectionNames: readonly string[];
  /** Up to 64 bytes at the entry point (empty when it maps nowhere). */
  entryBytes: Uint8Array;
  /** The first 4 KiB of the overlay, when there is one. */
  overlayHead: Uint8Array;
  /** The last 4 KiB of the file. */
  fileTail: Uint8Array;
  /** The DOS header and stub (first 0x40 bytes). */
  dosHeader: Uint8Array;
  /** Names of RT_RCDATA and other named resources, upper-cased. */
  resourceNames: readonly string[];
  /** The first bytes of each resource, for script and archive markers. */
  resourceHeads: readonly Uint8Array[];
  importedFunctions: ReadonlySet<string>;
  importedLibraries: readonly string[];
  isDotNet: boolean;
}

interface SectionRule {
  name: string;
  sections: readonly string[];
}

const SECTION_RULES: readonly SectionRule[] = [
  { name: 'UPX', sections: ['UPX0', 'UPX1', 'UPX2', 'UPX!'] },
  { name: 'MPRESS', sections: ['.MPRESS1', '.MPRESS2'] },
  { name: 'ASPack', sections: ['.aspack', '.adata'] },
  { name: 'PECompact', sections: ['PEC2', 'PEC2TO', 'PEC2MO', 'pec1', 'pec2', 'PECompact2'] },
  { name: 'Themida', sections: ['.themida', 'Themida', '.winlice'] },
  { name: 'VMProtect', sections: ['.vmp0', '.vmp1', '.vmp2'] },
  { name: 'NsPack', sections: ['.nsp0', '.nsp1', '.nsp2', 'nsp0', 'nsp1'] },
  { name: 'Petite', sections: ['.petite'] },
  { name: 'Enigma', sections: ['.enigma1', '.enigma2'] },
  { name: 'MEW', sections: ['MEW'] },
  { name: 'RLPack', sections: ['.RLPack'] },
  { name: 'kkrunchy', sections: ['kkrunchy'] },
  { name: 'Nullsoft Installer', sections: ['.ndata'] },
];

function startsWith(data: Uint8Array, bytes: readonly number[], at = 0): boolean {
  if (data.length < at + bytes.length) return false;
  for (let i = 0; i < bytes.length; i++) if (data[at + i] !== bytes[i]) return false;
  return true;
}

function contains(data: Uint8Array, text: string): boolean {
  return Buffer.from(data.buffer, data.byteOffset, data.length).includes(text, 0, 'latin1');
}

/** Names of the packers, protectors and installers found, in rule order, without repeats. */
export function detectPackers(e: PackerEvidence): string[] {
  const found = new Set<string>();
  const sections = new Set(e.sectionNames);
  for (const rule of SECTION_RULES) if (rule.sections.some((s) => sections.has(s))) found.add(rule.name);

  // UPX's classic i386 stub: pushad; mov esi, imm32; lea edi, [esi-imm32].
  if (startsWith(e.entryBytes, [0x60, 0xbe]) && e.entryBytes[6] === 0x8d && e.entryBytes[7] === 0xbe) found.add('UPX');
  // ASPack 2.x: pushad; call +3 (E8 03 00 00 00) at the entry point.
  if (startsWith(e.entryBytes, [0x60, 0xe8, 0x03, 0x00, 0x00, 0x00])) found.add('ASPack');
  // MPRESS: pushad; call +0 (E8 00 00 00 00); pop eax.
  if (startsWith(e.entryBytes, [0x60, 0xe8, 0x00, 0x00, 0x00, 0x00, 0x58])) found.add('MPRESS');

  // NSIS: the first header block after the stub carries this signature at offset 4.
  if (contains(e.overlayHead.subarray(0, 32), '\xef\xbe\xad\xdeNullsoftInst')) found.add('Nullsoft Installer');
  // Inno Setup: "InUn" in the DOS header, or its setup-data marker in the overlay or a resource.
  if (startsWith(e.dosHeader, [0x49, 0x6e, 0x55, 0x6e], 0x30) || contains(e.overlayHead.subarray(0, 64), 'Inno Setup') || e.resourceHeads.some((h) => contains(h.subarray(0, 64), 'Inno Setup Setup Data'))) {
    found.add('Inno Setup');
  }
  // PyInstaller's archive cookie sits near the end of the file.
  if (contains(e.fileTail, 'MEI\x0c\x0b\x0a\x0b\x0e')) found.add('PyInstaller');
  // AutoIt v3 compiled scripts: the AU3 marker in the overlay or a resource named SCRIPT.
  if (contains(e.overlayHead, 'AU3!EA06') || e.resourceNames.includes('SCRIPT') && e.resourceHeads.some((h) => contains(h.subarray(0, 64), 'AU3!'))) found.add('AutoIt');
  if (startsWith(e.overlayHead, [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c])) found.add('7-Zip SFX');
  if (startsWith(e.overlayHead, [0x52, 0x61, 0x72, 0x21, 0x1a, 0x07])) found.add('WinRAR SFX');
  if (startsWith(e.overlayHead, [0x50, 0x4b, 0x03, 0x04])) found.add('ZIP SFX');
  if (e.isDotNet) found.add('.NET');
  return [...found];
}
