/** The Android analyzer: VirusTotal's `androguard` attribute for APKs and DEX files, `java_info` for Java archives. */
export { createAndroidAnalyzer, DEFAULT_ANDROID_MAX_BYTES, type AndroidAnalyzerOptions } from './android-analyzer.js';
export { parseAxml, isAxml, DEFAULT_AXML_LIMITS, type AxmlDocument, type AxmlElement, type AxmlLimits } from './axml-parser.js';
export { manifestFacts, MANIFEST_OUTPUT_CAPS, type ManifestFacts } from './android-manifest.js';
export { parseDexHeader, type DexInfo } from './dex-header.js';
export { javaInfo, parseJarManifest, type JavaInfo } from './java-archive.js';
export { signingCertificate } from './signing-certificate.js';
