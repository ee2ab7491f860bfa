/**
 * Worker-thread entry for YARA: checks and compiles the rule files, then scans files on request.
 * It exists because @litko/yara-x 0.3.0 runs scanAsync/scanFileAsync's scan in the promise's
 * resolve step, on the main thread (only the file read happens off it), which stalls the event
 * loop for the whole scan; compiling a large rule set would stall it too. The synchronous calls
 * here block only this worker.
 */
import { createRequire } from 'node:module';
import { serveRequests } from '../../threads/thread-pool.js';
import { planCompile, type CompilePlan, type Validate } from './rule-files.js';

export interface ScanWorkerData {
  /** Rule file texts, in the engine's order. */
  texts: string[];
  /** Given to every worker but the first, which works it out and reports it as its info. */
  plan?: CompilePlan;
}

export interface ScanRequest {
  path: string;
}

export interface WorkerMatch {
  /** Index of the compiled set (CompilePlan.sets) the rule belongs to. */
  set: number;
  rule: string;
  meta: Record<string, unknown>;
  tags: string[];
}

/** The part of @litko/yara-x used here (its published types name a class they never declare). */
interface Compiled {
  setUseMmap(useMmap: boolean): void;
  scanFile(path: string): Array<{ ruleIdentifier: string; meta: Record<string, unknown>; tags: string[] }>;
}
interface YaraX {
  validate: Validate;
  compile(source: string, options?: { enableIncludes?: boolean }): Compiled;
}

serveRequests<ScanRequest, WorkerMatch[]>(async (workerData) => {
  const data = workerData as ScanWorkerData;
  const yarax = createRequire(import.meta.url)('@litko/yara-x') as YaraX;
  const plan = data.plan ?? planCompile(data.texts, yarax.validate);
  // Every file in a set compiled alone, so a throw here is a bug; it fails the pool's start.
  const sets = plan.sets.map((files) => {
    const compiled = yarax.compile(files.map((i) => data.texts[i]).join('\n'), { enableIncludes: false });
    // Mapped, not read: a file up to the upload limit (650 MB) is never copied into memory, and
    // every compiled set scans the same page-cache pages.
    compiled.setUseMmap(true);
    return compiled;
  });
  return {
    info: plan,
    handle(request) {
      const matches: WorkerMatch[] = [];
      sets.forEach((compiled, set) => {
        // Pattern match data stays here: only rule identity crosses the thread boundary.
        for (const m of compiled.scanFile(request.path)) matches.push({ set, rule: m.ruleIdentifier, meta: { ...m.meta }, tags: [...m.tags] });
      });
      return { value: matches };
    },
  };
});
