/** The exiftool analyzer: VirusTotal's `exiftool` attribute from a long-lived ExifTool process. */
export { createExiftoolAnalyzer, DEFAULT_EXIFTOOL_MAX_BYTES, type ExiftoolAnalyzerOptions } from './exiftool-analyzer.js';
export { EXIFTOOL_OUTPUT_CAPS, FILE_SYSTEM_TAGS, vtExiftoolAttribute } from './vt-exiftool-tags.js';
