/** Reads a few named entries of an APK (a ZIP) with yauzl, bounded in entries, bytes per entry and total bytes. */
import yauzl from 'yauzl';

export interface ApkLimits {
  maxEntries: number;
  maxEntryBytes: number;
  maxTotalBytes: number;
}

export const DEFAULT_APK_LIMITS: ApkLimits = { maxEntries: 20_000, maxEntryBytes: 16 * 1024 * 1024, maxTotalBytes: 48 * 1024 * 1024 };

/** Entries whose names `want` accepts, as buffers (each cut at maxEntryBytes); also every entry name. */
export async function readApkEntries(path: string, want: (name: string) => boolean, signal: AbortSignal, limits: ApkLimits = DEFAULT_APK_LIMITS): Promise<{ names: string[]; entries: Map<string, Buffer> }> {
  const zip = await new Promise<yauzl.ZipFile>((resolve, reject) => yauzl.open(path, { lazyEntries: true, autoClose: false, strictFileNames: false, validateEntrySizes: false }, (err, z) => (err || !z ? reject(err ?? new Error('not a zip')) : resolve(z))));
  const names: string[] = [];
  const entries = new Map<string, Buffer>();
  let total = 0;
  try {
    await new Promise<void>((resolve, reject) => {
      const onAbort = () => reject(signal.reason);
      signal.addEventListener('abort', onAbort, { once: true });
      zip.on('error', reject);
      zip.on('end', () => resolve());
      zip.on('entry', (entry: yauzl.Entry) => {
        names.push(entry.fileName);
        if (names.length >= limits.maxEntries || signal.aborted) return resolve();
        if (!want(entry.fileName) || total >= limits.maxTotalBytes || entries.has(entry.fileName)) return zip.readEntry();
        zip.openReadStream(entry, (err, stream) => {
          if (err || !stream) return zip.readEntry();
          const chunks: Buffer[] = [];
          let got = 0;
          stream.on('data', (c: Buffer) => {
            if (got >= limits.maxEntryBytes) return;
            chunks.push(c);
            got += c.length;
            if (got >= limits.maxEntryBytes) stream.destroy();
          });
          let finished = false;
          const done = (keep: boolean) => {
            if (finished) return;
            finished = true;
            if (keep) {
              const buf = Buffer.concat(chunks).subarray(0, limits.maxEntryBytes);
              total += buf.length;
              entries.set(entry.fileName, buf);
            }
            zip.readEntry();
          };
          stream.on('end', () => done(true));
          stream.on('close', () => done(true));
          stream.on('error', () => done(false));
        });
      });
      zip.readEntry();
    });
  } finally {
    zip.close();
  }
  return { names, entries };
}
