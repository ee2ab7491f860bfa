/** A feed's label for an entry in VT's words for URL verdicts: `malware`, `phishing` or `malicious`. */
import type { BlocklistResult } from '../../feeds/registry.js';

const PHISHING = /phish|credential|spoof/i;
const MALWARE = /malware|payload|botnet|\bc2\b|\bc&c\b|ransom|trojan|stealer|loader|exploit|miner/i;

/** URLhaus `malware_download` -> malware; anything phishing-like -> phishing; else the feed's default. */
export function resultForThreat(threat: string | null, feedDefault: BlocklistResult): BlocklistResult {
  if (threat === null) return feedDefault;
  if (PHISHING.test(threat)) return 'phishing';
  if (MALWARE.test(threat)) return 'malware';
  return feedDefault;
}
