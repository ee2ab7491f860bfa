// Fuzzes the PE, ELF and PDF parsers with random bytes and mutations of seeds built in the test (targets/file-targets.ts).
import { fuzzSuite } from './support/run-fuzz.js';

fuzzSuite(new URL('./targets/file-targets.ts', import.meta.url), ['pe', 'elf', 'pdf']);
