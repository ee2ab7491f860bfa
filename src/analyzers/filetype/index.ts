/** The filetype analyzer: libmagic, Magika and VirusTotal's file type attributes. */
export { createFiletypeAnalyzer, type FiletypeAnalyzerOptions } from './filetype-analyzer.js';
export { resolveVtType, type TypeEvidence } from './resolve-vt-type.js';
export { VT_TYPE_RULES, VT_UNKNOWN_TYPE, type VtFileType, type VtTypeRule } from './vt-type-table.js';
