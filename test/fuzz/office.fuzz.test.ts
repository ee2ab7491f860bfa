// Fuzzes the Office analyzer on mutated OLE and OOXML documents (targets/office-targets.ts).
import { fuzzSuite } from './support/run-fuzz.js';

fuzzSuite(new URL('./targets/office-targets.ts', import.meta.url), ['office']);
