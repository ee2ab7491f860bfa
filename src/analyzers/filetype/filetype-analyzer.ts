/** The `filetype` analyzer: VT's `magic`, `magika` and type_description/type_tag/type_tags/type_extension. */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { Logger } from 'pino';
import type { Analyzer, AnalyzerOutput, FileInput, PluginManifest, Readiness } from '../../core/plugin.js';
import { PluginError } from '../../core/plugin.js';
import { MagicProcess } from './magic-process.js';
import { loadMagika, type MagikaClassifier } from './magika-classifier.js';
import { resolveVtType } from './resolve-vt-type.js';

export interface FiletypeAnalyzerOptions {
  /** Directory holding Magika's model.onnx and config.min.json; without it `magika` is left out. */
  magikaModelDir?: string;
  logger: Logger;
  /** The libmagic `file` executable. */
  fileCommand?: string;
}

/** Executables built for 64-bit targets; VirusTotal adds the `64bits` tag to these. */
const SIXTY_FOUR_BIT = /^(PE32\+ executable|ELF 64-bit|Mach-O 64-bit)/;

export function createFiletypeAnalyzer(options: FiletypeAnalyzerOptions): Analyzer {
  const { logger, magikaModelDir } = options;
  const fileCommand = options.fileCommand ?? 'file';
  let describe: MagicProcess | undefined;
  let mime: MagicProcess | undefined;
  let magika: MagikaClassifier | undefined;

  const manifest: PluginManifest = {
    name: 'filetype',
    version: '1.0.0',
    description: "libmagic and Magika file type, in VirusTotal's type vocabulary",
    accepts: { kinds: ['file'] },
    // Both tools read only the start (and, for Magika, the end) of a file.
    timeoutMs: 30_000,
    needsNetwork: false,
  };

  async function startLibmagic(): Promise<string> {
    const { stdout } = await promisify(execFile)(fileCommand, ['--version'], { timeout: 10_000 });
    const version = stdout.split('\n')[0]!.trim();
    const d = new MagicProcess({ name: 'describe', logger, command: fileCommand });
    const m = new MagicProcess({ name: 'mime', logger, command: fileCommand, args: ['--mime-type'] });
    try {
      await Promise.all([d.start(), m.start()]);
    } catch (err) {
      await Promise.allSettled([d.close(), m.close()]);
      throw err;
    }
    describe = d;
    mime = m;
    return version;
  }

  return {
    manifest,

    async start(): Promise<Readiness> {
      const notes: string[] = [];
      const versions: string[] = [];
      try {
        const version = await startLibmagic();
        versions.push(version);
        notes.push(`libmagic ${version}`);
      } catch (err) {
        notes.push(`libmagic off: cannot run ${fileCommand}: ${(err as Error).message}`);
        logger.error({ err }, 'libmagic unavailable; magic and its type evidence will be missing');
      }
      if (!magikaModelDir) {
        notes.push('magika off: no model directory configured (ASSAY_MAGIKA_MODEL_DIR)');
      } else {
        try {
          magika = await loadMagika(magikaModelDir, logger);
          versions.push(`magika model ${magika.modelId}`);
          notes.push(`magika (model ${magika.modelId} from ${magikaModelDir}) via onnxruntime-node in a worker thread`);
        } catch (err) {
          notes.push(`magika off: cannot load the model from ${magikaModelDir}: ${(err as Error).message}`);
          logger.error({ err, magikaModelDir }, 'magika unavailable');
        }
      }
      const ready = describe !== undefined || magika !== undefined;
      return { ready, detail: notes.join('; '), ...(versions.length > 0 ? { engineVersion: versions.join('; ') } : {}) };
    },

    async analyze(input: FileInput, signal: AbortSignal): Promise<AnalyzerOutput> {
      const [magicResult, mimeResult, magikaResult] = await Promise.allSettled([
        describe?.query(input.path, signal),
        mime?.query(input.path, signal),
        magika?.identify(input.path, signal),
      ]);
      signal.throwIfAborted();

      const magic = settledValue(magicResult, 'magic');
      if (magic?.startsWith('cannot open')) throw new PluginError('file_unreadable', magic);
      const mimeType = settledValue(mimeResult, 'mime');
      const label = settledValue(magikaResult, 'magika')?.label;
      if (magic === undefined && label === undefined) {
        const failed = [magicResult, magikaResult].find((r) => r.status === 'rejected') as PromiseRejectedResult | undefined;
        throw failed?.reason ?? new PluginError('no_evidence', 'neither libmagic nor magika answered');
      }

      const type = resolveVtType({ magic, mime: mimeType, magika: label });
      const attributes: Record<string, unknown> = {
        type_description: type.type_description,
        type_tag: type.type_tag,
        type_tags: [...type.type_tags],
      };
      if (type.type_extension) attributes.type_extension = type.type_extension;
      if (magic !== undefined) attributes.magic = magic;
      // VirusTotal prints Magika's label in upper case ("PEBIN", "POWERSHELL").
      if (label !== undefined) attributes.magika = label.toUpperCase();

      const tags: string[] = [];
      if (type.type_tag !== 'unknown' && type.type_tag !== 'empty') tags.push(type.type_tag);
      if (magic !== undefined && SIXTY_FOUR_BIT.test(magic)) tags.push('64bits');
      return { attributes, tags };
    },

    async close(): Promise<void> {
      const closing = [describe?.close(), mime?.close(), magika?.close()];
      describe = mime = magika = undefined;
      await Promise.allSettled(closing);
    },
  };

  /** A sub-tool's answer, or undefined (logged) when it failed; one failing tool must not sink the others. */
  function settledValue<T>(result: PromiseSettledResult<T | undefined>, what: string): T | undefined {
    if (result.status === 'fulfilled') return result.value;
    logger.warn({ err: result.reason, what }, 'file type evidence missing');
    return undefined;
  }
}
