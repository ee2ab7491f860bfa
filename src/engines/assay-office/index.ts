/** Public surface of the Assay-Office engine: the engine and its signals. */
export { createAssayOfficeEngine, ASSAY_OFFICE_RULES_DATE, OFFICE_ENGINE_TYPE_TAGS } from './assay-office-engine.js';
export { OFFICE_RULES } from './office-signals.js';
