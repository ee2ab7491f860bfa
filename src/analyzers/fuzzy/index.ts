/** The fuzzy analyzer: ssdeep and TLSH digests from Debian's ssdeep and tlsh-tools command-line tools. */
export { createFuzzyAnalyzer, DEFAULT_TLSH_MAX_BYTES, type FuzzyAnalyzerOptions } from './fuzzy-analyzer.js';
