// Fuzzes script layers, embedded indicators, HTML page facts and the blocklist feed formats (targets/text-targets.ts).
import { fuzzSuite } from './support/run-fuzz.js';

fuzzSuite(new URL('./targets/text-targets.ts', import.meta.url), ['script-layers', 'indicators', 'html-page-facts', 'feed-formats']);
