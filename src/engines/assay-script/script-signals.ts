/** The Assay-Script engine's signals: the script analyzer's behaviour signals, weighed, plus obfuscation depth. */
import { defineRules, WEIGHT } from '../heuristics/signal.js';

const { strong, medium, weak } = WEIGHT;

/** Keys are the script analyzer's signal names (analyzers/script/script-signals.ts), plus our own. */
export const SCRIPT_RULES = defineRules({
  'amsi-bypass': { weight: strong, family: 'AMSIBypass', description: 'tampers with the Antimalware Scan Interface' },
  'shadow-copy-deletion': { weight: strong, family: 'Ransom', description: 'deletes shadow copies or disables recovery' },
  'reverse-shell': { weight: strong, family: 'ReverseShell', description: 'connects a shell to a remote host' },
  'download-execute': { weight: strong, family: 'Downloader', description: 'downloads content and runs it (a download cradle with eval/IEX, a LOLBin or a shell object)' },
  'encoded-command': { weight: medium, family: 'Obfuscated', description: 'starts PowerShell with a base64 -EncodedCommand' },
  'defender-tampering': { weight: medium, family: 'Evasion', description: 'weakens Microsoft Defender' },
  'miner': { weight: medium, family: 'CoinMiner', description: 'runs or configures a cryptocurrency miner' },
  'download-cradle': { weight: medium, family: 'Downloader', description: 'downloads content from the network' },
  'lolbin': { weight: medium, family: 'LOLBin', description: 'uses a signed Windows binary to fetch or run code' },
  'hidden-execution': { weight: medium, family: 'Dropper', description: 'hides the PowerShell window or bypasses the execution policy' },
  'deep-obfuscation': { weight: medium, family: 'Obfuscated', description: 'code hidden under two or more encoding layers (in a Windows script language)' },
  'download-cradle-generic': { weight: weak, family: 'Downloader', description: 'downloads content, in a language where that is everyday work (Python, shell, Perl)' },
  'invoke-expression': { weight: weak, family: 'Obfuscated', description: 'runs a string as PowerShell code' },
  'persistence-run-key': { weight: weak, family: 'Persistence', description: 'writes a Run/RunOnce registry key' },
  'persistence-scheduled-task': { weight: weak, family: 'Persistence', description: 'creates a scheduled task' },
  'persistence-startup-folder': { weight: weak, family: 'Persistence', description: 'writes to the Startup folder' },
  'com-shell-execution': { weight: weak, family: 'Dropper', description: 'runs commands through WScript.Shell / Shell.Application' },
  'dynamic-eval': { weight: weak, family: 'Obfuscated', description: 'evaluates a string as code' },
  'encoded-layer': { weight: weak, family: 'Obfuscated', description: 'code hidden under one encoding layer' },
});

/** Signals of Linux admin scripts (cron, systemd, shell profiles) weigh nothing: Debian's maintainer scripts use them all. */
export const IGNORED_SCRIPT_SIGNALS = new Set(['persistence-cron', 'persistence-systemd', 'persistence-shell-profile']);
