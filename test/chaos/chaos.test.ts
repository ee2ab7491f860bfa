/**
 * Fault injection, short form (the normal test run): one fault per component while uploads and
 * analyses run against real `assay serve` and `assay worker` processes. Every accepted submission
 * completes, ClamAV reports failure or timeout while clamd is down and recovers by itself, nothing
 * answers 5xx but 503 with VT's envelope, nothing is half written. `npm run chaos` runs every fault
 * and writes docs/reliability.md.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { clamdUnavailable } from '../support/clamd.js';
import { runSelection, violations, type Selection } from './chaos-suite.js';

const short: Selection[] = [
  { component: 'clamd', fault: 'kill -9' },
  { component: 'clamd', fault: 'SIGSTOP > deadline' },
  { component: 'PostgreSQL', fault: 'kill -9' },
  { component: 'Redis', fault: 'SIGSTOP > deadline' },
  { component: 'worker', fault: 'kill -9' },
  { component: 'SQLite', fault: 'disk full' },
];

test('faults under load: nothing accepted is lost, no 5xx but 503, engines fail and recover by themselves', { skip: clamdUnavailable() }, async (t) => {
  for await (const outcome of runSelection(short, (line) => t.diagnostic(line))) {
    assert.deepEqual(violations(outcome), [], `${outcome.component} × ${outcome.fault}: ${JSON.stringify({ ...outcome, bad: outcome.bad.slice(0, 3) })}`);
    assert.ok(outcome.accepted > 0, `${outcome.component} × ${outcome.fault}: submissions were accepted`);
  }
});
