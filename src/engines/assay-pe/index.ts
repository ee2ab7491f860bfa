/** Public surface of the Assay-PE engine: the engine and its signals. */
export { createAssayPeEngine, PE_TYPE_TAGS, ASSAY_PE_RULES_DATE } from './assay-pe-engine.js';
export { PE_RULES } from './pe-signals.js';
