/**
 * The ZIP container of an APK or JAR, read with yauzl under limits: entry count, the size of each
 * member read, and the bytes inflated in total. yauzl checks that an entry inflates to exactly its
 * declared size, so a declared size cannot let a bomb through.
 */
import yauzl from 'yauzl';

export interface ArchiveLimits {
  maxEntries: number;
  /** Largest member read (after inflation). */
  maxMemberBytes: number;
  /** All members read from one archive together. */
  maxTotalBytes: number;
}

export const DEFAULT_ARCHIVE_LIMITS: ArchiveLimits = { maxEntries: 65_536, maxMemberBytes: 16 * 1024 * 1024, maxTotalBytes: 64 * 1024 * 1024 };

export interface ArchiveMember {
  name: string;
  size: number;
  entry: yauzl.Entry;
}

export class ApkArchive {
  readonly warnings: string[] = [];
  private spent = 0;

  private constructor(
    private readonly zip: yauzl.ZipFile,
    readonly members: ArchiveMember[],
    private readonly limits: ArchiveLimits,
  ) {}

  static async open(path: string, limits: ArchiveLimits = DEFAULT_ARCHIVE_LIMITS): Promise<ApkArchive> {
    const zip = await yauzl.openPromise(path, { lazyEntries: true, autoClose: false, validateEntrySizes: true, strictFileNames: false, decodeStrings: true });
    if (zip.entryCount > limits.maxEntries) {
      zip.close();
      throw new Error(`ZIP declares ${zip.entryCount} entries (limit ${limits.maxEntries})`);
    }
    const members: ArchiveMember[] = [];
    try {
      for await (const entry of zip.eachEntry()) {
        if (!entry.fileName.endsWith('/')) members.push({ name: entry.fileName, size: entry.uncompressedSize, entry });
      }
    } catch (error) {
      zip.close();
      throw error;
    }
    return new ApkArchive(zip, members, limits);
  }

  member(name: string): ArchiveMember | undefined {
    return this.members.find((m) => m.name === name);
  }

  /** A member's bytes, or undefined (with a warning) when a limit refuses it or it cannot be inflated. */
  async read(member: ArchiveMember, maxBytes = this.limits.maxMemberBytes): Promise<Buffer | undefined> {
    const refuse = (why: string) => {
      this.warnings.push(`${member.name}: ${why}`);
      return undefined;
    };
    if (member.entry.isEncrypted()) return refuse('encrypted');
    if (member.size > maxBytes) return refuse(`${member.size} bytes (limit ${maxBytes})`);
    if (this.spent + member.size > this.limits.maxTotalBytes) return refuse('archive read limit reached');
    this.spent += member.size;
    try {
      const stream = await this.zip.openReadStreamPromise(member.entry);
      const chunks: Buffer[] = [];
      let got = 0;
      for await (const chunk of stream as AsyncIterable<Buffer>) {
        got += chunk.length;
        if (got > member.size) {
          stream.destroy();
          return refuse('inflates past its declared size');
        }
        chunks.push(chunk);
      }
      return Buffer.concat(chunks, got);
    } catch (error) {
      return refuse((error as Error).message);
    }
  }

  /** The first `bytes` of a member (a DEX header), inflating no more than needed. */
  async head(member: ArchiveMember, bytes: number): Promise<Buffer | undefined> {
    if (member.entry.isEncrypted()) return undefined;
    try {
      const stream = await this.zip.openReadStreamPromise(member.entry);
      const chunks: Buffer[] = [];
      let got = 0;
      for await (const chunk of stream as AsyncIterable<Buffer>) {
        chunks.push(chunk);
        got += chunk.length;
        if (got >= bytes) break;
      }
      stream.destroy();
      return Buffer.concat(chunks).subarray(0, bytes);
    } catch (error) {
      this.warnings.push(`${member.name}: ${(error as Error).message}`);
      return undefined;
    }
  }

  close(): void {
    this.zip.close();
  }
}
