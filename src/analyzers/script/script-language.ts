/** Which script language a file is in: from the file type (VT type tag), else a cheap guess of our own. */

export type ScriptLanguage = 'powershell' | 'javascript' | 'vbscript' | 'batch' | 'hta' | 'shell' | 'python' | 'unknown';

const BY_TYPE_TAG: Readonly<Record<string, ScriptLanguage>> = {
  powershell: 'powershell', javascript: 'javascript', vba: 'vbscript', batch: 'batch', shell: 'shell', python: 'python',
};

const BY_EXTENSION: Readonly<Record<string, ScriptLanguage>> = {
  ps1: 'powershell', psm1: 'powershell', psd1: 'powershell', js: 'javascript', jse: 'javascript', mjs: 'javascript', cjs: 'javascript',
  vbs: 'vbscript', vbe: 'vbscript', vba: 'vbscript', wsf: 'vbscript', bat: 'batch', cmd: 'batch', hta: 'hta', sh: 'shell', bash: 'shell',
  py: 'python', pyw: 'python',
};

/** Keyword evidence, first match wins; every pattern is a plain alternation of literals (no backtracking). */
const GUESSES: ReadonlyArray<[ScriptLanguage, RegExp]> = [
  ['hta', /<hta:application/i],
  ['powershell', /\$env:|\bInvoke-(?:Expression|WebRequest|RestMethod)\b|\bNew-Object\b|\bWrite-Host\b|\[System\.Convert\]::|\bSet-ExecutionPolicy\b|\$PSVersionTable/i],
  ['vbscript', /\bWScript\.(?:CreateObject|Shell|Echo|Sleep)\b|^\s*Dim\s|\bCreateObject\(|\bEnd Sub\b|\bEnd Function\b/im],
  ['batch', /^\s*@echo off\b|^\s*(?:set|setlocal|goto|rem)\s|%~dp0/im],
  ['javascript', /\bfunction\s*\w*\s*\(|\bvar\s+\w+\s*=|\bnew ActiveXObject\(|\bdocument\.write\(|\bconsole\.log\(|=>/],
  ['python', /^\s*(?:import|from)\s+\w+|^\s*def\s+\w+\s*\(|__name__\s*==\s*['"]__main__/m],
  ['shell', /^\s*(?:export|echo|if \[|fi$|then$)|\$\{?\w+\}?/m],
];

export interface LanguageDecision {
  language: ScriptLanguage;
  /** `type_tag` (from the filetype analyzer), `shebang`, `name` (file extension) or `guess` (keywords). */
  source: 'type_tag' | 'shebang' | 'name' | 'guess';
}

export function decideLanguage(text: string, typeTag: string | undefined, names: readonly string[]): LanguageDecision {
  const fromTag = typeTag ? BY_TYPE_TAG[typeTag] : undefined;
  if (fromTag) return { language: fromTag, source: 'type_tag' };
  const head = text.slice(0, 4096);
  const shebang = /^#!\s*(\S+)(?:\s+(\S+))?/.exec(head);
  if (shebang) {
    const interpreter = (shebang[1]!.endsWith('/env') ? shebang[2] ?? '' : shebang[1]!).split('/').pop()!;
    if (/^(?:ba|da|k|z)?sh$/.test(interpreter)) return { language: 'shell', source: 'shebang' };
    if (/^python/.test(interpreter)) return { language: 'python', source: 'shebang' };
    if (/^(?:node|nodejs)$/.test(interpreter)) return { language: 'javascript', source: 'shebang' };
    if (/^pwsh/.test(interpreter)) return { language: 'powershell', source: 'shebang' };
  }
  if (typeTag === 'html' && /<hta:application/i.test(head)) return { language: 'hta', source: 'type_tag' };
  for (const name of names) {
    const ext = /\.([a-z0-9]{1,5})$/i.exec(name)?.[1]?.toLowerCase();
    const byName = ext ? BY_EXTENSION[ext] : undefined;
    if (byName) return { language: byName, source: 'name' };
  }
  for (const [language, pattern] of GUESSES) if (pattern.test(head)) return { language, source: 'guess' };
  return { language: 'unknown', source: 'guess' };
}
