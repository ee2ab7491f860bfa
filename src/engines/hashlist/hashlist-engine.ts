/**
 * Assay-Hashlist: answers from imported hash lists. A known-bad hash is malicious (named after the
 * list's label, e.g. MalwareBazaar's signature); a known-good hash is harmless, and known-good wins
 * over known-bad: an allow-list is the operator's deliberate word on that file.
 */
import type { HashListInfo, HashListMatch } from '../../core/model/hash-list.js';
import type { Engine, EngineVerdict, FileInput, PluginManifest, Readiness } from '../../core/plugin.js';

export interface HashlistEngineOptions {
  /** Entries of any list naming one of these hashes (the store's hash lists). */
  find(hashes: readonly string[]): Promise<HashListMatch[]>;
  /** The imported lists, for readiness and the engine's update date. */
  lists(): Promise<HashListInfo[]>;
  /** How often readiness is re-read, so a list imported by `assay hashes import` is picked up; default 60 s. */
  refreshMs?: number;
}

export const HASHLIST_ENGINE_NAME = 'Assay-Hashlist';

const manifest: PluginManifest = {
  name: HASHLIST_ENGINE_NAME,
  version: '1.0.0',
  description: 'known-bad and known-good file hashes from imported lists (MalwareBazaar CSV, plain md5/sha1/sha256 lists)',
  accepts: { kinds: ['file'] },
  timeoutMs: 10_000,
  needsNetwork: false,
};

function yyyymmdd(unixSeconds: number): string {
  return new Date(unixSeconds * 1000).toISOString().slice(0, 10).replace(/-/g, '');
}

/** A detection name from a list label: letters, digits, dots, dashes and underscores only. */
function detectionName(match: HashListMatch): string {
  const word = (match.label ?? match.list).replace(/[^\w.-]+/g, '_').replace(/^_+|_+$/g, '') || 'Listed';
  return `Assay.Hashlist.${word}`;
}

export function createHashlistEngine(options: HashlistEngineOptions): Engine {
  let readiness: Readiness = { ready: false, detail: 'not started' };
  let timer: NodeJS.Timeout | undefined;
  let closed = false;

  async function refresh(): Promise<Readiness> {
    try {
      const lists = await options.lists();
      const newest = lists.reduce((m, l) => Math.max(m, l.importedAt), 0);
      readiness =
        lists.length === 0
          ? { ready: false, detail: 'no hash lists imported: assay hashes import malwarebazaar|plain FILE_OR_URL --name NAME' }
          : {
              ready: true,
              detail: `${lists.length} lists, ${lists.reduce((n, l) => n + l.entries, 0)} hashes`,
              engineVersion: manifest.version,
              signatureVersion: yyyymmdd(newest),
              engineUpdate: yyyymmdd(newest),
            };
    } catch (error) {
      readiness = { ready: false, detail: `hash lists unreadable: ${error instanceof Error ? error.message : String(error)}` };
    }
    return readiness;
  }

  return {
    manifest,
    async start() {
      closed = false;
      const r = await refresh();
      timer ??= setInterval(() => void refresh(), options.refreshMs ?? 60_000);
      timer.unref();
      return r;
    },
    status: () => (closed ? { ready: false, detail: 'closed' } : readiness),
    async scan(input: FileInput, signal: AbortSignal): Promise<EngineVerdict> {
      signal.throwIfAborted();
      const matches = await options.find([input.md5, input.sha1, input.sha256]);
      signal.throwIfAborted();
      const base = { engineVersion: manifest.version, engineUpdate: readiness.engineUpdate ?? '' };
      const good = matches.find((m) => m.kind === 'known-good');
      if (good) return { ...base, category: 'harmless', result: `known-good (${good.list})`, method: 'whitelist' };
      const bad = matches.find((m) => m.kind === 'known-bad');
      if (bad) return { ...base, category: 'malicious', result: detectionName(bad), method: 'blacklist' };
      return { ...base, category: 'undetected', result: null, method: 'blacklist' };
    },
    async close() {
      closed = true;
      if (timer) clearInterval(timer);
      timer = undefined;
    },
  };
}
