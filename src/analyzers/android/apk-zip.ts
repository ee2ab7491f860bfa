/**
 * The ZIP container of an APK or JAR, read with yauzl under limits: entry count, the size of each
 * member read, and the bytes inflated in total. yauzl checks that an entry inflates to exactly its
 * declared size, so a declared size cannot let a bomb through.
 */
import { createReadStream } from 'node:fs';
import { open as openFile } from 'node:fs/promises';
import { Readable } from 'node:stream';
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
    const options = { lazyEntries: true, autoClose: false, validateEntrySizes: true, strictFileNames: false, decodeStrings: true };
    let zip: yauzl.ZipFile;
    try {
      zip = await yauzl.openPromise(path, options);
    } catch (error) {
      // Bytes appended after the end-of-central-directory record (a trick to break strict readers):
      // Android and androguard read such APKs, so read it as if the file ended with the record.
      const end = /Invalid comment length/.test((error as Error).message) ? await endOfArchive(path) : undefined;
      if (end === undefined) throw error;
      zip = await yauzl.fromRandomAccessReaderPromise(new FileRangeReader(path), end, options);
    }
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

/** Reads ranges of a local file, for yauzl to see only its first `totalSize` bytes. */
class FileRangeReader extends yauzl.RandomAccessReader {
  constructor(private readonly path: string) {
    super();
  }

  override _readStreamForRange(start: number, end: number): Readable {
    return end > start ? createReadStream(this.path, { start, end: end - 1 }) : Readable.from([]);
  }
}

/** EOCD record (22 bytes) + the longest comment it can declare: where readers look for it. */
const EOCD_SEARCH_BYTES = 22 + 0xffff;

/**
 * Where the archive really ends when junk follows it: just after the last end-of-central-directory
 * record (and its declared comment) found in the file's last 64 KiB; undefined when there is none.
 */
async function endOfArchive(path: string): Promise<number | undefined> {
  const handle = await openFile(path, 'r');
  try {
    const { size } = await handle.stat();
    const length = Math.min(size, EOCD_SEARCH_BYTES + 22);
    const tail = Buffer.alloc(length);
    await handle.read(tail, 0, length, size - length);
    for (let i = length - 22; i >= 0; i--) {
      if (tail.readUInt32LE(i) !== 0x06054b50) continue;
      const end = size - length + i + 22 + tail.readUInt16LE(i + 20);
      if (end <= size) return end;
    }
    return undefined;
  } finally {
    await handle.close();
  }
}
