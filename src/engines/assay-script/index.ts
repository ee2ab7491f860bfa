/** Public surface of the Assay-Script engine: the engine and its signals. */
export { createAssayScriptEngine, detectScript, ASSAY_SCRIPT_RULES_DATE, SCRIPT_ENGINE_TYPE_TAGS } from './assay-script-engine.js';
export { SCRIPT_RULES } from './script-signals.js';
