// Fuzzes the upload form (POST /api/v3/files) and the URL form (POST /api/v3/urls) (targets/upload-targets.ts).
import { fuzzSuite } from './support/run-fuzz.js';

fuzzSuite(new URL('./targets/upload-targets.ts', import.meta.url), ['multipart-upload', 'url-form']);
