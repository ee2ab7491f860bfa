/** Assay-Script: heuristic verdicts on scripts from the script analyzer's decoded layers and signals (assay_script). */
import type { FileInput } from '../../core/plugin.js';
import { createHeuristicEngine, list, num, record, str } from '../heuristics/heuristic-engine.js';
import type { Hit } from '../heuristics/signal.js';
import { IGNORED_SCRIPT_SIGNALS, SCRIPT_RULES as R } from './script-signals.js';

export const ASSAY_SCRIPT_RULES_DATE = '20261207';
/** The types the script analyzer reads (its SCRIPT_TYPE_TAGS). */
export const SCRIPT_ENGINE_TYPE_TAGS = ['powershell', 'javascript', 'vba', 'batch', 'shell', 'python', 'html', 'text'];

/** Languages Windows droppers are written in: a download or an encoded command there is a dropper's tell. */
const WINDOWS_LANGUAGES = new Set(['powershell', 'vbscript', 'batch', 'hta', 'javascript']);
/** Signals that mean the same in every language; others are weighed by language below. */
const LANGUAGE_NEUTRAL = new Set(['amsi-bypass', 'shadow-copy-deletion', 'reverse-shell', 'defender-tampering', 'miner', 'lolbin', 'persistence-run-key', 'persistence-scheduled-task', 'persistence-startup-folder', 'com-shell-execution', 'invoke-expression', 'hidden-execution']);

export function detectScript(input: FileInput): Hit[] {
  const script = record(input.attributes?.assay_script);
  if (!script) return [];
  const windows = WINDOWS_LANGUAGES.has(str(script.language));
  const hits: Hit[] = [];
  const names = new Set<string>();
  for (const s of list(script.signals)) {
    const name = str(record(s)?.name);
    if (!name || IGNORED_SCRIPT_SIGNALS.has(name)) continue;
    names.add(name);
    // A download, eval or a `-e ...` flag is everyday Python, shell or Perl; only in Windows script
    // languages does it weigh as a dropper's (a `-e` flag there is PowerShell's -EncodedCommand).
    if (!windows && !LANGUAGE_NEUTRAL.has(name)) {
      if (name === 'download-cradle') hits.push({ rule: R['download-cradle-generic'] });
      continue;
    }
    const rule = (R as Record<string, (typeof R)[keyof typeof R] | undefined>)[name];
    if (rule) hits.push({ rule, evidence: str(record(list(record(s)?.evidence)[0])?.excerpt) });
  }
  // Downloading and running: IEX, a shell object or a LOLBin (eval in a web page's JavaScript is not running a download).
  const runs = names.has('invoke-expression') || names.has('com-shell-execution') || names.has('lolbin') || (names.has('dynamic-eval') && str(script.language) === 'vbscript');
  if (names.has('download-cradle') && runs) hits.unshift({ rule: R['download-execute'] });
  const depth = num(script.max_depth);
  if (windows && depth >= 2) hits.push({ rule: R['deep-obfuscation'] });
  else if (depth >= 1 && list(script.layers).some((l) => num(record(l)?.size) >= 64)) hits.push({ rule: R['encoded-layer'] });
  return hits;
}

export function createAssayScriptEngine() {
  return createHeuristicEngine({
    manifest: {
      name: 'Assay-Script',
      version: '1.0.0',
      description: 'heuristics over script behaviour signals and de-obfuscated layers (assay_script): downloaders, droppers, AMSI bypass, reverse shells',
      accepts: { kinds: ['file'], typeTags: SCRIPT_ENGINE_TYPE_TAGS },
      timeoutMs: 20_000,
      needsNetwork: false,
    },
    prefix: 'Assay.Script',
    rulesDate: ASSAY_SCRIPT_RULES_DATE,
    async detect(input) {
      return detectScript(input);
    },
  });
}
