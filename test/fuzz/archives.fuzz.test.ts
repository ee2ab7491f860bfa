// Fuzzes the 7zz listing parser, the ZIP header check and the unpacker on mutated ZIPs (targets/archive-targets.ts).
import { fuzzSuite } from './support/run-fuzz.js';

fuzzSuite(new URL('./targets/archive-targets.ts', import.meta.url), ['seven-zip-listing', 'zip-unpack']);
