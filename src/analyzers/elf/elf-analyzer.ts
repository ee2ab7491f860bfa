/**
 * The `elf` analyzer: VirusTotal's `elf_info` attribute, `packers` for UPX-packed files, and the tags
 * VT gives ELF files (`elf`, `64bits`, `shared-lib`, `upx`). Reads only the tables it needs.
 */
import { open } from 'node:fs/promises';
import type { Logger } from 'pino';
import type { Analyzer, AnalyzerOutput, FileInput, PluginManifest, Readiness } from '../../core/plugin.js';
import { PluginError } from '../../core/plugin.js';
import { fileReader } from './byte-reader.js';
import { detectElfPacker } from './elf-packers.js';
import { parseElf, type ElfInfo } from './elf-parser.js';

export interface ElfAnalyzerOptions {
  logger: Logger;
}

/** Caps on what one file adds to its stored object (libLLVM exports ~60,000 symbols). */
export const ELF_OUTPUT_CAPS = { sections: 1024, segments: 256, resourcesPerSegment: 256, symbols: 5000, libraries: 256 };
/** The key in VT's `packers` attribute (tool name -> finding) under which our finding is filed. */
export const PACKER_TOOL = 'Assay ELF';

export function createElfAnalyzer(options: ElfAnalyzerOptions): Analyzer {
  const { logger } = options;
  let readiness: Readiness = { ready: false, detail: 'not started' };
  const manifest: PluginManifest = {
    name: 'elf',
    version: '1.0.0',
    description: 'ELF header, sections, segments, dynamic imports/exports and libraries (elf_info); UPX detection',
    accepts: { kinds: ['file'], typeTags: ['elf'] },
    timeoutMs: 30_000,
    needsNetwork: false,
  };
  return {
    manifest,
    async start() {
      readiness = { ready: true, detail: 'in-process parser (compared with GNU readelf)', engineVersion: manifest.version };
      return readiness;
    },
    status: () => readiness,
    async analyze(input: FileInput, signal: AbortSignal): Promise<AnalyzerOutput> {
      if (!readiness.ready) throw new PluginError('not_ready', readiness.detail ?? 'elf analyzer not started');
      if (signal.aborted) throw signal.reason;
      const handle = await open(input.path, 'r').catch((err: Error) => {
        throw new PluginError('file_unreadable', err.message);
      });
      try {
        const { size } = await handle.stat();
        const reader = fileReader(handle, size);
        const elf = await parseElf(reader);
        if (!elf) return { attributes: {} };
        if (elf.anomalies.length > 0) logger.debug({ sha256: input.sha256, anomalies: elf.anomalies.slice(0, 20) }, 'ELF anomalies');
        if (signal.aborted) throw signal.reason;
        const packer = await detectElfPacker(reader, elf);
        const attributes: Record<string, unknown> = { elf_info: capped(elf.info) };
        const tags = ['elf'];
        if (elf.is64) tags.push('64bits');
        if (elf.info.header.type.startsWith('DYN (Shared')) tags.push('shared-lib');
        if (packer) {
          attributes.packers = { [PACKER_TOOL]: packer.name };
          tags.push('upx');
        }
        return { attributes, tags };
      } finally {
        await handle.close();
      }
    },
    async close() {
      readiness = { ready: false, detail: 'closed' };
    },
  };
}

function capped(info: ElfInfo): ElfInfo {
  const c = ELF_OUTPUT_CAPS;
  return {
    ...info,
    section_list: info.section_list.slice(0, c.sections),
    segment_list: info.segment_list.slice(0, c.segments).map((s) => ({ ...s, resources: s.resources.slice(0, c.resourcesPerSegment) })),
    import_list: info.import_list.slice(0, c.symbols),
    export_list: info.export_list.slice(0, c.symbols),
    shared_libraries: info.shared_libraries.slice(0, c.libraries),
  };
}
