/** The Assay-ELF engine's signals: IoT botnets, DDoS kits, miners and backdoors in Linux executables. */
import { defineRules, WEIGHT } from '../heuristics/signal.js';

const { strong, medium, weak } = WEIGHT;

export const ELF_RULES = defineRules({
  'telnet-credential-list': { weight: strong, family: 'Mirai', description: 'a dictionary of factory telnet passwords of IoT devices (xc3511, vizxv, 7ujMko0admin, ...)' },
  'ddos-commands': { weight: strong, family: 'DDoS', description: 'names two or more flood attacks (UDP/SYN/ACK/HTTP flood, KILLATTK, ...)' },
  'coin-miner': { weight: strong, family: 'CoinMiner', description: 'a cryptocurrency miner (stratum+tcp://, xmrig, cryptonight)' },
  'irc-bot': { weight: medium, family: 'Tsunami', description: 'speaks IRC as a bot (NICK, JOIN #, PRIVMSG with command words)' },
  'ddos-command': { weight: medium, family: 'DDoS', description: 'names one flood attack' },
  'bot-infrastructure': { weight: medium, family: 'Mirai', description: 'kills the watchdog, scans /proc for rivals, or drives busybox (Mirai-family plumbing)' },
  'download-and-run': { weight: medium, family: 'Downloader', description: 'shell commands that fetch a file to /tmp and make it executable (wget/curl/tftp + chmod)' },
  'anti-forensics': { weight: medium, family: 'Backdoor', description: 'clears history or logs, flushes the firewall or disables SELinux (two or more)' },
  'packed': { weight: medium, family: 'Packed', description: 'packed with UPX (or a modified UPX)' },
  'tiny-executable': { weight: medium, family: 'Shellcode', description: 'an executable under 2 KB with no sections: a generated payload stub' },
  'rootkit-preload': { weight: medium, family: 'Rootkit', description: 'writes /etc/ld.so.preload' },
  'hardcoded-c2': { weight: medium, family: 'Backdoor', description: 'a public IPv4 address with a port (ip:port), the usual form of a built-in command server' },
  'hardcoded-ip': { weight: weak, family: 'Backdoor', description: 'a public IPv4 address literal' },
  'hardcoded-ip-url': { weight: weak, family: 'Downloader', description: 'a URL to a bare IP address' },
  'persistence': { weight: weak, family: 'Backdoor', description: 'rc.local, init.d or cron paths with shell commands' },
  'static-stripped': { weight: weak, family: 'Agent', description: 'statically linked with no symbol table (usual for IoT bots, also for some tools)' },
  'embedded-arch': { weight: weak, family: 'Agent', description: 'built for an embedded CPU (MIPS, ARM, PowerPC, SuperH, SPARC, m68k) and statically linked' },
});
