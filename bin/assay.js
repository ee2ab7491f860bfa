#!/usr/bin/env node
// Entry point for `npx assay`: runs the compiled CLI (built by `npm ci` through the prepare script).
import '../dist/cli/main.js';
