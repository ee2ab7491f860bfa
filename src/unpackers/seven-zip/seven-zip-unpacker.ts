/**
 * Unpacker over 7-Zip's `7zz` (Debian package `7zip`), which decrypts ZipCrypto and AES
 * ZIPs. Lists first (`7zz l -slt`) to refuse by declared size, count and entry type before
 * anything is written, then extracts into a fresh directory while watching its real size, then
 * checks what landed there. Every run has a wall-clock limit; the child is killed past it.
 *
 * Entry names are taken as 7zz writes them, with two repairs: a name too long for the file system
 * (over 255 bytes in one part) is unpacked alone under a shortened name instead of failing the
 * archive, and a Windows path (`dir\evil.exe`, `C:\x\y.exe`), which 7zz writes as one file name
 * with backslashes in it, is recorded under its base name.
 */
import type { Dirent } from 'node:fs';
import { chmod, lstat, mkdir, open, readdir, realpath, rm } from 'node:fs/promises';
import path from 'node:path';
import type { PluginManifest, Readiness } from '../../core/plugin.js';
import { UnpackError, type UnpackedFile, type Unpacker, type UnpackOptions } from '../../core/unpacker.js';
import { ListingParser, type ArchiveListing } from './seven-zip-listing.js';
import { run7zz, SpawnError, type Run7zzResult } from './run-7zz.js';
import { findHeaderMismatch } from './zip-header-mismatch.js';

export interface SevenZipUnpackerOptions {
  /** The 7-Zip executable, looked up on PATH unless it contains a slash (Debian `7zip` installs /usr/bin/7zz). */
  command?: string;
  /** Wall-clock limit for one unpack: listing, extraction and checks. */
  timeoutMs?: number;
  /** How often the extraction's real size on disk is measured while 7zz runs. */
  watchIntervalMs?: number;
}

const DEFAULT_TIMEOUT_MS = 60_000;
const DEFAULT_WATCH_INTERVAL_MS = 200;
const PROBE_TIMEOUT_MS = 10_000;
/** NAME_MAX of Linux file systems, in bytes; 7zz fails an entry with a longer path part. */
const MAX_NAME_BYTES = 255;
/** What is kept of an over-long name part: its head, `~`, and an extension of at most 16 bytes. */
const SHORT_NAME_HEAD_BYTES = 200;
const MAX_KEPT_EXTENSION_BYTES = 16;

/**
 * Switches common to listing and extraction. `-tzip`: callers checked the ZIP magic, and a fixed
 * type keeps 7zz from opening the bytes as some other format. `-bd`: no progress indicator.
 * `-p<password>` is always given (empty when none) so 7zz never waits for a typed password.
 */
function commonSwitches(password: string | undefined): string[] {
  return ['-tzip', '-bd', `-p${password ?? ''}`];
}

export class SevenZipUnpacker implements Unpacker {
  readonly manifest: PluginManifest;
  private readonly command: string;
  private readonly timeoutMs: number;
  private readonly watchIntervalMs: number;
  private probe: Promise<Readiness> | undefined;
  private readiness: Readiness = { ready: false, detail: 'not started' };

  constructor(options: SevenZipUnpackerOptions = {}) {
    this.command = options.command ?? '7zz';
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.watchIntervalMs = options.watchIntervalMs ?? DEFAULT_WATCH_INTERVAL_MS;
    this.manifest = {
      name: '7-Zip',
      version: '1.0.0',
      description: 'Unpacks password-protected ZIP submissions with 7zz',
      accepts: { kinds: ['file'] },
      timeoutMs: this.timeoutMs,
      needsNetwork: false,
    };
  }

  /** Probed once and remembered. */
  async start(): Promise<Readiness> {
    this.probe ??= this.check();
    this.readiness = await this.probe;
    return this.readiness;
  }

  status(): Readiness {
    return this.readiness;
  }

  async close(): Promise<void> {}

  async unpack(archivePath: string, options: UnpackOptions): Promise<UnpackedFile[]> {
    options.signal?.throwIfAborted();
    const control = new AbortController();
    const onCallerAbort = (): void => control.abort(options.signal?.reason);
    options.signal?.addEventListener('abort', onCallerAbort, { once: true });
    const timer = setTimeout(
      () => control.abort(new UnpackError('timeout', `The archive could not be unpacked within ${this.timeoutMs} ms`)),
      this.timeoutMs,
    );
    let created = false;
    try {
      const listing = await this.list(archivePath, options, control);
      // Not recursive and no existing directory: the caller hands over a fresh path, and we only remove what we made.
      await mkdir(options.destDir, { mode: 0o700 });
      created = true;
      await this.extract(archivePath, options, control, listing);
      const files = await collectFiles(options.destDir, options, control.signal);
      return inArchiveOrder(files, listing.paths).map((f) => ({ ...f, name: recordedName(f.name) }));
    } catch (error) {
      if (created) await removeTree(options.destDir);
      throw error;
    } finally {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onCallerAbort);
    }
  }

  /** `7zz l -slt`: refuses before extraction on declared size, entry count or a link entry. */
  private async list(archivePath: string, options: UnpackOptions, control: AbortController): Promise<ArchiveListing> {
    const { maxEntries, maxTotalBytes } = options;
    const parser = new ListingParser(maxEntries);
    const result = await this.run(['l', '-slt', ...commonSwitches(options.password), '--', archivePath], {
      signal: control.signal,
      onLine: (line) => {
        parser.line(line);
        // Stop reading a listing of a million entries as soon as it is over the limit.
        if (parser.entries > 2 * maxEntries) control.abort(tooManyEntries(maxEntries));
      },
    });
    if (!succeeded(result)) throw failureOf(result);
    const { listing } = parser;
    if (listing.files > maxEntries || listing.directories > maxEntries) throw tooManyEntries(maxEntries);
    if (listing.declaredBytes > maxTotalBytes) {
      throw new UnpackError('too_large', `The archive declares ${listing.declaredBytes} bytes unpacked, more than the limit of ${maxTotalBytes}`);
    }
    if (listing.hasLink) throw unsafeEntry();
    return listing;
  }

  /**
   * `7zz x` into destDir. `-aou` renames a second entry of the same name instead of overwriting
   * it, so every file is kept; 7zz itself drops `..` and leading `/` from entry paths. A
   * watchdog measures what is on disk, in case an entry unpacks to more than it declared.
   */
  private async extract(archivePath: string, options: UnpackOptions, control: AbortController, listing: ArchiveListing): Promise<void> {
    const { destDir, maxTotalBytes } = options;
    let measuring = false;
    const watchdog = setInterval(() => {
      if (measuring) return;
      measuring = true;
      void measureTree(destDir)
        .then((bytes) => {
          if (bytes > maxTotalBytes) control.abort(tooLarge(maxTotalBytes));
        })
        .finally(() => (measuring = false));
    }, this.watchIntervalMs);
    try {
      const result = await this.run(['x', ...commonSwitches(options.password), '-y', '-aou', `-o${destDir}`, '--', archivePath], {
        signal: control.signal,
      });
      const longNamed = listing.paths.filter((p) => !listing.folders.has(p) && p.split('/').some(tooLongName));
      if (!succeeded(result) && onlyNamesTooLong(result) && longNamed.length > 0) {
        for (const entry of longNamed) await this.extractUnder(shortenedPath(entry), entry, archivePath, options, control);
      } else if (!succeeded(result)) {
        throw await explained(result, archivePath);
      }
    } finally {
      clearInterval(watchdog);
    }
  }

  /**
   * Writes one entry (`-so`: its content on stdout; `-spd`: the name is literal, no wildcards) to
   * `relPath` inside destDir, counting its bytes against the limit. For names the file system
   * cannot hold; `relPath` has no `..`, empty or over-long parts.
   */
  private async extractUnder(relPath: string, entry: string, archivePath: string, options: UnpackOptions, control: AbortController): Promise<void> {
    if (relPath === '') return;
    const target = path.join(options.destDir, relPath);
    await mkdir(path.dirname(target), { recursive: true, mode: 0o700 });
    const file = await openFresh(target);
    let written = 0;
    let pending = Promise.resolve();
    try {
      const result = await this.run(['x', '-so', '-spd', ...commonSwitches(options.password), '--', archivePath, entry], {
        signal: control.signal,
        onChunk: (chunk) => {
          written += chunk.length;
          if (written > options.maxTotalBytes) control.abort(tooLarge(options.maxTotalBytes));
          else pending = pending.then(() => file.write(chunk).then(() => undefined));
        },
      });
      await pending;
      if (!succeeded(result)) throw await explained(result, archivePath);
    } finally {
      await pending.catch(() => undefined);
      await file.close();
    }
  }

  private async run(args: string[], options: Parameters<typeof run7zz>[2]): Promise<Run7zzResult> {
    try {
      return await run7zz(this.command, args, options);
    } catch (error) {
      if (error instanceof SpawnError && error.missing) throw new UnpackError('unavailable', notInstalled(this.command), { cause: error });
      throw error;
    }
  }

  private async check(): Promise<Readiness> {
    let version: string | undefined;
    try {
      const result = await run7zz(this.command, [], {
        signal: AbortSignal.timeout(PROBE_TIMEOUT_MS),
        onLine: (line) => (version ??= /^7-Zip\b.*?\s(\d+\.\d+)\b/.exec(line)?.[1]),
      });
      if (result.code !== 0) return { ready: false, detail: `${this.command} exited with status ${result.code}: ${result.stderr}` };
      return { ready: true, engineVersion: version, detail: `${this.command}${version ? ` ${version}` : ''}` };
    } catch (error) {
      if (error instanceof SpawnError && error.missing) return { ready: false, detail: notInstalled(this.command) };
      return { ready: false, detail: `${this.command} cannot be run: ${(error as Error).message}` };
    }
  }
}

function notInstalled(command: string): string {
  return `${command} (7-Zip) is not installed; install the Debian package 7zip`;
}

/** Creates `target` for writing, never over an existing file: `name~2.ext`, `name~3.ext`, ... on a clash. */
async function openFresh(target: string): Promise<Awaited<ReturnType<typeof open>>> {
  const ext = path.extname(target);
  const stem = target.slice(0, target.length - ext.length);
  for (let n = 1; ; n++) {
    try {
      return await open(n === 1 ? target : `${stem}~${n}${ext}`, 'wx', 0o600);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || n >= 100) throw error;
    }
  }
}

const tooLongName = (part: string): boolean => Buffer.byteLength(part, 'utf8') > MAX_NAME_BYTES;

/** An entry path made safe to create: no empty, `.` or `..` parts, and every part at most 255 bytes. */
function shortenedPath(entry: string): string {
  return entry
    .split('/')
    .filter((part) => part !== '' && part !== '.' && part !== '..')
    .map((part) => (tooLongName(part) ? shortName(part) : part))
    .join('/');
}

/** The head of an over-long name (cut on a UTF-8 boundary), `~`, and its extension when short. */
function shortName(part: string): string {
  const dot = part.lastIndexOf('.');
  const ext = dot > 0 && Buffer.byteLength(part.slice(dot), 'utf8') <= MAX_KEPT_EXTENSION_BYTES ? part.slice(dot) : '';
  const head = Buffer.from(part.slice(0, part.length - ext.length), 'utf8')
    .subarray(0, SHORT_NAME_HEAD_BYTES)
    .toString('utf8')
    .replace(/\uFFFD+$/, '');
  return `${head}~${ext}`;
}

/** 7zz failed only because some names were too long for the file system (ENAMETOOLONG), having written the rest. */
function onlyNamesTooLong(result: Run7zzResult): boolean {
  const lines = result.stderr.split('\n').map((l) => l.trim()).filter((l) => l !== '');
  return lines.length > 0 && lines.every((l) => /^ERROR: .*(errno=36|File name too long)/.test(l));
}

/**
 * The name a file is recorded under: its path in the archive as 7zz wrote it, except that a last
 * part holding a Windows path (`dir\evil.exe`, `C:\x\y.exe`: backslashes are not separators here)
 * is cut to the base name after its last backslash.
 */
export function recordedName(rel: string): string {
  const parts = rel.split('/');
  const last = parts.pop()!;
  const base = last.split('\\').filter((p) => p !== '').at(-1);
  return [...parts, base ?? last].join('/');
}

/**
 * failureOf, except that when the archive's local headers disagree with its central directory the
 * failure says so, and a "wrong password" is called damaged: 7zz decrypts ZipCrypto with the local
 * header's flags, so the right password fails there too.
 */
async function explained(result: Run7zzResult, archivePath: string): Promise<UnpackError> {
  const failure = failureOf(result);
  if (failure.reason !== 'wrong_password' && failure.reason !== 'corrupt') return failure;
  const mismatch = await findHeaderMismatch(archivePath).catch(() => undefined);
  if (mismatch === undefined) return failure;
  return new UnpackError('corrupt', `The archive is damaged: its headers are inconsistent (${mismatch})`, { cause: failure.cause });
}

/** 0 is success, 1 a warning 7zz reports as non-fatal; a warning that lost data shows in the checks after. */
function succeeded(result: Run7zzResult): boolean {
  return (result.code === 0 || result.code === 1) && !/wrong password/i.test(result.stderr);
}

/**
 * Turns 7zz's stderr into a reason and a message fit for a client (no server paths). 7zz says
 * "Wrong password" for AES and for ZipCrypto, also in "CRC Failed in encrypted file. Wrong password?".
 */
function failureOf(result: Run7zzResult): UnpackError {
  const cause = new Error(`7zz exited with ${result.code ?? result.signal}: ${result.stderr}`);
  const text = result.stderr;
  if (/wrong password/i.test(text)) return new UnpackError('wrong_password', 'Wrong password for the archive', { cause });
  let what = 'is damaged or not supported';
  if (/cannot open the file as|is not archive/i.test(text)) what = 'is not a readable ZIP archive';
  else if (/unsupported method|unsupported feature/i.test(text)) what = 'uses an unsupported compression or encryption method';
  else if (/unexpected end|headers error|data error|crc failed/i.test(text)) what = 'is damaged or truncated';
  return new UnpackError('corrupt', `The archive ${what}`, { cause });
}

function tooManyEntries(maxEntries: number): UnpackError {
  return new UnpackError('too_many_entries', `The archive has more than ${maxEntries} files or directories`);
}

function tooLarge(maxTotalBytes: number): UnpackError {
  return new UnpackError('too_large', `The archive unpacks to more than ${maxTotalBytes} bytes`);
}

function unsafeEntry(): UnpackError {
  return new UnpackError('unsafe_entry', 'The archive contains a link or special file, which is not unpacked');
}

/**
 * Walks what 7zz wrote without following links: only directories and single-link regular files
 * are accepted (a symlink, device, FIFO or hard link is refused), each must resolve inside
 * destDir, and the real count and total size are checked. Modes are reset (dirs 0700, files
 * 0600) so the service user can read, move and remove them whatever the archive said.
 */
async function collectFiles(destDir: string, options: UnpackOptions, signal: AbortSignal): Promise<UnpackedFile[]> {
  const root = await realpath(destDir);
  await chmod(root, 0o700);
  const files: UnpackedFile[] = [];
  let directories = 0;
  let total = 0;
  const pending = [''];
  while (pending.length > 0) {
    signal.throwIfAborted();
    const relDir = pending.pop()!;
    // Names as bytes: a name that is not UTF-8 would come back as U+FFFD text that names no file.
    for (const raw of await readdir(path.join(root, relDir), { encoding: 'buffer' })) {
      const entry = raw.toString('utf8');
      if (!Buffer.from(entry, 'utf8').equals(raw)) throw new UnpackError('corrupt', 'The archive has a file name that is not valid UTF-8');
      const rel = relDir ? `${relDir}/${entry}` : entry;
      const abs = path.join(root, rel);
      const stats = await lstat(abs);
      if (stats.isDirectory()) {
        if (++directories > options.maxEntries) throw tooManyEntries(options.maxEntries);
        await chmod(abs, 0o700);
        pending.push(rel);
      } else if (stats.isFile() && stats.nlink === 1) {
        if (!isInside(root, await realpath(abs))) throw unsafeEntry();
        if (files.length >= options.maxEntries) throw tooManyEntries(options.maxEntries);
        total += stats.size;
        if (total > options.maxTotalBytes) throw tooLarge(options.maxTotalBytes);
        await chmod(abs, 0o600);
        files.push({ path: abs, name: rel, size: stats.size });
      } else {
        throw unsafeEntry();
      }
    }
  }
  return files;
}

function isInside(root: string, target: string): boolean {
  const rel = path.relative(root, target);
  // `..\evil.exe` is a file name inside root, not a step out of it.
  return rel !== '' && rel !== '..' && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel);
}

/** Archive order where the extracted name matches a listed path (renamed duplicates go last), then by name. */
function inArchiveOrder(files: UnpackedFile[], listedPaths: readonly string[]): UnpackedFile[] {
  const rank = new Map<string, number>();
  listedPaths.forEach((p, i) => {
    if (!rank.has(p)) rank.set(p, i);
  });
  const rankOf = (f: UnpackedFile) => rank.get(f.name) ?? Number.MAX_SAFE_INTEGER;
  return [...files].sort((a, b) => rankOf(a) - rankOf(b) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/**
 * Bytes on disk under `dir` (lstat, links not followed); errors from a tree still being written count as 0.
 * Paths are walked as bytes: a file whose name is not UTF-8 must be measured too, not lost in decoding.
 */
async function measureTree(dir: string): Promise<number> {
  let total = 0;
  const pending: Buffer[] = [Buffer.from(dir)];
  while (pending.length > 0) {
    const current = pending.pop()!;
    let entries: Dirent<Buffer>[];
    try {
      entries = await readdir(current, { withFileTypes: true, encoding: 'buffer' });
    } catch {
      continue;
    }
    for (const entry of entries) {
      const abs = childPath(current, entry.name);
      if (entry.isDirectory()) pending.push(abs);
      else if (entry.isFile()) total += await lstat(abs).then((s) => s.size, () => 0);
    }
  }
  return total;
}

const childPath = (dir: Buffer, name: Buffer): Buffer<ArrayBuffer> => Buffer.concat([dir, Buffer.from(path.sep), name]);

/** Removes `dir` and everything in it, first making directories writable if a plain removal is refused. */
export async function removeTree(dir: string): Promise<void> {
  try {
    await rm(dir, { recursive: true, force: true });
    return;
  } catch {
    // an archive may have set a directory to mode 0 or read-only; open them up and retry
  }
  const pending: Buffer[] = [Buffer.from(dir)];
  while (pending.length > 0) {
    const current = pending.pop()!;
    await chmod(current, 0o700).catch(() => undefined);
    const entries = await readdir(current, { withFileTypes: true, encoding: 'buffer' }).catch((): Dirent<Buffer>[] => []);
    for (const entry of entries) if (entry.isDirectory()) pending.push(childPath(current, entry.name));
  }
  await rm(dir, { recursive: true, force: true });
}
