// Fuzzes URL canonicalisation, URL identifiers and host canonicalisation (targets/url-targets.ts).
import { fuzzSuite } from './support/run-fuzz.js';

fuzzSuite(new URL('./targets/url-targets.ts', import.meta.url), ['url-canonical', 'url-identifier', 'host-canonical']);
