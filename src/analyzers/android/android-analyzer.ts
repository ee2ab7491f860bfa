/**
 * The `android` analyzer: VirusTotal's `androguard` attribute for APKs (manifest facts, permissions
 * with their protection level, components, intent filters, the signer certificate, DEX header
 * counts) and for bare DEX files, `java_info` for Java archives, and the tags `apk`/`android`,
 * `dex`, `jar`/`java`. Reads the ZIP with yauzl and the binary manifest with our own bounded parser.
 */
import { open } from 'node:fs/promises';
import type { Logger } from 'pino';
import type { Analyzer, AnalyzerOutput, FileInput, PluginManifest, Readiness } from '../../core/plugin.js';
import { PluginError } from '../../core/plugin.js';
import { ApkArchive, DEFAULT_ARCHIVE_LIMITS, type ArchiveLimits } from './apk-zip.js';
import { manifestFacts } from './android-manifest.js';
import { DEFAULT_AXML_LIMITS, parseAxml } from './axml-parser.js';
import { isDex, parseDexHeader, type DexInfo } from './dex-header.js';
import { javaInfo } from './java-archive.js';
import { signingCertificate } from './signing-certificate.js';

export interface AndroidAnalyzerOptions {
  logger: Logger;
  maxBytes?: number;
  archiveLimits?: ArchiveLimits;
}

export const DEFAULT_ANDROID_MAX_BYTES = 512 * 1024 * 1024;
/** DEX files listed per APK (multidex apps ship classes.dex, classes2.dex...). */
const MAX_DEX_FILES = 64;
const DEX_HEADER_BYTES = 0x70;
const SIGNATURE_FILE = /^META-INF\/[^/]+\.(RSA|DSA|EC)$/i;

/**
 * VT's AndroidApplication / AndroidApplicationInfo pair: the type androguard recognised. The
 * integers are ours (VT does not document them): 1 APK, 2 DEX, 3 AXML.
 */
const KINDS = { APK: 1, DEX: 2, AXML: 3 } as const;

export function createAndroidAnalyzer(options: AndroidAnalyzerOptions): Analyzer {
  const { logger } = options;
  const limits = options.archiveLimits ?? DEFAULT_ARCHIVE_LIMITS;
  let readiness: Readiness = { ready: false, detail: 'not started' };
  const manifest: PluginManifest = {
    name: 'android',
    version: '1.0.0',
    description: 'APK manifest, permissions, components and signer (androguard); DEX headers; Java archives (java_info)',
    accepts: { kinds: ['file'], maxBytes: options.maxBytes ?? DEFAULT_ANDROID_MAX_BYTES },
    timeoutMs: 60_000,
    needsNetwork: false,
  };

  return {
    manifest,
    async start() {
      readiness = { ready: true, detail: 'in-process (yauzl, own AXML parser; compared with aapt and androguard)', engineVersion: manifest.version };
      return readiness;
    },
    status: () => readiness,
    async analyze(input: FileInput, signal: AbortSignal): Promise<AnalyzerOutput> {
      if (!readiness.ready) throw new PluginError('not_ready', readiness.detail ?? 'android analyzer not started');
      const head = await readHead(input.path, DEX_HEADER_BYTES);
      if (isDex(head)) {
        const dex = parseDexHeader(head);
        if (!dex) return { attributes: {} };
        return { attributes: { androguard: { AndroidApplication: KINDS.DEX, AndroidApplicationInfo: 'DEX', AndroidApplicationError: false, dex: [{ file: null, ...dex }] } }, tags: ['dex', 'android'] };
      }
      // Only ZIPs from here on (local file header magic).
      if (head.length < 4 || head.readUInt32LE(0) !== 0x04034b50) return { attributes: {} };
      let archive: ApkArchive;
      try {
        archive = await ApkArchive.open(input.path, limits);
      } catch (error) {
        logger.info({ sha256: input.sha256, reason: (error as Error).message }, 'android: unreadable ZIP');
        return { attributes: {} };
      }
      try {
        if (signal.aborted) throw signal.reason;
        const apkManifest = archive.member('AndroidManifest.xml');
        if (apkManifest) return await analyzeApk(archive, apkManifest, input, signal);
        const jarManifest = archive.member('META-INF/MANIFEST.MF');
        const hasClasses = archive.members.some((m) => m.name.endsWith('.class'));
        if (!jarManifest && !hasClasses) return { attributes: {} };
        const text = jarManifest ? (await archive.read(jarManifest, 1024 * 1024))?.toString('utf8') : undefined;
        return { attributes: { java_info: javaInfo(archive.members.map((m) => m.name), text) }, tags: ['jar', 'java'] };
      } finally {
        if (archive.warnings.length > 0) logger.debug({ sha256: input.sha256, warnings: archive.warnings.slice(0, 20) }, 'android: archive warnings');
        archive.close();
      }
    },
    async close() {
      readiness = { ready: false, detail: 'closed' };
    },
  };

  async function analyzeApk(archive: ApkArchive, member: NonNullable<ReturnType<ApkArchive['member']>>, input: FileInput, signal: AbortSignal): Promise<AnalyzerOutput> {
    const bytes = await archive.read(member, DEFAULT_AXML_LIMITS.maxBytes);
    const doc = bytes ? parseAxml(bytes) : { root: undefined, anomalies: archive.warnings.slice(-1) };
    if (doc.anomalies.length > 0) logger.debug({ sha256: input.sha256, anomalies: doc.anomalies.slice(0, 20) }, 'android: manifest anomalies');
    const androguard: Record<string, unknown> = {
      AndroidApplication: KINDS.APK,
      AndroidApplicationInfo: 'APK',
      AndroidApplicationError: doc.root === undefined || doc.root.name !== 'manifest',
    };
    if (doc.root?.name === 'manifest') Object.assign(androguard, manifestFacts(doc.root));

    const dex: Array<DexInfo & { file: string }> = [];
    for (const m of archive.members.filter((x) => /^classes\d*\.dex$/.test(x.name)).slice(0, MAX_DEX_FILES)) {
      if (signal.aborted) throw signal.reason;
      const header = await archive.head(m, DEX_HEADER_BYTES);
      const info = header ? parseDexHeader(header) : undefined;
      if (info) dex.push({ file: m.name, ...info });
    }
    androguard.dex = dex;

    const signature = archive.members.find((m) => SIGNATURE_FILE.test(m.name));
    if (signature) {
      const pkcs7 = await archive.read(signature, 1024 * 1024);
      const certificate = pkcs7 ? signingCertificate(pkcs7) : undefined;
      if (certificate) androguard.certificate = certificate;
    }
    return { attributes: { androguard }, tags: ['apk', 'android'] };
  }
}

async function readHead(path: string, bytes: number): Promise<Buffer> {
  const handle = await open(path, 'r').catch((error: Error) => {
    throw new PluginError('file_unreadable', error.message);
  });
  try {
    const buffer = Buffer.alloc(bytes);
    const { bytesRead } = await handle.read(buffer, 0, bytes, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}
