/** Public surface of the Assay-PDF engine: the engine and its signals. */
export { createAssayPdfEngine, detectPdf, ASSAY_PDF_RULES_DATE } from './assay-pdf-engine.js';
export { PDF_RULES } from './pdf-signals.js';
