/** The Assay-PE engine's signals: what in a Windows executable's structure, imports and strings points to malice. */
import { defineRules, WEIGHT } from '../heuristics/signal.js';

const { strong, medium, weak } = WEIGHT;

export const PE_RULES = defineRules({
  // Strong: specific to malicious programs.
  'misleading-name': { weight: strong, family: 'Dropper', description: 'named like a document but an executable (double extension or a right-to-left override)' },
  'shadow-copy-deletion': { weight: strong, family: 'Ransom', description: 'deletes Volume Shadow Copies or disables recovery (vssadmin, wmic shadowcopy, bcdedit)' },
  'ransom-note': { weight: strong, family: 'Ransom', description: 'carries a ransom note (files encrypted, pay in bitcoin, decryptor)' },
  'uac-bypass': { weight: strong, family: 'UACBypass', description: 'hijacks an auto-elevating binary\'s handler (ms-settings / mscfile shell\\open\\command)' },
  'credential-dumping': { weight: strong, family: 'PSW', description: 'mimikatz-style LSASS/SAM dumping commands' },
  'encoded-powershell': { weight: strong, family: 'Dropper', description: 'starts PowerShell with a base64 -EncodedCommand or a hidden window' },
  'browser-credential-theft': { weight: strong, family: 'Stealer', description: 'names the credential stores of several browsers, mail or FTP clients, or wallets' },
  // Medium: each has innocent uses; two make a verdict.
  'process-injection': { weight: medium, family: 'Injector', description: 'allocates and writes memory in another process and starts a thread there' },
  'process-hollowing': { weight: medium, family: 'Injector', description: 'unmaps a section of a process and redirects its thread' },
  'packed': { weight: medium, family: 'Packed', description: 'compressed or protected by an executable packer (UPX, ASPack, Themida, ...)' },
  'high-entropy-code': { weight: medium, family: 'Packed', description: 'an executable section whose bytes are near-random (entropy >= 7.2): packed or encrypted code' },
  'keylogger-strings': { weight: medium, family: 'Keylogger', description: 'key names logged as text ([ENTER], [BACKSPACE], ...)' },
  'anti-analysis': { weight: medium, family: 'Evasion', description: 'looks for several sandboxes, virtual machines or analysis tools' },
  'download-execute': { weight: medium, family: 'Downloader', description: 'URLDownloadToFile, or a URL to a bare IP address' },
  'firewall-change': { weight: medium, family: 'Backdoor', description: 'opens the Windows firewall for itself (netsh)' },
  'self-delete': { weight: medium, family: 'Dropper', description: 'deletes its own file through cmd (del after ping/timeout)' },
  'defender-tampering': { weight: medium, family: 'Evasion', description: 'turns Microsoft Defender off or adds exclusions' },
  'scheduled-task': { weight: medium, family: 'Persistence', description: 'creates a scheduled task (schtasks /create)' },
  'dotnet-obfuscator': { weight: medium, family: 'Obfuscated', description: 'a .NET assembly protected by an obfuscator (ConfuserEx, SmartAssembly, .NET Reactor, ...)' },
  'dotnet-reflective-load': { weight: medium, family: 'Loader', description: 'a .NET assembly that decodes and loads code at run time (Assembly.Load with base64 or resources)' },
  'webcam-capture': { weight: medium, family: 'Spy', description: 'captures the webcam (capCreateCaptureWindow)' },
  'tor-address': { weight: medium, family: 'Backdoor', description: 'contains a .onion address' },
  'screen-saver': { weight: medium, family: 'Dropper', description: 'an executable named .scr or .pif' },
  'hardcoded-c2': { weight: medium, family: 'Backdoor', description: 'a public IPv4 address with a port, or a URL to a PHP gate (/gate.php, /panel/...)' },
  'malware-pdb-path': { weight: medium, family: 'Trojan', description: 'a debug (PDB) path naming what the program is (stub, loader, inject, rat, keylog, stealer, crypter, payload, bypass)' },
  'security-product-query': { weight: medium, family: 'Evasion', description: 'asks WMI which antivirus is installed (SecurityCenter2 / AntiVirusProduct)' },
  'system-tools-disabled': { weight: medium, family: 'Trojan', description: 'disables Task Manager, the registry editor or cmd through policy values' },
  'raw-disk-access': { weight: medium, family: 'Wiper', description: 'opens the physical disk directly (\\\\.\\PhysicalDrive0): MBR lockers and wipers' },
  'dotnet-exfiltration': { weight: medium, family: 'Stealer', description: 'a .NET program that mails or posts out what it collects (SmtpClient/FtpWebRequest with keystrokes, clipboard, screen or browser data)' },
  'embedded-executable': { weight: medium, family: 'Dropper', description: 'carries another Windows executable in a resource' },
  'encrypted-payload': { weight: weak, family: 'Dropper', description: 'a large data section (>= 7.6), or a resource or overlay of unknown type (>= 7.8), of near-random bytes: an encrypted payload' },
  'debug-privilege': { weight: medium, family: 'Injector', description: 'enables SeDebugPrivilege (to open other users\' and system processes)' },
  'autoit-script': { weight: medium, family: 'AutoIt', description: 'a compiled AutoIt script: the favourite wrapper of commodity crypters (legitimate AutoIt tools exist, and are called suspicious)' },
  // Weak: common in packed or unusual but benign programs; they only add up.
  'few-imports': { weight: weak, family: 'Packed', description: 'an executable importing almost nothing (<= 4 functions, or only LoadLibrary/GetProcAddress)' },
  'writable-code': { weight: weak, family: 'Packed', description: 'a section both writable and executable' },
  'entry-outside-code': { weight: weak, family: 'Packed', description: 'the entry point lies outside the first executable section' },
  'run-key': { weight: weak, family: 'Persistence', description: 'names the Run/RunOnce registry key' },
  'cmd-execution': { weight: weak, family: 'Trojan', description: 'runs commands through cmd.exe /c' },
  'no-version-info': { weight: weak, family: 'Trojan', description: 'a GUI executable with no version information' },
  'odd-timestamp': { weight: weak, family: 'Trojan', description: 'a compile time in the future' },
  'unusual-section-names': { weight: weak, family: 'Packed', description: 'section names no common compiler or linker writes (crypters name theirs at random)' },
  'hardcoded-user-agent': { weight: weak, family: 'Downloader', description: 'an executable carrying a browser User-Agent string of its own' },
  'keyboard-hook-imports': { weight: weak, family: 'Keylogger', description: 'imports SetWindowsHookEx together with GetAsyncKeyState/GetKeyboardState' },
});
