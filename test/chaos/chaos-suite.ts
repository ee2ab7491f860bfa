/**
 * Runs a list of faults, grouped by the stack they need (one `assay serve` per group), and checks
 * each outcome against the suite's promises. Used by the short CI form (chaos.test.ts) and the long
 * form (run-chaos.ts), which also writes the table into docs/reliability.md.
 */
import { describeFault, faults, runFault, type Component, type FaultKind, type Outcome, type RunOptions } from './faults.js';
import { Stack } from './stack.js';

export interface Selection {
  component: Component;
  fault: FaultKind;
}

/** The deadline the stacks run with; faults that stop a component hold it past this and the job lease. */
export const DEADLINE_MS = 5_000;

export const runOptions: RunOptions = { windowMs: DEADLINE_MS + 3_000, settleMs: 180_000, lanes: 2 };

/** What an outcome breaks of the suite's promises; empty when it kept them all. */
export function violations(o: Outcome): string[] {
  const v: string[] = [];
  if (o.bad.length > 0) v.push(`${o.bad.length} answers were 5xx other than 503 with VT's envelope, e.g. ${o.bad[0]!.status} ${o.bad[0]!.method} ${o.bad[0]!.path}: ${o.bad[0]!.body}`);
  if (o.completed !== o.accepted) v.push(`${o.accepted - o.completed} of ${o.accepted} accepted submissions never completed`);
  if (o.component === 'clamd' && o.fault !== 'slow disk' && o.engineWhileDown !== 'failure' && o.engineWhileDown !== 'timeout') {
    v.push(`ClamAV reported ${o.engineWhileDown ?? 'nothing'} while clamd was down, not failure or timeout`);
  }
  if (!Number.isFinite(o.recoverySeconds)) v.push('did not recover');
  v.push(...o.integrity);
  return v;
}

/** Runs the selected faults in catalogue order, one stack per database kind; yields outcomes as they come. */
export async function* runSelection(selection: Selection[], log: (line: string) => void = () => {}): AsyncGenerator<Outcome> {
  const chosen = faults.filter((f) => selection.some((s) => s.component === f.component && s.fault === f.fault));
  for (const db of ['postgres', 'sqlite'] as const) {
    const group = chosen.filter((f) => f.db === db);
    if (group.length === 0) continue;
    log(`starting a stack on ${db}${db === 'postgres' ? ' with Redis and an assay worker' : ''}`);
    const stack = await Stack.start({ db, redis: db === 'postgres', worker: db === 'postgres', deadlineMs: DEADLINE_MS });
    try {
      for (const fault of group) {
        if (fault.fault === 'disk full' && !stack.mounted) {
          log(`${describeFault(fault)}: skipped, the data directory could not be mounted as a tmpfs`);
          continue;
        }
        log(`${describeFault(fault)} ...`);
        const outcome = await runFault(stack, fault, runOptions);
        log(`${describeFault(fault)}: ${violations(outcome).join('; ') || 'ok'}`);
        yield outcome;
      }
    } finally {
      await stack.close();
    }
  }
}

export const allFaults: Selection[] = faults.map((f) => ({ component: f.component, fault: f.fault }));
