/** The office analyzer: VT's office_info / openxml_info, VBA macros, DDE, XLM and embedded objects of Office documents. */
export { createOfficeAnalyzer, DEFAULT_OFFICE_MAX_BYTES, OFFICE_TYPE_TAGS, type OfficeAnalyzer, type OfficeAnalyzerOptions, type OfficeChild } from './office-analyzer.js';
export { analyzeOffice, extractChildren, DEFAULT_OFFICE_LIMITS, type OfficeAnalysis, type OfficeLimits } from './analyze-office.js';
export { decompressContainer } from './ovba-decompress.js';
