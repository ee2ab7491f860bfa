// Fuzzes RDAP answers, DER and TLS certificates, and DNS answers (targets/intel-targets.ts).
import { fuzzSuite } from './support/run-fuzz.js';

fuzzSuite(new URL('./targets/intel-targets.ts', import.meta.url), ['rdap-answer', 'der-reader', 'tls-certificate', 'dns-answer']);
