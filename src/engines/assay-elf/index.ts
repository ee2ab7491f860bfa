/** Public surface of the Assay-ELF engine: the engine and its signals. */
export { createAssayElfEngine, ASSAY_ELF_RULES_DATE } from './assay-elf-engine.js';
export { ELF_RULES } from './elf-signals.js';
