/** The indicators analyzer: URLs, domains and IPs embedded in files, for the embedded_* relationships. */
export {
  bytesIndicators, createIndicatorsAnalyzer, fileIndicators, INDICATOR_COUNTS_ATTRIBUTE, MAX_INDICATOR_BYTES,
  type FileIndicatorOptions, type IndicatorsAnalyzerOptions,
} from './indicators-analyzer.js';
export { DEFAULT_INDICATOR_LIMITS, extractIndicators, IndicatorCollector, refang, type IndicatorLimits, type Indicators } from './indicator-extract.js';
export { printableStrings, DEFAULT_STRING_LIMITS, type StringLimits } from './printable-strings.js';
