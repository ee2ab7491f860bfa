/** Public surface of the vendor command-line engines: the config file, the engine, and the sandboxed runner. */
export { createVendorCliEngine, vendorManifest, type VendorCliEngineOptions } from './vendor-cli-engine.js';
export { loadVendorEngines, parseVendorEngines, type VendorEngineSpec } from './vendor-config.js';
export { runCommand, sandboxArgv, type Sandbox } from './run-sandboxed.js';
