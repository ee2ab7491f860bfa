/** The fuzzy analyzer: ssdeep and TLSH digests, computed in worker threads. */
export { createFuzzyAnalyzer, DEFAULT_TLSH_MAX_BYTES, type FuzzyAnalyzerOptions } from './fuzzy-analyzer.js';
export { SsdeepHasher, ssdeepDigest } from './ssdeep-digest.js';
export { tlshDigest } from './tlsh-digest.js';
