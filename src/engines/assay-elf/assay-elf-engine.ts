/** Assay-ELF: heuristic verdicts on Linux executables from elf_info, packers and strings. */
import type { FileInput } from '../../core/plugin.js';
import { createHeuristicEngine, list, record, str } from '../heuristics/heuristic-engine.js';
import { printableText, readHead } from '../heuristics/file-text.js';
import type { Hit } from '../heuristics/signal.js';
import { publicIps } from '../heuristics/ip-literals.js';
import { ELF_RULES as R } from './elf-signals.js';

export const ASSAY_ELF_RULES_DATE = '20261207';

/** Factory telnet passwords Mirai-family scanners try; a benign program has no reason to hold several. */
const TELNET_PASSWORDS = ['xc3511', 'vizxv', '7ujMko0admin', '7ujMko0vizxv', 'Zte521', 'hi3518', 'jvbzd', 'anko', 'klv123', 'klv1234', 'juantech', 'smcadmin', 'xmhdipc', 'dreambox', 'ikwb', 'realtek', 'hunt5759', 'tsgoingon', 'zlxx.', 'GM8182', 'oelinux123', 'hikvision', 'vstarcam2015', '20080826', 'grouter', 'telecomadmin', 'Zte521', 'tl789', 'h3c', 'dvr2580222'];
const FLOODS = [/\b(?:udp|tcp|syn|ack|http|std|vse|dns|greip|greeth|icmp|xmas|stomp|ovh|nfo|rand|junk|hold|blacknurse)[ _-]?flood/i, /\bKILLATTK\b/, /\bLOLNOGTFO\b/, /\bUDPRAW\b|\bTCPRAW\b/, /\bHTTPFLOOD\b/, /\bSYNFLOOD|ACKFLOOD|UDPFLOOD/i, /\battack_(?:udp|tcp|app|gre)_/, /TSource Engine Query/];
const MIRAI_PLUMBING = [/\/dev\/watchdog/, /\/dev\/misc\/watchdog/, /\/bin\/busybox\s+[A-Z]{4,}/, /\/proc\/net\/tcp\b/, /POST \/cdn-cgi\//, /\bLCOGQGPTGP\b/];
const ANTI_FORENSICS = [/history\s+-c/, /rm\s+-rf\s+\/var\/log/, /iptables\s+-F/, /ufw\s+disable/, /setenforce\s+0/, /chattr\s+[-+]i/, /unset\s+HISTFILE|HISTFILE=\/dev\/null/, /echo\s+0\s*>\s*\/proc\/sys\/kernel\/nmi_watchdog/];
const EMBEDDED = /MIPS|ARM|PowerPC|Renesas|SuperH|SPARC|Motorola|m68k|68000/i;

function detectElf(input: FileInput, text: string): Hit[] {
  const hits: Hit[] = [];
  const attrs = input.attributes ?? {};
  const elf = record(attrs.elf_info);
  const header = record(elf?.header) ?? {};
  const passwords = TELNET_PASSWORDS.filter((p) => text.includes(p));
  if (new Set(passwords).size >= 3) hits.push({ rule: R['telnet-credential-list'], evidence: passwords.slice(0, 5).join(' ') });
  const floods = FLOODS.filter((f) => f.test(text));
  if (floods.length >= 2) hits.push({ rule: R['ddos-commands'], evidence: floods.map((f) => f.source).join(' ') });
  else if (floods.length === 1) hits.push({ rule: R['ddos-command'] });
  if (/stratum\+(?:tcp|ssl|tls):\/\/|\bxmrig\b|\bcryptonight\b|--donate-level|\bminerd\b/i.test(text)) hits.push({ rule: R['coin-miner'] });
  if (/\bNICK\s/.test(text) && /\bJOIN\s+[#&]/.test(text) && /\bPRIVMSG\b/.test(text)) hits.push({ rule: R['irc-bot'] });
  if (MIRAI_PLUMBING.filter((p) => p.test(text)).length >= 2) hits.push({ rule: R['bot-infrastructure'] });
  if (/(?:wget|curl|tftp|ftpget)\b[^\n]{0,200}(?:;|&&|\|)\s{0,4}chmod\s+(?:\+x|[0-7]?7[0-7]{2})|cd\s+\/tmp[^\n]{0,40}(?:wget|curl|tftp)/.test(text)) hits.push({ rule: R['download-and-run'] });
  if (ANTI_FORENSICS.filter((p) => p.test(text)).length >= 2) hits.push({ rule: R['anti-forensics'] });
  const packers = Object.values(record(attrs.packers) ?? {}).filter((v) => typeof v === 'string');
  if (packers.length > 0 || /\bUPX!|\$Info: This file is packed with the UPX/.test(text)) hits.push({ rule: R.packed, evidence: packers.join(', ') });
  if (/\/etc\/ld\.so\.preload/.test(text) && !str(elf?.interp) && list(elf?.section_list).length > 0 && !/ld-linux|ld\.so\.cache/.test(text)) hits.push({ rule: R['rootkit-preload'] });
  if (input.size < 2048 && list(elf?.section_list).length === 0 && /EXEC/.test(str(header.type))) hits.push({ rule: R['tiny-executable'] });
  if (/https?:\/\/(?:\d{1,3}\.){3}\d{1,3}(?::\d{1,5})?\//.test(text)) hits.push({ rule: R['hardcoded-ip-url'] });
  const ips = publicIps(text, { standalone: true });
  if (ips.withPort.length > 0) hits.push({ rule: R['hardcoded-c2'], evidence: ips.withPort[0] });
  else if (ips.bare.length > 0) hits.push({ rule: R['hardcoded-ip'], evidence: ips.bare[0] });
  if (/\/etc\/rc\.local|\/etc\/init\.d\/|\/etc\/cron/.test(text) && /\/bin\/sh|bash -c/.test(text)) hits.push({ rule: R.persistence });
  const isStatic = elf !== undefined && !str(elf.interp) && list(elf.shared_libraries).length === 0;
  const hasSymtab = list(elf?.section_list).some((s) => str(record(s)?.name) === '.symtab');
  if (isStatic && !hasSymtab) hits.push({ rule: R['static-stripped'] });
  if (isStatic && EMBEDDED.test(str(header.machine))) hits.push({ rule: R['embedded-arch'], evidence: str(header.machine) });
  return hits;
}

export function createAssayElfEngine() {
  return createHeuristicEngine({
    manifest: {
      name: 'Assay-ELF',
      version: '1.0.0',
      description: 'heuristics over Linux ELF structure and strings: IoT botnets, DDoS kits, miners, backdoors (elf_info, packers)',
      accepts: { kinds: ['file'], typeTags: ['elf'] },
      timeoutMs: 30_000,
      needsNetwork: false,
    },
    prefix: 'Assay.Linux',
    rulesDate: ASSAY_ELF_RULES_DATE,
    async detect(input, signal) {
      const text = printableText(await readHead(input.path));
      signal.throwIfAborted();
      return detectElf(input, text);
    },
  });
}
