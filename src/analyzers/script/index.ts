/** The script analyzer: language, decoded layers (offered for re-analysis) and behaviour signals. */
export {
  analyzeScriptText, createScriptAnalyzer, fileDecodedLayers, MAX_SCRIPT_BYTES, SCRIPT_ATTRIBUTE, SCRIPT_TYPE_TAGS, scriptText,
  type ScriptAnalysis, type ScriptAnalyzerOptions,
} from './script-analyzer.js';
export { decodedLayers, DEFAULT_LAYER_LIMITS, type DecodedLayer, type LayerLimits } from './script-layers.js';
export { decideLanguage, type LanguageDecision, type ScriptLanguage } from './script-language.js';
export { findSignals, SIGNAL_RULES, type ScriptSignal } from './script-signals.js';
