import { faults, runFault } from './faults.js';
import { Stack } from './stack.js';
const [component, fault, db] = process.argv.slice(2);
const stack = await Stack.start({ db: (db as any) ?? 'postgres', redis: true, worker: true, deadlineMs: 5000 });
try {
  for (const f of faults.filter((f) => f.component === component && (!fault || f.fault === fault))) {
    const o = await runFault(stack, f, { windowMs: 7000, settleMs: 120_000, lanes: 2 });
    console.log(JSON.stringify(o, null, 1));
  }
} finally {
  await stack.close();
}
