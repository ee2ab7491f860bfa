/** The pe analyzer: VirusTotal's PE attributes (pe_info, packers, signature_info, authentihash, dot_net_assembly). */
export { createPeAnalyzer, PE_TYPE_TAGS, type PeAnalyzerOptions } from './pe-analyzer.js';
export { analyzePe, type PeAnalysis, type PeInfo } from './analyze-pe.js';
export { DEFAULT_PE_LIMITS, type PeLimits } from './pe-limits.js';
