/** The Assay-Office engine's signals: macros, DDE, XLM, template injection, embedded payloads and RTF exploits. */
import { defineRules, WEIGHT } from '../heuristics/signal.js';

const { strong, medium, weak } = WEIGHT;

export const OFFICE_RULES = defineRules({
  'macro-downloader': { weight: strong, family: 'Downloader', description: 'a VBA macro that runs on open and downloads or runs programs' },
  'remote-template': { weight: strong, family: 'TemplateInjection', description: 'loads its template from a remote URL (attachedTemplate over http)' },
  'dde-command': { weight: strong, family: 'DDE', description: 'a DDE/DDEAUTO field that starts a program' },
  'equation-editor-exploit': { weight: strong, family: 'CVE-2017-11882', description: 'an RTF/OLE object of the Equation Editor (exploited by CVE-2017-11882/CVE-2018-0802)' },
  'embedded-executable': { weight: strong, family: 'Dropper', description: 'an embedded OLE package that is a program or script (.exe, .js, .vbs, .hta, .lnk, ...)' },
  'xlm-auto-open': { weight: strong, family: 'XLM', description: 'an Excel 4.0 macro sheet in a workbook that auto-runs it' },
  'auto-exec-macro': { weight: medium, family: 'Macro', description: 'a VBA macro that runs when the document opens or closes' },
  'macro-shell': { weight: medium, family: 'Macro', description: 'a VBA macro that runs programs, writes files or creates objects (Shell, CreateObject, ...)' },
  'macro-obfuscation': { weight: medium, family: 'Obfuscated', description: 'a VBA macro using string obfuscation (Chr, StrReverse, long hex/base64)' },
  'xlm-macro-sheet': { weight: medium, family: 'XLM', description: 'an Excel 4.0 macro sheet' },
  'rtf-object': { weight: medium, family: 'RTF', description: 'an RTF document with an embedded OLE object that updates itself (objupdate) or is obfuscated' },
  'rtf-obfuscation': { weight: medium, family: 'RTF', description: 'an RTF with a malformed header or control words broken up to defeat parsers' },
  'external-ole-link': { weight: medium, family: 'Exploit', description: 'an external OLE object link (oleObject over http, CVE-2017-0199 / Follina style)' },
  'macros': { weight: weak, family: 'Macro', description: 'contains VBA macros' },
  'encrypted-document': { weight: weak, family: 'Encrypted', description: 'password-encrypted, so its content cannot be inspected' },
});
