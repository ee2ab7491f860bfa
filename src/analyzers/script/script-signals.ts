/** Named behaviour signals in script text (download cradles, IEX, AMSI bypass, LOLBins, persistence, reverse shells, miners). */
// For the verdict engines that come later: they read names and evidence, not raw text. Each pattern
// is literals and single character classes with bounded repeats, so adversarial text cannot make
// it backtrack beyond its bounds.

export interface SignalRule {
  name: string;
  description: string;
  pattern: RegExp;
}

export const SIGNAL_RULES: readonly SignalRule[] = [
  {
    name: 'download-cradle',
    description: 'downloads content from the network',
    pattern: /Net\.WebClient|\.Download(?:String|File|Data)(?:Async)?\b|Invoke-WebRequest|Invoke-RestMethod|\b(?:iwr|irm)\s+-?\w{0,10}\s{0,4}["']?https?:|Start-BitsTransfer|Net\.Http\.HttpClient|MSXML2\.(?:Server)?XMLHTTP|Microsoft\.XMLHTTP|WinHttp\.WinHttpRequest|\b(?:curl|wget)\b[^\n|;]{0,300}\|\s{0,4}(?:sudo\s+)?(?:ba|da|z)?sh\b|urllib\.request\.urlopen|urllib2\.urlopen|requests\.get\(/gi,
  },
  {
    name: 'invoke-expression',
    description: 'runs a string as PowerShell code',
    pattern: /\bInvoke-Expression\b|\biex\b|\.Invoke(?:Command|Script)\(|\[ScriptBlock\]::Create/gi,
  },
  {
    name: 'dynamic-eval',
    description: 'evaluates a string as code (eval, Execute, exec)',
    pattern: /\beval\s{0,4}\(|\bExecute(?:Global)?\s{0,4}[("]|\bexec\s{0,4}\(|\bnew\s+Function\s{0,4}\(/gi,
  },
  {
    name: 'encoded-command',
    description: 'starts PowerShell with a base64 -EncodedCommand',
    pattern: /\s-(?:e|ec|en|enc|enco|encodedcommand)\s{1,8}["']?[A-Za-z0-9+/]{20}/gi,
  },
  {
    name: 'hidden-execution',
    description: 'hides the PowerShell window or bypasses the execution policy',
    pattern: /\s-(?:w|win|window|windowstyle)\s{1,4}(?:hidden|1)\b|\s-(?:ep|exec|executionpolicy)\s{1,4}(?:bypass|unrestricted)\b|\s-(?:nop|noprofile)\b.{0,80}\s-(?:w|windowstyle)\s/gi,
  },
  {
    name: 'amsi-bypass',
    description: 'tampers with the Antimalware Scan Interface',
    pattern: /AmsiUtils|amsiInitFailed|AmsiScanBuffer|amsiContext|amsi\.dll/gi,
  },
  {
    name: 'defender-tampering',
    description: 'weakens Microsoft Defender',
    pattern: /Set-MpPreference|Add-MpPreference[^\n]{0,60}-Exclusion|DisableRealtimeMonitoring|DisableBehaviorMonitoring/gi,
  },
  {
    name: 'lolbin',
    description: 'uses a signed Windows binary to fetch or run code (living off the land)',
    pattern: /\bcertutil(?:\.exe)?\b[^\n]{0,100}-(?:urlcache|decode|decodehex)\b|\bmshta(?:\.exe)?\s|\bregsvr32(?:\.exe)?\b[^\n]{0,100}\/i:|\brundll32(?:\.exe)?\s[^\n]{0,100},|\bbitsadmin(?:\.exe)?\b[^\n]{0,60}\/transfer|\bwmic(?:\.exe)?\b[^\n]{0,100}process\s{1,4}call\s{1,4}create|\bmsiexec(?:\.exe)?\b[^\n]{0,60}https?:|\b(?:installutil|regasm|regsvcs|cmstp|odbcconf|msbuild|forfiles|pcalua)(?:\.exe)?\s/gi,
  },
  {
    name: 'persistence-run-key',
    description: 'writes a Run/RunOnce registry key',
    pattern: /Microsoft\\{1,2}Windows\\{1,2}CurrentVersion\\{1,2}Run(?:Once)?\b|CurrentVersion\\{1,2}Policies\\{1,2}Explorer\\{1,2}Run\b/gi,
  },
  {
    name: 'persistence-scheduled-task',
    description: 'creates a scheduled task',
    pattern: /\bschtasks(?:\.exe)?\b[^\n]{0,60}\/create\b|Register-ScheduledTask|New-ScheduledTaskAction/gi,
  },
  {
    name: 'persistence-startup-folder',
    description: 'writes to the Startup folder',
    pattern: /Start Menu\\{1,2}Programs\\{1,2}Startup|shell:startup/gi,
  },
  {
    name: 'persistence-cron',
    description: 'installs a cron job',
    pattern: /\bcrontab\s{1,4}-|\/etc\/cron\.|\/var\/spool\/cron|\/etc\/crontab/gi,
  },
  {
    name: 'persistence-systemd',
    description: 'installs or enables a systemd unit',
    pattern: /\bsystemctl\s{1,4}(?:--user\s{1,4})?enable\b|\/(?:etc|lib|usr\/lib)\/systemd\/system\/[\w@.-]{1,100}\.(?:service|timer)|^\s{0,8}ExecStart=/gim,
  },
  {
    name: 'persistence-shell-profile',
    description: 'appends to a shell start-up file or authorized_keys',
    pattern: />>\s{0,4}~?\/?[\w/.]{0,40}(?:\.bashrc|\.bash_profile|\.profile|\.zshrc|authorized_keys)\b/gi,
  },
  {
    name: 'reverse-shell',
    description: 'connects a shell to a remote host',
    pattern: /\/dev\/(?:tcp|udp)\/[\w.-]{1,100}\/\d{1,5}|\bn(?:c|cat|etcat)\b[^\n]{0,80}\s-(?:e|c)\s{1,4}\/bin\/(?:ba)?sh|\bbash\s{1,4}-i\s{0,4}>&|\bmkfifo\b[^\n]{0,80}\bn(?:c|cat)\b|Net\.Sockets\.TCPClient|socket\.socket\([^\n]{0,200}(?:subprocess|pty\.spawn|os\.dup2)|pty\.spawn\(/gi,
  },
  {
    name: 'miner',
    description: 'runs or configures a cryptocurrency miner',
    pattern: /stratum\+(?:tcp|ssl|tls):\/\/|\bxmrig\b|\bminerd\b|\bcryptonight\b|--donate-level|\bnicehash\b/gi,
  },
  {
    name: 'shadow-copy-deletion',
    description: 'deletes shadow copies or disables recovery',
    pattern: /vssadmin(?:\.exe)?\s{1,4}delete\s{1,4}shadows|wmic(?:\.exe)?\s{1,4}shadowcopy\s{1,4}delete|bcdedit[^\n]{0,60}recoveryenabled\s{1,4}no/gi,
  },
  {
    name: 'com-shell-execution',
    description: 'runs commands through COM (WScript.Shell, Shell.Application)',
    pattern: /WScript\.Shell|Shell\.Application|\.ShellExecute\b/gi,
  },
];

export interface SignalEvidence {
  /** 0 is the file's text; 1.. the decoded layer depth where it was seen. */
  depth: number;
  excerpt: string;
}

export interface ScriptSignal {
  name: string;
  description: string;
  evidence: SignalEvidence[];
}

const MAX_EVIDENCE = 5;
const EXCERPT_CHARS = 160;

/** Signals found in the texts (the file's, then each decoded layer's), with a few excerpts each. */
export function findSignals(texts: ReadonlyArray<{ depth: number; text: string }>): ScriptSignal[] {
  const found = new Map<string, ScriptSignal>();
  for (const rule of SIGNAL_RULES) {
    for (const { depth, text } of texts) {
      const signal = found.get(rule.name);
      if (signal && signal.evidence.length >= MAX_EVIDENCE) break;
      rule.pattern.lastIndex = 0;
      for (const m of text.matchAll(rule.pattern)) {
        const entry = found.get(rule.name) ?? { name: rule.name, description: rule.description, evidence: [] };
        found.set(rule.name, entry);
        const start = Math.max(0, m.index - 40);
        const excerpt = text.slice(start, Math.min(text.length, m.index + m[0].length + 40)).replace(/\s+/g, ' ').slice(0, EXCERPT_CHARS);
        if (!entry.evidence.some((e) => e.excerpt === excerpt)) entry.evidence.push({ depth, excerpt });
        if (entry.evidence.length >= MAX_EVIDENCE) break;
      }
    }
  }
  return [...found.values()];
}
