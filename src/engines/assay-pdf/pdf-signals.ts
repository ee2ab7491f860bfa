/** The Assay-PDF engine's signals: auto-running JavaScript, exploits, launch actions and embedded payloads. */
import { defineRules, WEIGHT } from '../heuristics/signal.js';

const { strong, medium, weak } = WEIGHT;

export const PDF_RULES = defineRules({
  'js-exploit': { weight: strong, family: 'Exploit', description: 'JavaScript with exploit tell-tales: heap-spray strings (%u9090, unescape of shellcode), or APIs with known CVEs (util.printf, Collab.getIcon, media.newPlayer, spell.customDictionaryOpen, getAnnots)' },
  'launch-action': { weight: strong, family: 'Launch', description: 'a /Launch action that starts a program, script or shell command' },
  'launch-file': { weight: weak, family: 'Launch', description: 'a /Launch action that opens a file (LaTeX documents link to their sources so)' },
  'embedded-executable': { weight: strong, family: 'Dropper', description: 'an embedded file that is a program or script' },
  'auto-javascript': { weight: weak, family: 'JS', description: 'JavaScript run automatically when the document opens (/OpenAction or /AA)' },
  'obfuscated-javascript': { weight: medium, family: 'JS', description: 'JavaScript built with eval/unescape/fromCharCode or long escaped strings' },
  'obfuscated-names': { weight: medium, family: 'Obfuscated', description: 'PDF names written with #xx escapes to hide keywords (/J#61vaScript)' },
  'javascript': { weight: weak, family: 'JS', description: 'contains JavaScript' },
  'embedded-file': { weight: weak, family: 'Dropper', description: 'contains an embedded file' },
  'xfa-form': { weight: weak, family: 'XFA', description: 'an XFA form (a script host with a record of exploits)' },
  'malformed': { weight: weak, family: 'Malformed', description: 'no %PDF header at the start, or object counts that do not match' },
});
