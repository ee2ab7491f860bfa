// Fuzzes the multipart upload form through POST /api/v3/files (targets/upload-targets.ts).
import { fuzzSuite } from './support/run-fuzz.js';

fuzzSuite(new URL('./targets/upload-targets.ts', import.meta.url), ['multipart-upload']);
