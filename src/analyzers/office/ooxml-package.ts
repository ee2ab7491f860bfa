/**
 * The ZIP container of an OOXML document, read with yauzl under limits: entry count, declared
 * sizes, compression ratio, and total bytes inflated. yauzl checks that an entry inflates to
 * exactly its declared size, so a declared size cannot be a lie that lets a bomb through.
 */
import yauzl from 'yauzl';

export interface ZipLimits {
  maxEntries: number;
  /** Largest single part read (after inflation). */
  maxPartBytes: number;
  /** All parts read from one package together. */
  maxTotalBytes: number;
  /** Declared uncompressed / compressed above this (for parts over 1 MiB) is treated as a bomb. */
  maxRatio: number;
}

export const DEFAULT_ZIP_LIMITS: ZipLimits = { maxEntries: 10_000, maxPartBytes: 64 * 1024 * 1024, maxTotalBytes: 256 * 1024 * 1024, maxRatio: 200 };

export interface ZipPart {
  name: string;
  size: number;
  compressedSize: number;
  encrypted: boolean;
  entry: yauzl.Entry;
}

export class OoxmlPackage {
  readonly warnings: string[] = [];
  private spent = 0;

  private constructor(
    private readonly zip: yauzl.ZipFile,
    readonly parts: ZipPart[],
    private readonly limits: ZipLimits,
  ) {}

  static async open(data: Buffer, limits: ZipLimits = DEFAULT_ZIP_LIMITS): Promise<OoxmlPackage> {
    const zip = await yauzl.fromBufferPromise(data, { lazyEntries: true, validateEntrySizes: true, strictFileNames: false, decodeStrings: true });
    if (zip.entryCount > limits.maxEntries) {
      zip.close();
      throw new Error(`ZIP declares ${zip.entryCount} entries (limit ${limits.maxEntries})`);
    }
    const parts: ZipPart[] = [];
    for await (const entry of zip.eachEntry()) {
      if (entry.fileName.endsWith('/')) continue;
      parts.push({ name: entry.fileName, size: entry.uncompressedSize, compressedSize: entry.compressedSize, encrypted: entry.isEncrypted(), entry });
    }
    return new OoxmlPackage(zip, parts, limits);
  }

  /** The part whose name matches (case-insensitively, as OPC part names compare), without a leading `/`. */
  part(name: string): ZipPart | undefined {
    const wanted = name.replace(/^\//, '').toLowerCase();
    return this.parts.find((p) => p.name.toLowerCase() === wanted);
  }

  /** A part's bytes, or undefined (with a warning) when a limit refuses it or it cannot be inflated. */
  async read(part: ZipPart): Promise<Buffer | undefined> {
    const { limits } = this;
    const refuse = (why: string) => {
      this.warnings.push(`${part.name}: ${why}`);
      return undefined;
    };
    if (part.encrypted) return refuse('encrypted');
    if (part.size > limits.maxPartBytes) return refuse(`${part.size} bytes (limit ${limits.maxPartBytes})`);
    if (part.size > 1024 * 1024 && part.size / Math.max(1, part.compressedSize) > limits.maxRatio) return refuse(`compression ratio above ${limits.maxRatio} (zip bomb?)`);
    if (this.spent + part.size > limits.maxTotalBytes) return refuse('package read limit reached');
    this.spent += part.size;
    try {
      const stream = await this.zip.openReadStreamPromise(part.entry);
      const chunks: Buffer[] = [];
      let got = 0;
      for await (const chunk of stream as AsyncIterable<Buffer>) {
        got += chunk.length;
        if (got > part.size) {
          stream.destroy();
          return refuse('inflates past its declared size');
        }
        chunks.push(chunk);
      }
      return Buffer.concat(chunks, got);
    } catch (err) {
      return refuse((err as Error).message);
    }
  }

  async readText(name: string): Promise<string | undefined> {
    const part = this.part(name);
    if (!part) return undefined;
    return (await this.read(part))?.toString('utf8');
  }

  close(): void {
    this.zip.close();
  }
}
