/** Vendor command-line engines as an operator describes them in `ASSAY_VENDOR_ENGINES` (a JSON file), checked once. */
import { readFileSync } from 'node:fs';
import { z } from 'zod';

export const VERDICT_CATEGORIES = ['malicious', 'suspicious', 'undetected', 'harmless', 'type-unsupported'] as const;

const argv = z.array(z.string().min(1)).min(1);

const probe = z.object({
  /** Run in the same sandbox, without the sample; `{path}` is not allowed. */
  command: argv,
  /** Regular expression over stdout then stderr; its first group (or `(?<value>...)`) is the value. */
  match: z.string().min(1),
});

const rule = z.object({
  /** The rule applies only for these exit codes; absent: any. */
  exitCodes: z.array(z.number().int()).min(1).optional(),
  /** A regular expression (multiline) the output must match; its first group (or `(?<threat>...)`) is the result. */
  match: z.string().min(1).optional(),
  /** Which output `match` reads (default both, stdout first). */
  output: z.enum(['stdout', 'stderr', 'both']).default('both'),
  category: z.enum(VERDICT_CATEGORIES),
  /** The result when `match` has no group (e.g. "infected"); absent: null. */
  result: z.string().min(1).max(200).optional(),
});

const engine = z.object({
  /** The key in last_analysis_results. */
  name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9 ._+-]{0,63}$/, 'letters, digits, space, . _ + - (at most 64)'),
  /** argv with `{path}` where the file goes; run directly, never through a shell. */
  command: argv.refine((a) => a.some((arg) => arg.includes('{path}')), 'must contain {path}'),
  /** Tried in order; the first that fits the exit code and output decides. None fitting is a failure. */
  verdicts: z.array(rule).min(1),
  version: probe.optional(),
  /** The signature date (VT's engine_update): a command and a match, e.g. `(\d{4}-\d{2}-\d{2})`. */
  signatureDate: probe.optional(),
  timeoutMs: z.number().int().positive().default(60_000),
  maxConcurrent: z.number().int().positive().default(2),
  /** Larger files are `type-unsupported` without running the command; default: the upload limit. */
  maxBytes: z.number().int().positive().optional(),
  /** `bwrap` (default): no network, read-only system, empty /tmp. `none` runs the scanner as Assay itself: unsafe. */
  sandbox: z.enum(['bwrap', 'none']).default('bwrap'),
  /** Let the scanner reach the network inside the sandbox (cloud lookups, licence servers); default false. */
  network: z.boolean().default(false),
  /**
   * Host paths bound read-write inside the sandbox at the same place: a directory holding the socket
   * of the vendor's daemon when it lives under /tmp (the sandbox's /tmp is empty), or one its
   * licence or cache must write to. Everything else is read-only.
   */
  binds: z.array(z.string().regex(/^\//, 'an absolute path')).default([]),
  /** Extra environment; the scanner otherwise sees only PATH, HOME=/tmp and LANG. */
  env: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/), z.string()).default({}),
});

const file = z.object({ engines: z.array(engine) });

export type VendorEngineSpec = z.infer<typeof engine>;
export type VendorRule = z.infer<typeof rule>;
export type VendorProbe = z.infer<typeof probe>;

/** Reads and checks the file; throws one message naming the file and every problem. */
export function loadVendorEngines(path: string): VendorEngineSpec[] {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new Error(`ASSAY_VENDOR_ENGINES ${path}: ${error instanceof Error ? error.message : String(error)}`);
  }
  return parseVendorEngines(raw, path);
}

export function parseVendorEngines(raw: unknown, source: string): VendorEngineSpec[] {
  const parsed = file.safeParse(raw);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new Error(`ASSAY_VENDOR_ENGINES ${source}:\n${lines.join('\n')}`);
  }
  const seen = new Set<string>();
  for (const spec of parsed.data.engines) {
    if (seen.has(spec.name)) throw new Error(`ASSAY_VENDOR_ENGINES ${source}: engine "${spec.name}" is defined twice`);
    seen.add(spec.name);
    for (const p of [spec.version, spec.signatureDate]) {
      if (p?.command.some((a) => a.includes('{path}'))) throw new Error(`ASSAY_VENDOR_ENGINES ${source}: ${spec.name}: a version or signatureDate command never sees the sample`);
    }
    // Compiled here so a bad expression stops start-up with its engine's name.
    for (const expression of [...spec.verdicts.map((r) => r.match), spec.version?.match, spec.signatureDate?.match]) {
      if (expression === undefined) continue;
      try {
        new RegExp(expression, 'm');
      } catch (error) {
        throw new Error(`ASSAY_VENDOR_ENGINES ${source}: ${spec.name}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  }
  return parsed.data.engines;
}
