/** The YARA engine: loads rule files through YARA-X, scans off the main thread, and maps matches to VT verdicts. */
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import type { Logger } from 'pino';
import { PluginError, type Engine, type EngineVerdict, type FileInput, type Readiness } from '../../core/plugin.js';
import { bundledYaraRulesDir } from '../package-root.js';
import { yaraManifest } from './manifest.js';
import { readRuleFiles, shortHash, type RuleFailure, type RuleFile } from './rule-files.js';
import { startYaraScanPool, type YaraScanPool } from './yara-scan-pool.js';

export interface YaraEngineOptions {
  /** Rule directories in order: the shipped `rules/yara` and the user's `<data>/rules`. */
  rulesDirs: string[];
  logger: Logger;
  /** Scan worker threads; default min(2, cores). */
  scanThreads?: number;
  /** Largest file scanned (the upload limit); default YARA_MAX_BYTES. */
  maxBytes?: number;
}

export interface YaraEngine extends Engine {
  /** Re-reads every rules directory; in-flight scans finish on the previous rules. */
  reload(): Promise<Readiness>;
}

/** One entry of VT's crowdsourced_yara_results. */
export interface CrowdsourcedYaraResult {
  rule_name: string;
  ruleset_id: string;
  ruleset_name: string;
  source: string;
  author: string;
  description: string;
  match_in_subfile: false;
}

interface Loaded {
  pool: YaraScanPool;
  /** Per compiled set: rule name to the file that declares it. */
  owners: Array<Map<string, RuleFile>>;
  engineUpdate: string;
}

const require = createRequire(import.meta.url);

export function createYaraEngine(options: YaraEngineOptions): YaraEngine {
  const manifest = yaraManifest(options.maxBytes);
  const { logger } = options;
  const threads = options.scanThreads ?? Math.min(2, availableParallelism());
  /** What the last load gave: a failed reload reports it beside the rules still in use. */
  let readiness: Readiness = { ready: false, detail: 'not started' };
  let loaded: Loaded | undefined;
  let closed = false;
  let engineVersion = '';

  const load = async (): Promise<Readiness> => {
    try {
      // Loaded lazily: the native binding exists only for x64 glibc Linux and macOS.
      engineVersion = (require('@litko/yara-x/package.json') as { version: string }).version;
      require('@litko/yara-x');
    } catch (err) {
      return { ready: false, detail: `YARA-X is unavailable on ${process.platform}-${process.arch}: ${message(err)}` };
    }
    const bundled = path.resolve(bundledYaraRulesDir());
    const dirs = options.rulesDirs.map((dir) => ({ dir, origin: path.resolve(dir) === bundled ? 'assay' : 'local' }));
    const { files, failures } = await readRuleFiles(dirs);
    // Checking and compiling happen in the first scan worker: a big rule set takes seconds.
    const pool = await startYaraScanPool({ texts: files.map((f) => f.text), size: threads, logger });
    const plan = pool.info;
    for (const f of plan.failures) failures.push({ rulesetName: files[f.file]!.rulesetName, path: files[f.file]!.path, error: f.error });
    for (const f of failures) logger.warn({ ruleset: f.rulesetName, path: f.path, error: f.error }, 'YARA rule file skipped');
    const goodIndices = plan.sets.flat().sort((a, b) => a - b);
    const good = goodIndices.map((i) => files[i]!);
    const ruleCount = goodIndices.reduce((n, i) => n + plan.ruleNames[i]!.length, 0);
    const previous = loaded;
    if (ruleCount === 0) {
      await pool.close();
      retire(previous);
      loaded = undefined;
      return { ready: false, detail: `no YARA rules compiled from ${options.rulesDirs.join(', ')}${failureDetail(failures)}`, engineVersion };
    }
    loaded = {
      pool,
      owners: plan.sets.map((set) => new Map(set.flatMap((i) => plan.ruleNames[i]!.map((name) => [name, files[i]!] as const)))),
      engineUpdate: yyyymmdd(Math.max(...good.map((f) => f.mtimeMs))),
    };
    retire(previous);
    const signatureVersion = shortHash(good.map((f) => `${f.origin}:${f.rulesetName}\n${f.text}`).join('\n\0'));
    const skipped = failures.length > 0 ? `; ${failures.length} skipped` : '';
    return {
      ready: true,
      detail: `${ruleCount} rules from ${good.length} files${skipped}${failureDetail(failures)}`,
      engineVersion,
      signatureVersion,
      engineUpdate: loaded.engineUpdate,
    };
  };

  // In-flight scans hold their own reference and finish on the rules they started with.
  const retire = (old: Loaded | undefined) => {
    if (old) void old.pool.whenIdle().then(() => old.pool.close());
  };

  let reloading: Promise<Readiness> = Promise.resolve(readiness);
  // Reloads run one at a time, so two quick edits never race to install their pools.
  const reload = (): Promise<Readiness> => (reloading = reloading.then(reloadNow, reloadNow));

  const reloadNow = async (): Promise<Readiness> => {
    if (closed) return readiness;
    try {
      readiness = await load();
    } catch (err) {
      // Keep scanning with the rules already loaded, if any; say that the new ones did not load.
      readiness = loaded
        ? { ...readiness, detail: `${readiness.detail}; reload failed: ${message(err)}` }
        : { ready: false, detail: `YARA rules failed to load: ${message(err)}`, engineVersion };
    }
    if (closed) await loaded?.pool.close();
    else logger.info({ ready: readiness.ready, detail: readiness.detail, signatureVersion: readiness.signatureVersion }, 'YARA rules loaded');
    return readiness;
  };

  return {
    manifest,
    start: reload,
    reload,

    async scan(input: FileInput, signal: AbortSignal): Promise<EngineVerdict> {
      signal.throwIfAborted();
      const current = loaded;
      // The host calls only a ready engine; a direct caller before start or after close learns why.
      if (!current) throw new PluginError('not_ready', closed ? 'YARA engine is closed' : (readiness.detail ?? 'YARA engine is not started'));
      const matches = await current.pool.run({ path: input.path }, signal);
      const results: CrowdsourcedYaraResult[] = [];
      let malicious = false;
      for (const m of matches) {
        const file = current.owners[m.set]?.get(m.rule);
        if (String(m.meta.verdict).toLowerCase() === 'malicious') malicious = true;
        results.push({
          rule_name: m.rule,
          ruleset_id: file?.rulesetId ?? '',
          ruleset_name: file?.rulesetName ?? '',
          source: metaString(m.meta.source) ?? metaString(m.meta.reference) ?? (file ? `${file.origin}:${file.rulesetName}` : ''),
          author: metaString(m.meta.author) ?? '',
          description: metaString(m.meta.description) ?? '',
          match_in_subfile: false,
        });
      }
      const names = [...new Set(results.map((r) => r.rule_name))];
      return {
        category: malicious ? 'malicious' : results.length > 0 ? 'suspicious' : 'undetected',
        result: names.length > 0 ? names.join(', ') : null,
        method: 'signature',
        engineVersion,
        engineUpdate: current.engineUpdate,
        ...(results.length > 0 ? { attributes: { crowdsourced_yara_results: results } } : {}),
      };
    },

    async close() {
      if (closed) return;
      closed = true;
      const current = loaded;
      loaded = undefined;
      await current?.pool.close();
    },
  };
}

function failureDetail(failures: readonly RuleFailure[]): string {
  if (failures.length === 0) return '';
  return `; failed to compile: ${failures.map((f) => `${f.rulesetName}: ${f.error}`).join('; ')}`;
}

function metaString(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function yyyymmdd(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10).replace(/-/g, '');
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
