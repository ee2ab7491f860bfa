/** Public surface of the YARA engine. */
export { createYaraEngine, type CrowdsourcedYaraResult, type YaraEngine, type YaraEngineOptions } from './yara-engine.js';
export { yaraManifest } from './manifest.js';
