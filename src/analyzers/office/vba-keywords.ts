/**
 * What a VBA module's code does, in the manner of olevba's analysis table: auto-exec entry points,
 * suspicious keywords, IOCs (URLs, IPs, executable names), hex and base64 strings; and from them
 * VT's per-macro `patterns` / `properties` and the file's tags. Matching is on plain code text,
 * with a cap on how much is scanned.
 */

export type KeywordType = 'AutoExec' | 'Suspicious' | 'IOC' | 'Hex String' | 'Base64 String';

export interface KeywordHit {
  type: KeywordType;
  keyword: string;
  description: string;
}

export interface MacroFindings {
  keywords: KeywordHit[];
  /** VT's per-macro `patterns` (`url-pattern`, `exe-pattern`, ...). */
  patterns: string[];
  /** VT's per-macro `properties` (`auto-open`, `run-file`, `obfuscated`, ...). */
  properties: string[];
}

interface Rule {
  type: KeywordType;
  /** Matched case-insensitively as a whole word unless `pattern` is given. */
  words: string[];
  pattern?: RegExp;
  /** The keyword reported for a `pattern` match (olevba's name for it), instead of the matched text. */
  name?: string;
  description: string;
  property?: string;
}

const AUTO_OPEN = 'auto-open';
const AUTO_CLOSE = 'auto-close';

const RULES: Rule[] = [
  { type: 'AutoExec', words: ['AutoOpen', 'Auto_Open', 'Document_Open', 'DocumentOpen', 'Workbook_Open', 'Workbook_Activate', 'AutoExec', 'AutoNew', 'Auto_New', 'Document_New', 'DocumentNew', 'NewDocument', 'Presentation_Open', 'Document_ContentControlOnEnter'], description: 'Runs when the document is opened or created', property: AUTO_OPEN },
  { type: 'AutoExec', words: ['AutoClose', 'Auto_Close', 'AutoExit', 'Document_Close', 'DocumentBeforeClose', 'Document_BeforeClose', 'Workbook_Close', 'Workbook_BeforeClose', 'Workbook_Deactivate'], description: 'Runs when the document is closed', property: AUTO_CLOSE },
  { type: 'AutoExec', words: [], pattern: /\b\w+_(?:Click|Change|GotFocus|LostFocus|MouseMove|MouseHover|Layout|Painted|Resize|Initialize|BeforeNavigate2|DocumentComplete|NavigateComplete2|ProgressChange|Activate)\b/gi, description: 'Runs on a form or ActiveX control event', property: AUTO_OPEN },
  { type: 'Suspicious', words: ['Shell', 'ShellExecute', 'ShellExecuteA', 'ShellExecuteW', 'vbNormalFocus', 'vbHide', 'vbNormalNoFocus', 'vbMinimizedFocus'], description: 'Starts a program or command', property: 'run-file' },
  { type: 'Suspicious', words: ['WScript.Shell', 'Shell.Application', 'Win32_Process', 'ExecQuery'], description: 'Runs commands through Windows Script Host, the shell or WMI', property: 'run-file' },
  { type: 'Suspicious', words: ['Run', 'Exec', 'ShellExecute', 'Application.Run', 'ExecuteExcel4Macro', 'MacScript', 'AppleScript'], description: 'Runs another macro, a command or a script', property: 'run-file' },
  { type: 'Suspicious', words: ['CreateObject', 'GetObject'], description: 'Creates or reaches an OLE/COM object', property: 'create-ole' },
  { type: 'Suspicious', words: [], pattern: /GetObject\s*\(\s*"winmgmts/gi, name: 'GetObject("winmgmts")', description: 'Reaches WMI, often to start processes hidden from the parent', property: 'run-file' },
  { type: 'Suspicious', words: [], pattern: /\.Create(?=[\s(])/gi, name: 'Create', description: 'Creates a process or object, e.g. through WMI Win32_Process.Create', property: 'run-file' },
  { type: 'Suspicious', words: ['URLDownloadToFile', 'URLDownloadToFileA', 'URLDownloadToFileW', 'Microsoft.XMLHTTP', 'MSXML2.XMLHTTP', 'MSXML2.ServerXMLHTTP', 'XMLHTTP', 'WinHttp.WinHttpRequest', 'WinHttpRequest', 'InternetOpenUrl', 'Net.WebClient', 'DownloadFile', 'DownloadString'], description: 'Downloads from the network', property: 'download' },
  { type: 'Suspicious', words: ['Environ', 'ExpandEnvironmentStrings'], description: 'Reads environment variables (paths such as %TEMP% or %APPDATA%)' },
  { type: 'Suspicious', words: ['Chr', 'ChrW', 'ChrB', 'StrReverse', 'Asc', 'AscW', 'Xor'], description: 'Builds strings from character codes or reverses them, a common obfuscation', property: 'obfuscated' },
  { type: 'Suspicious', words: ['CallByName'], description: 'Calls a method by a name computed at run time, hiding what is called', property: 'obfuscated' },
  { type: 'Suspicious', words: [], pattern: /\bDeclare\s+(?:PtrSafe\s+)?(?:Function|Sub)\s+\w+\s+Lib\b/gi, name: 'Lib', description: 'Declares a function from a DLL (Windows API)' },
  { type: 'Suspicious', words: ['VirtualAlloc', 'VirtualAllocEx', 'RtlMoveMemory', 'CreateThread', 'CreateRemoteThread', 'WriteProcessMemory', 'EnumSystemLanguageGroupsW', 'EnumDateFormats'], description: 'Windows API used to run code in memory' },
  { type: 'Suspicious', words: [], pattern: /\bOpen\b[^\n]{1,200}?\bFor\s+(?:Binary|Output|Append)\b/gi, name: 'Open', description: 'Opens a file to write to it' },
  { type: 'Suspicious', words: ['Put', 'Print #', 'Write #', 'Binary', 'SaveToFile', 'CreateTextFile', 'ADODB.Stream', 'Scripting.FileSystemObject', 'FileCopy', 'CopyFile', 'CopyFolder', 'MoveFile'], description: 'Writes or copies files' },
  { type: 'Suspicious', words: ['Kill', 'DeleteFile', 'DeleteFolder'], description: 'Deletes files' },
  { type: 'Suspicious', words: ['PowerShell', 'cmd.exe', 'cmd /c', 'mshta', 'rundll32', 'regsvr32', 'certutil', 'bitsadmin', 'schtasks', 'wscript.exe', 'cscript.exe'], description: 'Names a Windows program often used to run payloads', property: 'run-file' },
  { type: 'Suspicious', words: ['SendKeys', 'AppActivate'], description: 'Sends keystrokes to another window' },
  { type: 'Suspicious', words: ['VBProject', 'VBComponents', 'CodeModule', 'AddFromString', 'InsertLines'], description: 'Reads or changes VBA code (self-modifying or spreading macros)' },
  { type: 'Suspicious', words: ['RegWrite', 'RegRead', 'RegDelete', 'GetSetting', 'SaveSetting'], description: 'Reads or writes the registry' },
  { type: 'Suspicious', words: ['bin.base64', 'Base64Decode', 'DecodeBase64', 'FromBase64String'], description: 'Decodes base64 data', property: 'obfuscated' },
  { type: 'Suspicious', words: ['Hex', 'HexToStr', 'Unhex'], description: 'Converts hexadecimal text' },
];

const URL_RE = /\b(?:https?|ftp):\/\/[^\s"'<>()]{3,300}/gi;
const IPV4_RE = /\b(?:25[0-5]|2[0-4]\d|1?\d?\d)(?:\.(?:25[0-5]|2[0-4]\d|1?\d?\d)){3}\b/g;
const EXE_RE = /(?<![\w\-.])[\w\-.]{1,100}\.(?:exe|dll|scr|pif|com|bat|cmd|vbs|vbe|js|jse|wsf|hta|ps1|jar|cpl|msi|lnk)\b/gi;
const STRING_RE = /"((?:[^"\n]|"")*)"/g;
const HEX_RE = /^(?:[0-9A-Fa-f]{2}){8,}$/;
const BASE64_RE = /^(?:[A-Za-z0-9+/]{4}){6,}(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
/** Scan only this much of a module: the code itself is kept whole in the output. */
const MAX_SCAN_CHARS = 2 * 1024 * 1024;
const MAX_HITS_PER_TYPE = 100;

/** A word in the table as a whole-word pattern; one ending in `#` or a space may be followed by anything. */
function wordPattern(word: string): string {
  const escaped = word.replace(/[.*+?^${}()|[\]\\#]/g, '\\$&').replace(/ /g, '\\s+');
  return /[\w$]$/.test(word) ? `${escaped}(?!\\w)` : escaped;
}

const ruleRegexes = RULES.map((rule) => rule.pattern ?? new RegExp(`(?<![\\w$])(?:${rule.words.map(wordPattern).join('|')})`, 'gi'));

export function analyzeMacroCode(code: string): MacroFindings {
  const text = stripComments(code.slice(0, MAX_SCAN_CHARS));
  const hits = new Map<string, KeywordHit>();
  const properties = new Set<string>();
  const patterns = new Set<string>();
  const counts = new Map<KeywordType, number>();
  const add = (type: KeywordType, keyword: string, description: string): boolean => {
    const key = `${type}\0${keyword.toLowerCase()}`;
    if (hits.has(key)) return true;
    const n = counts.get(type) ?? 0;
    if (n >= MAX_HITS_PER_TYPE) return false;
    counts.set(type, n + 1);
    hits.set(key, { type, keyword, description });
    return true;
  };
  RULES.forEach((rule, i) => {
    const re = ruleRegexes[i]!;
    re.lastIndex = 0;
    for (const m of text.matchAll(re)) {
      const keyword = rule.pattern ? (rule.name ?? m[0]) : (rule.words.find((w) => w.toLowerCase() === m[0].toLowerCase()) ?? m[0]);
      if (!add(rule.type, keyword, rule.description)) break;
      if (rule.property) properties.add(rule.property);
    }
  });
  // Strings hidden as hex or base64 are decoded, listed by their decoded text (as olevba does) and searched for IOCs too.
  const decoded: string[] = [];
  let hex = false;
  let base64 = false;
  for (const m of text.matchAll(STRING_RE)) {
    const literal = m[1]!;
    if (HEX_RE.test(literal)) {
      const plain = Buffer.from(literal, 'hex').toString('latin1');
      if (printableShare(plain) > 0.8 && add('Hex String', plain.slice(0, 200), `Hex-encoded string "${literal.slice(0, 100)}"`)) {
        decoded.push(plain);
        hex = true;
      }
    } else if (BASE64_RE.test(literal) && !/^[A-Za-z]+$/.test(literal)) {
      const plain = Buffer.from(literal, 'base64').toString('latin1');
      if (printableShare(plain) > 0.8 && add('Base64 String', plain.slice(0, 200), `Base64-encoded string "${literal.slice(0, 100)}"`)) {
        decoded.push(plain);
        base64 = true;
      }
    }
  }
  if (hex) add('Suspicious', 'Hex Strings', 'Hex-encoded strings, which may hide other strings');
  if (base64) add('Suspicious', 'Base64 Strings', 'Base64-encoded strings, which may hide other strings');
  if (hex || base64) properties.add('obfuscated');
  const searchable = [code.slice(0, MAX_SCAN_CHARS), ...decoded].join('\n');
  for (const m of searchable.matchAll(URL_RE)) {
    if (!add('IOC', m[0], 'URL')) break;
    patterns.add('url-pattern');
  }
  for (const m of searchable.matchAll(IPV4_RE)) {
    if (m[0].startsWith('0.') || !add('IOC', m[0], 'IPv4 address')) continue;
    patterns.add('ip-pattern');
  }
  for (const m of searchable.matchAll(EXE_RE)) {
    if (!add('IOC', m[0], 'Executable file name')) break;
    patterns.add('exe-pattern');
  }
  return { keywords: [...hits.values()], patterns: [...patterns].sort(), properties: [...properties].sort() };
}

/** Drops `'` comments and `Rem` lines so a keyword in a comment does not count; string literals keep their quotes. */
function stripComments(code: string): string {
  return code
    .split(/\r\n|\r|\n/)
    .map((line) => {
      if (/^\s*(?:\d+\s+)?Rem\b/i.test(line)) return '';
      let inString = false;
      for (let i = 0; i < line.length; i++) {
        const c = line[i];
        if (c === '"') inString = !inString;
        else if (c === "'" && !inString) return line.slice(0, i);
      }
      return line;
    })
    .filter((line) => !/^\s*Attribute\s+VB_/i.test(line))
    .join('\n');
}

function printableShare(s: string): number {
  if (s.length === 0) return 0;
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if ((c >= 0x20 && c < 0x7f) || c === 9 || c === 10 || c === 13) n++;
  }
  return n / s.length;
}

/** VT's document tags implied by a document's macros. */
export function tagsFromMacros(findings: MacroFindings[]): string[] {
  const tags = new Set<string>();
  if (findings.length > 0) tags.add('macros');
  for (const f of findings) {
    for (const p of f.properties) if (['auto-open', 'auto-close', 'run-file', 'obfuscated', 'create-ole'].includes(p)) tags.add(p);
    for (const p of f.patterns) if (p === 'exe-pattern' || p === 'url-pattern') tags.add(p);
  }
  return [...tags].sort();
}
