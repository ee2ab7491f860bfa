/**
 * One PE file in, VirusTotal's file attributes out: `pe_info`, `packers`, `signature_info`,
 * `authentihash`, `dot_net_assembly`, and the tags they imply. Every part is bounded by the
 * limits in pe-limits.ts; a part that fails or runs out of time is left out, the rest is kept.
 */
import { computeAuthentihash, parseAuthenticode, type SignatureInfo } from './authenticode.js';
import { byteStats, md5Hex, round2 } from './byte-stats.js';
import { parseDotNet, type DotNetAssembly } from './dotnet-metadata.js';
import { detectPackers } from './packer-rules.js';
import { parseExports } from './pe-exports.js';
import { DIR, PeFormatError, PeImage, type SectionHeader } from './pe-image.js';
import { parseImports, type ImportsResult } from './pe-imports.js';
import { Budget, BudgetExceeded, DEFAULT_PE_LIMITS, type PeLimits } from './pe-limits.js';
import { overlayOffset } from './pe-overlay.js';
import { parseResources, type ResourcesResult } from './pe-resources.js';
import { parseRichHeader } from './rich-header.js';
import { sniffFiletype } from './sniff-filetype.js';
import { versionStrings } from './version-info.js';

export interface PeSection {
  name: string;
  virtual_address: number;
  virtual_size: number;
  raw_size: number;
  entropy: number;
  md5: string;
  chi2: number;
  flags: string;
}

export interface PeOverlay {
  offset: number;
  size: number;
  entropy: number;
  md5: string;
  chi2: number;
  filetype: string;
}

export interface PeInfo {
  machine_type: number;
  timestamp: number;
  entry_point: number;
  imphash: string;
  rich_pe_header_hash?: string;
  compiler_product_versions?: string[];
  sections: PeSection[];
  import_list: ImportsResult['importList'];
  exports?: string[];
  resource_details?: ResourcesResult['details'];
  resource_types?: Record<string, number>;
  resource_langs?: Record<string, number>;
  overlay?: PeOverlay;
}

export interface PeAnalysis {
  attributes: {
    pe_info: PeInfo;
    packers?: Record<string, string>;
    authentihash?: string;
    /** The Authenticode facts when signed, plus the version-resource strings whether signed or not (as VirusTotal does). */
    signature_info?: Partial<SignatureInfo> & Record<string, unknown>;
    dot_net_assembly?: DotNetAssembly;
  };
  tags: string[];
  /** Parts skipped for damage or limits, for the logs. */
  warnings: string[];
}

/** Raised when the bytes are not a PE at all (no MZ, no PE signature, no optional header). */
export { PeFormatError };

const SCN_MEM_EXECUTE = 0x20000000;
const SCN_MEM_READ = 0x40000000;
const SCN_MEM_WRITE = 0x80000000;
const DEBUGGER_CHECKS = ['IsDebuggerPresent', 'CheckRemoteDebuggerPresent'];

export function sectionFlags(characteristics: number): string {
  return `${characteristics & SCN_MEM_READ ? 'r' : ''}${characteristics & SCN_MEM_WRITE ? 'w' : ''}${characteristics & SCN_MEM_EXECUTE ? 'x' : ''}`;
}

export function analyzePe(data: Buffer, limits: PeLimits = DEFAULT_PE_LIMITS): PeAnalysis {
  if (data.length > limits.maxFileBytes) throw new PeFormatError(`file larger than ${limits.maxFileBytes} bytes`);
  const budget = new Budget(limits, data.length);
  const pe = new PeImage(data, budget);
  const warnings = [...pe.warnings];
  const tags: string[] = [pe.isDll ? 'pedll' : 'peexe'];
  if (pe.is64) tags.push('64bits');

  /** Runs one part; damage or an exhausted budget costs that part only. */
  const part = <T>(name: string, run: () => T): T | undefined => {
    try {
      return run();
    } catch (err) {
      if (err instanceof BudgetExceeded || err instanceof RangeError || err instanceof PeFormatError) {
        warnings.push(`${name}: ${(err as Error).message}`);
        return undefined;
      }
      throw err;
    }
  };

  const peInfo: PeInfo = {
    machine_type: pe.machine,
    timestamp: pe.timeDateStamp,
    entry_point: pe.entryPoint,
    imphash: '',
    sections: part('sections', () => pe.sections.map((s) => sectionInfo(pe, s, budget))) ?? [],
    import_list: [],
  };
  const imports = part('imports', () => parseImports(pe, budget));
  if (imports) {
    peInfo.imphash = imports.imphash;
    peInfo.import_list = imports.importList;
  }
  const rich = part('rich header', () => parseRichHeader(pe));
  if (rich) {
    peInfo.rich_pe_header_hash = rich.hash;
    if (rich.compilerProductVersions.length > 0) peInfo.compiler_product_versions = rich.compilerProductVersions;
  }
  const exports = part('exports', () => parseExports(pe, budget));
  if (exports && exports.names.length > 0) peInfo.exports = exports.names;
  const resources = part('resources', () => parseResources(pe, budget));
  if (resources && resources.details.length > 0) {
    peInfo.resource_details = resources.details;
    peInfo.resource_types = resources.types;
    peInfo.resource_langs = resources.langs;
  }
  const overlayAt = part('overlay', () => overlayOffset(pe));
  let overlayHead: Buffer = Buffer.alloc(0);
  if (overlayAt !== undefined) {
    const overlay = data.subarray(overlayAt);
    overlayHead = overlay.subarray(0, 4096);
    const hashed = budget.claimHashing(overlay.length);
    const stats = hashed ? byteStats(overlay) : { entropy: 0, chi2: 0 };
    peInfo.overlay = {
      offset: overlayAt,
      size: overlay.length,
      entropy: round2(stats.entropy),
      md5: hashed ? md5Hex(overlay) : '',
      chi2: round2(stats.chi2),
      filetype: sniffFiletype(overlay),
    };
    tags.push('overlay');
  }

  const attributes: PeAnalysis['attributes'] = { pe_info: peInfo };
  const authentihash = part('authentihash', () => computeAuthentihash(pe, 'sha256'));
  if (authentihash) attributes.authentihash = authentihash.toString('hex');
  if (pe.directory(DIR.SECURITY).size > 0) {
    const signature = part('signature', () => parseAuthenticode(pe, budget));
    if (signature) {
      attributes.signature_info = { ...signature.info };
      tags.push('signed');
      if (!signature.valid) tags.push('invalid-signature');
    }
  }
  const versionLeaf = resources?.leaves.find((l) => l.type === 'RT_VERSION');
  const version = versionLeaf ? part('version info', () => versionStrings(versionLeaf.data, limits.maxStringBytes)) : undefined;
  if (version && Object.keys(version).length > 0) attributes.signature_info = { ...version, ...attributes.signature_info };
  const dotNet = pe.directory(DIR.CLR).rva !== 0 ? part('.NET metadata', () => parseDotNet(pe, budget)) : undefined;
  if (dotNet) {
    attributes.dot_net_assembly = dotNet;
    tags.push('assembly');
  }

  const packers = part('packers', () =>
    detectPackers({
      sectionNames: pe.sections.map((s) => s.name),
      entryBytes: pe.bytesAtRva(pe.entryPoint, 64),
      overlayHead,
      fileTail: data.subarray(Math.max(0, data.length - 4096)),
      dosHeader: data.subarray(0, 0x40),
      resourceNames: (resources?.leaves ?? []).map((l) => l.name.toUpperCase()),
      resourceHeads: (resources?.leaves ?? []).map((l) => l.data.subarray(0, 64)),
      importedFunctions: imports?.functionNames ?? new Set(),
      importedLibraries: (imports?.importList ?? []).map((l) => l.library_name),
      isDotNet: pe.directory(DIR.CLR).rva !== 0,
    }),
  );
  if (packers && packers.length > 0) attributes.packers = { assay: packers.join(', ') };

  if (imports && DEBUGGER_CHECKS.some((f) => imports.functionNames.has(f))) tags.push('detect-debug-environment');
  return { attributes, tags, warnings };
}

function sectionInfo(pe: PeImage, s: SectionHeader, budget: Budget): PeSection {
  budget.check('sections');
  const data = pe.sectionData(s);
  const hashed = budget.claimHashing(data.length);
  const stats = hashed ? byteStats(data) : { entropy: 0, chi2: 0 };
  return {
    name: s.name,
    virtual_address: s.virtualAddress,
    virtual_size: s.virtualSize,
    raw_size: s.rawSize,
    entropy: round2(stats.entropy),
    md5: hashed ? md5Hex(data) : '',
    chi2: round2(stats.chi2),
    flags: sectionFlags(s.characteristics),
  };
}
