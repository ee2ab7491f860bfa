/**
 * The unpacker plugin contract: opens a ZIP a client submitted with a password into a private
 * directory, within limits on declared and real size, entry count and time. Plugins live in
 * `unpackers/<name>/`; callers see only this interface and UnpackError.
 */
import type { PluginManifest, Readiness } from './plugin.js';

/** ZIP local file header signature `PK\x03\x04`: what a ZIP submission starts with. */
const ZIP_MAGIC = [0x50, 0x4b, 0x03, 0x04] as const;

/** Whether `head` (the first bytes of a file) starts like a ZIP archive. */
export function looksLikeZip(head: Uint8Array): boolean {
  return head.length >= ZIP_MAGIC.length && ZIP_MAGIC.every((byte, i) => head[i] === byte);
}

export type UnpackFailure =
  /** The password does not decrypt the entries. */
  | 'wrong_password'
  /** Not a readable archive, damaged data, or a method the tool cannot decode. */
  | 'corrupt'
  /** Declared or real unpacked size above maxTotalBytes. */
  | 'too_large'
  /** More entries than maxEntries. */
  | 'too_many_entries'
  /** A link, device or other non-regular entry, or a path resolving outside destDir. */
  | 'unsafe_entry'
  /** The wall-clock limit passed; the tool was killed. */
  | 'timeout'
  /** The tool is not installed or cannot be started. */
  | 'unavailable';

/** An expected refusal or failure to unpack; `reason` says which, `message` is fit for a client. */
export class UnpackError extends Error {
  constructor(
    readonly reason: UnpackFailure,
    message: string,
    options: { cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = 'UnpackError';
  }
}

export const isUnpackError = (e: unknown): e is UnpackError => e instanceof UnpackError;

export interface UnpackedFile {
  /** Absolute path of the extracted regular file, inside destDir. */
  path: string;
  /** Its path relative to destDir, with `/` separators (the entry's name, as sanitised on extraction). */
  name: string;
  size: number;
}

export interface UnpackOptions {
  /** Used for every encrypted entry; absent means none (an encrypted entry then fails as wrong_password). */
  password?: string;
  /**
   * Where to extract. Must not exist yet: the unpacker creates it (mode 0700). On success the
   * caller owns it and removes it when done; on any failure the unpacker has removed it already.
   */
  destDir: string;
  /** Limit on the sum of unpacked sizes, checked on the declared sizes before extracting and on the real ones after. */
  maxTotalBytes: number;
  /** Limit on file entries (directories are bounded by the same number separately). */
  maxEntries: number;
  /** Cancels the unpack: the tool is killed, destDir removed, and the promise rejects with `signal.reason`. */
  signal?: AbortSignal;
}

/** An unpacker is a plugin like the others: a manifest, a lifecycle, and one operation. */
export interface Unpacker {
  readonly manifest: PluginManifest;
  /** Probes the tool; never throws: a missing tool becomes a not-ready Readiness. */
  start(): Promise<Readiness>;
  /** What start() found (not ready before it ran). */
  status(): Readiness;
  /**
   * Extracts every regular file of the ZIP at `archivePath` into `options.destDir`, in archive
   * order. Refuses (UnpackError) links and special entries, and anything over the limits, before
   * writing when the archive's own listing shows it. Returned files are regular files directly
   * inside destDir's tree, never links; an archive with no file gives an empty array.
   */
  unpack(archivePath: string, options: UnpackOptions): Promise<UnpackedFile[]>;
  close(): Promise<void>;
}
