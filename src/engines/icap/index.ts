/** Public surface of the ICAP engine: configured targets, the engine, and its client. */
export { createIcapEngine, icapManifest, type IcapEngineOptions } from './icap-engine.js';
export { parseIcapTargets, type IcapTarget, type IcapDefaults } from './icap-target.js';
export { IcapClient, type IcapOptions, type RespmodResult } from './icap-client.js';
