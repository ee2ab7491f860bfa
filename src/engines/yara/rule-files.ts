/** Finds YARA rule files, checks each on its own, and groups the good ones for compiling together. */
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';

/** A rule file as read from disk, before any compiling. */
export interface RuleFile {
  /** Path relative to its rules directory, e.g. `eicar.yar`: VT's ruleset_name. */
  rulesetName: string;
  /** Stable across edits of the file: sha256 of origin and name, shortened. */
  rulesetId: string;
  /** `assay` for the rules shipped with Assay, `local` for the user's. */
  origin: string;
  path: string;
  text: string;
  mtimeMs: number;
}

export interface RuleFailure {
  rulesetName: string;
  path: string;
  error: string;
}

/** Which files compile, and how the good ones are grouped into rule sets (indices into the file list). */
export interface CompilePlan {
  sets: number[][];
  /** Rule identifiers per file index (empty for failed files), to tell which file a match came from. */
  ruleNames: string[][];
  failures: Array<{ file: number; error: string }>;
}

/** Minimal view of the @litko/yara-x `validate` result we rely on. */
export type Validate = (source: string, options?: { enableIncludes?: boolean }) => { errors: Array<{ code: string; message: string }> };

/**
 * Reads `.yar`/`.yara` files under each directory (recursively, sorted). A missing directory is not
 * an error (the user's rules dir is optional); an unreadable one or file is reported as a failure.
 */
export async function readRuleFiles(dirs: ReadonlyArray<{ dir: string; origin: string }>): Promise<{ files: RuleFile[]; failures: RuleFailure[] }> {
  const files: RuleFile[] = [];
  const failures: RuleFailure[] = [];
  for (const { dir, origin } of dirs) {
    let list: string[];
    try {
      list = await listRuleFiles(dir);
    } catch (err) {
      failures.push({ rulesetName: dir, path: dir, error: err instanceof Error ? err.message : String(err) });
      continue;
    }
    for (const file of list) {
      const rulesetName = path.relative(dir, file).split(path.sep).join('/');
      try {
        const [text, stat] = await Promise.all([fs.readFile(file, 'utf8'), fs.stat(file)]);
        files.push({ rulesetName, rulesetId: shortHash(`${origin}:${rulesetName}`, 10), origin, path: file, text, mtimeMs: stat.mtimeMs });
      } catch (err) {
        failures.push({ rulesetName, path: file, error: err instanceof Error ? err.message : String(err) });
      }
    }
  }
  return { files, failures };
}

/**
 * Validates each file alone, so one broken file is reported and skipped instead of breaking the
 * whole set, then groups the good ones. Includes are disabled: every file in the directory is
 * loaded anyway, so an index file including the others would only duplicate them.
 */
export function planCompile(texts: readonly string[], validate: Validate): CompilePlan {
  const ruleNames: string[][] = [];
  const failures: CompilePlan['failures'] = [];
  const good: Array<{ index: number; names: string[]; hasGlobal: boolean }> = [];
  texts.forEach((text, index) => {
    const { errors } = validate(text, { enableIncludes: false });
    if (errors.length > 0) {
      failures.push({ file: index, error: summariseError(errors[0]!) });
      ruleNames.push([]);
      return;
    }
    const declared = declaredRules(text);
    ruleNames.push(declared.names);
    good.push({ index, ...declared });
  });
  return { sets: groupRuleFiles(good), ruleNames, failures };
}

/**
 * Partitions files into sets compiled together. @litko/yara-x 0.3.0 has no namespaces, so files
 * share one: a file whose rule names collide with an earlier one, or that declares a global rule,
 * gets its own compiled set instead (scanned separately), which keeps YARA's per-file semantics.
 */
export function groupRuleFiles(files: ReadonlyArray<{ index: number; names: string[]; hasGlobal: boolean }>): number[][] {
  const shared: number[] = [];
  const own: number[][] = [];
  const taken = new Set<string>();
  for (const file of files) {
    if (file.hasGlobal || file.names.some((n) => taken.has(n))) {
      own.push([file.index]);
      continue;
    }
    for (const n of file.names) taken.add(n);
    shared.push(file.index);
  }
  return shared.length > 0 ? [shared, ...own] : own;
}

/**
 * Rule declarations in YARA source. Comments, text strings and regular expressions are blanked
 * first, so `rule` inside them does not count; YARA divides with `\`, so `/` always opens a
 * comment or a regular expression.
 */
export function declaredRules(source: string): { names: string[]; hasGlobal: boolean } {
  let code = '';
  let i = 0;
  while (i < source.length) {
    const c = source[i]!;
    const next = source[i + 1];
    if (c === '/' && next === '/') {
      while (i < source.length && source[i] !== '\n') i++;
    } else if (c === '/' && next === '*') {
      const end = source.indexOf('*/', i + 2);
      i = end < 0 ? source.length : end + 2;
      code += ' ';
    } else if (c === '"' || c === '/') {
      i++;
      while (i < source.length && source[i] !== c && source[i] !== '\n') i += source[i] === '\\' ? 2 : 1;
      i++;
      code += ' ';
    } else {
      code += c;
      i++;
    }
  }
  const names: string[] = [];
  let hasGlobal = false;
  for (const m of code.matchAll(/\b((?:(?:private|global)\s+)*)rule\s+([A-Za-z_][A-Za-z0-9_]*)/g)) {
    names.push(m[2]!);
    if (/\bglobal\b/.test(m[1]!)) hasGlobal = true;
  }
  return { names, hasGlobal };
}

export const shortHash = (text: string, length = 12): string => createHash('sha256').update(text).digest('hex').slice(0, length);

/** YARA-X errors are rustc-style blocks; keep the headline and where it points. */
function summariseError(error: { code: string; message: string }): string {
  const lines = error.message.split('\n');
  const where = /-->\s*line:(\d+):(\d+)/.exec(error.message);
  return `${lines[0]!.trim()}${where ? ` (line ${where[1]}, column ${where[2]})` : ''}`;
}

async function listRuleFiles(dir: string): Promise<string[]> {
  let entries;
  try {
    entries = await fs.readdir(dir, { withFileTypes: true, recursive: true });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  return entries
    .filter((e) => e.isFile() && /\.(yar|yara)$/i.test(e.name))
    .map((e) => path.join(e.parentPath, e.name))
    .sort();
}
