/** The PDF analyzer: pdf_info, PDF tags, extracted JavaScript and URIs, embedded files as children. */
export { createPdfAnalyzer, type PdfAnalyzer, type PdfAnalyzerOptions, type PdfChild } from './pdf-analyzer.js';
export { analyzePdf, type PdfReport } from './analyze-pdf.js';
export { DEFAULT_PDF_LIMITS, type PdfLimits } from './pdf-limits.js';
