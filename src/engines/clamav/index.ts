/** Public surface of the ClamAV engine: the engine, its clamd client and supervisor. */
export { createClamavEngine, type ClamavEngineOptions } from './clamav-engine.js';
export { ClamdClient, parseClamdAddress, type ClamdAddress, type ClamdVersion, type ScanReply } from './clamd-client.js';
export { startClamd, findClamdBinary, type ClamdSupervisor, type ClamdSupervisorOptions } from './clamd-supervisor.js';
export { clamavManifest } from './manifest.js';
