/** Assay-PE: heuristic verdicts on Windows executables from pe_info, packers, signature_info, .NET facts and strings. */
import type { FileInput } from '../../core/plugin.js';
import { createHeuristicEngine, list, num, record, str } from '../heuristics/heuristic-engine.js';
import { printableText, readHead } from '../heuristics/file-text.js';
import { misleadingName } from '../heuristics/file-names.js';
import type { Hit } from '../heuristics/signal.js';
import { publicIps } from '../heuristics/ip-literals.js';
import { PE_RULES as R } from './pe-signals.js';

export const PE_TYPE_TAGS = ['peexe', 'pedll'];
export const ASSAY_PE_RULES_DATE = '20261207';

/** Packers that are installers or self-extractors: packaging, not hiding. */
const INSTALLERS = /Nullsoft|Inno Setup|SFX|PyInstaller|\.NET/i;

/** Counts how many of `needles` occur (case-insensitively) in `haystack`. */
function distinct(haystack: string, needles: readonly RegExp[]): string[] {
  return needles.filter((n) => n.test(haystack)).map((n) => n.source);
}

/** Section names compilers, linkers and installers write; anything else is a packer's or a crypter's choice. */
const KNOWN_SECTIONS = new Set(['.text', '.data', '.rdata', '.bss', '.idata', '.edata', '.rsrc', '.reloc', '.tls', '.pdata', '.xdata', '.CRT', '.gfids', '.giats', '.00cfg', '.didat', '.sxdata', '.textbss', '.msvcjmc', '.gehcont', '.retplne', '.voltbl', '_RDATA', '.fptable', '.buildid', '.sdata', '.init', '.fini', '.ctors', '.dtors', '.jcr', '.eh_fram', '.eh_frame', '.tls$', '.orpc', '.ndata', '.itext', '.didata', '.cdata', '.rodata', '.code', 'CODE', 'DATA', 'BSS', 'INIT', 'PAGE', '.sbss', '.srdata', '.shared', '.import', '.export', '.mrdata', '.wixburn', '.qtmetad', '.vmp0', 'UPX0', 'UPX1', 'UPX2', '.sdbid', '.imrsiv', '.nep', '.stab', '.stabstr', '.rodata1', '.text1', '.hdata', '.xfg', '.data1', '.lpdata', '.tlsdata', 'sbss', '.apiset', '.guids', '.pr0', '.wpp_sf', '.detourc', '.detourd', '.pdata1', '.bootdat', '.sbat', '.sdmark', '.vendor_cert', '.note', 'mod', 'vsbss', 'vsdata']);

const SANDBOX_NAMES = [/SbieDll\.dll/i, /VBoxService|VBoxTray|VBoxHook/i, /vmtoolsd|vmwaretray|VMware Tools/i, /\bcuckoo/i, /\bollydbg/i, /\bx64dbg|x32dbg/i, /\bidaq(?:64)?\.exe/i, /\bwireshark\.exe/i, /\bprocmon(?:64)?\.exe|Process Monitor/i, /\bprocexp(?:64)?\.exe/i, /\bfiddler/i, /\bjoebox|joe ?sandbox/i, /\banubis/i, /\bvmsrvc|vmusrvc/i, /\bqemu-ga/i];
const CREDENTIAL_STORES = [/Google\\?\\Chrome\\?\\User Data/i, /\bLogin Data\b/, /\blogins\.json\b/i, /\bsignons\.sqlite\b/i, /\bwallet\.dat\b/i, /Electrum\\?\\wallets/i, /FileZilla\\?\\(?:recentservers|sitemanager)\.xml/i, /Thunderbird\\?\\Profiles/i, /Mozilla\\?\\Firefox\\?\\Profiles/i, /\bkey[34]\.db\b/, /Opera Software\\?\\Opera Stable/i, /Yandex\\?\\YandexBrowser/i, /\bOutlook\\?\\Profiles|IMAP Password|POP3 Password|SMTP Password/i, /\\Exodus\\?\\exodus\.wallet|\\Ethereum\\?\\keystore/i, /Telegram Desktop\\?\\tdata/i];
const KEY_NAMES = [/\[ENTER\]/i, /\[BACKSPACE\]|\[BACK\]/i, /\[TAB\]/i, /\[CAPSLOCK\]|\[CAPS LOCK\]/i, /\[DEL(?:ETE)?\]/i, /\[ESC\]/i, /\[F1\]/i, /\[(?:L|R)?SHIFT\]/i];

function importedFunctions(peInfo: Record<string, unknown>): Set<string> {
  const names = new Set<string>();
  for (const lib of list(peInfo.import_list)) {
    for (const f of list(record(lib)?.imported_functions)) if (typeof f === 'string') names.add(f.replace(/[AW]$/, ''));
  }
  return names;
}

function exportedNames(peInfo: Record<string, unknown>): Set<string> {
  return new Set(list(peInfo.exports).filter((e): e is string => typeof e === 'string').map((e) => e.replace(/[AW]$/, '')));
}

function structureHits(input: FileInput, peInfo: Record<string, unknown>, attrs: Readonly<Record<string, unknown>>, hits: Hit[]): void {
  const isDll = input.typeTag === 'pedll';
  const isDotNet = record(attrs.dot_net_assembly) !== undefined;
  const packers = Object.values(record(attrs.packers) ?? {}).filter((v): v is string => typeof v === 'string').join(', ');
  const packerNames = packers.split(/,\s*/).filter((p) => p && !INSTALLERS.test(p));
  if (packerNames.some((p) => p !== 'AutoIt')) hits.push({ rule: R.packed, evidence: packerNames.join(', ') });
  if (/AutoIt/i.test(packers)) hits.push({ rule: R['autoit-script'] });

  const sections = list(peInfo.sections).map((s) => record(s) ?? {});
  const execSections = sections.filter((s) => str(s.flags).includes('x'));
  const hot = execSections.find((s) => num(s.entropy) >= 7.2 && num(s.raw_size) >= 4096);
  if (hot && !isDotNet) hits.push({ rule: R['high-entropy-code'], evidence: `${str(hot.name)} entropy ${num(hot.entropy)}` });
  const packedData = sections.find((s) => !str(s.flags).includes('x') && num(s.entropy) >= 7.6 && num(s.raw_size) >= 65_536);
  const resources = list(peInfo.resource_details).map((r) => record(r) ?? {});
  const overlay = record(peInfo.overlay);
  const signed = record(attrs.signature_info)?.verified !== undefined;
  const randomResource = resources.find((r) => str(r.filetype) === 'Data' && num(r.entropy) >= 7.8);
  const randomOverlay = overlay && str(overlay.filetype) === 'Data' && num(overlay.entropy) >= 7.8 && num(overlay.size) >= 65_536 && !signed;
  if (!INSTALLERS.test(packers) && !isDotNet && (packedData || randomResource || randomOverlay)) {
    hits.push({ rule: R['encrypted-payload'], evidence: packedData ? str(packedData.name) : randomResource ? `resource ${str(randomResource.type)}` : 'overlay' });
  }
  if (!INSTALLERS.test(packers) && resources.some((r) => str(r.filetype) === 'Win32 EXE')) hits.push({ rule: R['embedded-executable'] });
  const odd = sections.map((s) => str(s.name)).filter((n) => !KNOWN_SECTIONS.has(n) && !/^\/\d+$|^\.z?debug|^\.(?:CRT|tls|idata|text|data|rdata)\$/.test(n));
  if (odd.length > 0) hits.push({ rule: R['unusual-section-names'], evidence: odd.slice(0, 4).join(' ') });
  if (sections.some((s) => str(s.flags) === 'rwx')) hits.push({ rule: R['writable-code'] });
  const entry = num(peInfo.entry_point);
  const firstExec = execSections[0];
  if (entry > 0 && firstExec && !isDotNet) {
    const start = num(firstExec.virtual_address);
    const end = start + Math.max(num(firstExec.virtual_size), num(firstExec.raw_size));
    if (entry < start || entry >= end) hits.push({ rule: R['entry-outside-code'] });
  }

  const imports = importedFunctions(peInfo);
  if (!isDll && !isDotNet && entry > 0) {
    const onlyLoader = imports.size > 0 && [...imports].every((f) => /^(LoadLibrary(Ex)?|GetProcAddress|VirtualAlloc|VirtualProtect|ExitProcess|GetModuleHandle)$/.test(f));
    if (imports.size <= 4 || onlyLoader) hits.push({ rule: R['few-imports'], evidence: `${imports.size} imported functions` });
  }
  const timestamp = num(peInfo.timestamp);
  // Zero is what reproducible builds write (Debian's mingw-w64 and EFI binaries), so only the future counts.
  if (!isDotNet && timestamp > Date.now() / 1000 + 86_400 * 30) hits.push({ rule: R['odd-timestamp'], evidence: String(timestamp) });
  const version = record(attrs.signature_info);
  const hasVersion = version !== undefined && ['product', 'description', 'original name', 'internal name', 'copyright'].some((k) => str(version[k]) !== '');
  if (!isDll && !hasVersion) hits.push({ rule: R['no-version-info'] });
  if (imports.has('SetWindowsHookEx') && (imports.has('GetAsyncKeyState') || imports.has('GetKeyboardState'))) hits.push({ rule: R['keyboard-hook-imports'] });
}

function textHits(text: string, imports: Set<string>, exported: Set<string>, isDotNet: boolean, isDll: boolean, hits: Hit[]): void {
  // An API named in the strings counts (malware resolves them at run time), unless the file exports
  // it: a system DLL that implements WriteProcessMemory is not injecting anything.
  const has = (name: string) => imports.has(name) || (!exported.has(name) && new RegExp(`\\b${name}[AW]?\\b`).test(text));
  if (/vssadmin(?:\.exe)?"?\s{1,4}delete\s{1,4}shadows|shadowcopy\s{1,4}delete|recoveryenabled\s{1,4}no|wbadmin\s{1,4}delete\s{1,4}catalog/i.test(text)) hits.push({ rule: R['shadow-copy-deletion'] });
  if (/(?:your|all) (?:important |personal )?(?:files|documents|data)[^\n]{0,40}(?:have been|are|were) (?:encrypted|locked)|decrypt(?:ion)? (?:key|tool|software|program)[^\n]{0,200}(?:bitcoin|btc|monero|payment|pay)/i.test(text)) hits.push({ rule: R['ransom-note'] });
  if (/ms-settings\\{1,2}shell\\{1,2}open\\{1,2}command|mscfile\\{1,2}shell\\{1,2}open\\{1,2}command|exefile\\{1,2}shell\\{1,2}runas\\{1,2}command/i.test(text)) hits.push({ rule: R['uac-bypass'] });
  if (/sekurlsa::|lsadump::|privilege::debug|mimikatz/i.test(text)) hits.push({ rule: R['credential-dumping'] });
  if (/powershell(?:\.exe)?[^\n]{0,80}\s-(?:e|ec|enc|encodedcommand)\s{1,4}[A-Za-z0-9+/=]{16}|powershell(?:\.exe)?[^\n]{0,80}-w(?:indowstyle)?\s{1,4}hidden/i.test(text)) hits.push({ rule: R['encoded-powershell'] });
  const stores = distinct(text, CREDENTIAL_STORES);
  if (stores.length >= 3) hits.push({ rule: R['browser-credential-theft'], evidence: stores.slice(0, 4).join(' ') });

  if (has('WriteProcessMemory') && (has('VirtualAllocEx') || has('NtAllocateVirtualMemory') || has('NtMapViewOfSection')) && (has('CreateRemoteThread') || has('NtCreateThreadEx') || has('RtlCreateUserThread') || has('QueueUserAPC') || has('SetThreadContext') || has('Wow64SetThreadContext'))) {
    hits.push({ rule: R['process-injection'] });
  }
  if ((has('NtUnmapViewOfSection') || has('ZwUnmapViewOfSection')) && (has('SetThreadContext') || has('Wow64SetThreadContext')) && has('ResumeThread')) hits.push({ rule: R['process-hollowing'] });
  const keys = distinct(text, KEY_NAMES);
  if (keys.length >= 3) hits.push({ rule: R['keylogger-strings'], evidence: keys.join(' ') });
  const sandboxes = distinct(text, SANDBOX_NAMES);
  if (sandboxes.length >= 2) hits.push({ rule: R['anti-analysis'], evidence: sandboxes.join(' ') });
  if (has('URLDownloadToFile') || /https?:\/\/(?:\d{1,3}\.){3}\d{1,3}(?::\d{1,5})?\//.test(text)) hits.push({ rule: R['download-execute'] });
  if (/netsh(?:\.exe)?\s{1,4}(?:firewall\s{1,4}add\s{1,4}allowedprogram|advfirewall\s{1,4}firewall\s{1,4}add\s{1,4}rule)/i.test(text)) hits.push({ rule: R['firewall-change'] });
  if (/(?:ping(?:\.exe)?\s{1,4}(?:-n\s{1,4}\d{1,3}\s{1,4})?127\.0\.0\.1|timeout(?:\.exe)?\s{1,4}\/t\s{1,4}\d{1,3}|choice\s{1,4}\/c)[^\n]{0,60}&\s{0,4}del\s/i.test(text) || /cmd(?:\.exe)?\s{1,4}\/c\s{1,4}del\s/i.test(text)) hits.push({ rule: R['self-delete'] });
  if (/DisableAntiSpyware|DisableRealtimeMonitoring|Set-MpPreference|Add-MpPreference/i.test(text)) hits.push({ rule: R['defender-tampering'] });
  if (/schtasks(?:\.exe)?"?\s{1,4}\/create/i.test(text)) hits.push({ rule: R['scheduled-task'] });
  if (/SeDebugPrivilege/.test(text) && has('AdjustTokenPrivileges')) hits.push({ rule: R['debug-privilege'] });
  if (!isDll && /Mozilla\/[45]\.0 \((?:compatible|Windows)/.test(text)) hits.push({ rule: R['hardcoded-user-agent'] });
  if (has('capCreateCaptureWindow')) hits.push({ rule: R['webcam-capture'] });
  if (/\b[a-z2-7]{16}(?:[a-z2-7]{40})?\.onion\b/.test(text)) hits.push({ rule: R['tor-address'] });
  const ips = publicIps(text, { standalone: true });
  if (ips.withPort.length > 0 || /https?:\/\/[\w.-]{1,100}(?::\d{1,5})?\/[\w/.-]{0,60}(?:gate|panel|admin|post|upload|login)\.php\b/i.test(text)) hits.push({ rule: R['hardcoded-c2'], evidence: ips.withPort[0] });
  if (/[A-Z]:\\[^\n]{0,200}(?:stub|loader|inject|\brat\b|keylog|stealer|crypter|payload|bypass|trojan|backdoor|ransom|grabber|botnet|exploit)[^\n]{0,100}\.pdb\b/i.test(text)) hits.push({ rule: R['malware-pdb-path'] });
  if (/SecurityCenter2?\b[^\n]{0,10}|AntiVirusProduct|FirewallProduct/.test(text) && /AntiVirusProduct|FirewallProduct/.test(text)) hits.push({ rule: R['security-product-query'] });
  if (/DisableTaskMgr|DisableRegistryTools|DisableCMD\b/i.test(text)) hits.push({ rule: R['system-tools-disabled'] });
  if (!isDll && /\\\\\.\\PhysicalDrive\d/i.test(text)) hits.push({ rule: R['raw-disk-access'] });
  if (isDotNet && /\bSmtpClient\b|\bFtpWebRequest\b|\bNetworkCredential\b/.test(text) && /GetAsyncKeyState|\bClipboard\b|CopyFromScreen|Login Data|logins\.json|GetKeyboardState/.test(text)) hits.push({ rule: R['dotnet-exfiltration'] });
  if (/Software\\{1,2}Microsoft\\{1,2}Windows\\{1,2}CurrentVersion\\{1,2}Run(?:Once)?\b/i.test(text)) hits.push({ rule: R['run-key'] });
  if (/cmd(?:\.exe)?"?\s{1,4}\/[ck]\s/i.test(text)) hits.push({ rule: R['cmd-execution'] });
  if (isDotNet) {
    if (/ConfusedByAttribute|ConfuserEx|SmartAssembly\.|PoweredByAttribute|\.NET Reactor|Babel\.|DotfuscatorAttribute|Eazfuscator|ObfuscatedByGoliath|dnGuard|CryptoObfuscator/i.test(text)) hits.push({ rule: R['dotnet-obfuscator'] });
    if (/\bFromBase64String\b/.test(text) && /\bLoad\b/.test(text) && /\bInvoke\b|\bCreateInstance\b|\bEntryPoint\b/.test(text) && /System\.Reflection/.test(text)) hits.push({ rule: R['dotnet-reflective-load'] });
  }
}

export function createAssayPeEngine() {
  return createHeuristicEngine({
    manifest: {
      name: 'Assay-PE',
      version: '1.0.0',
      description: 'heuristics over Windows PE structure, imports, packers, .NET metadata and strings (pe_info, packers, signature_info)',
      accepts: { kinds: ['file'], typeTags: PE_TYPE_TAGS },
      timeoutMs: 30_000,
      needsNetwork: false,
    },
    prefix: 'Assay.PE',
    rulesDate: ASSAY_PE_RULES_DATE,
    async detect(input, signal) {
      const attrs = input.attributes ?? {};
      const hits: Hit[] = [];
      const name = misleadingName(input.names);
      if (name) hits.push({ rule: R['misleading-name'], evidence: name });
      if (input.names.some((n) => /\.(?:scr|pif)$/i.test(n))) hits.push({ rule: R['screen-saver'] });
      const peInfo = record(attrs.pe_info) ?? {};
      const text = printableText(await readHead(input.path));
      signal.throwIfAborted();
      // Behaviour (strings, imports) before structure, so a tie names the behaviour rather than 'Packed'.
      textHits(text, importedFunctions(peInfo), exportedNames(peInfo), record(attrs.dot_net_assembly) !== undefined, input.typeTag === 'pedll', hits);
      structureHits(input, peInfo, attrs, hits);
      return hits;
    },
  });
}
