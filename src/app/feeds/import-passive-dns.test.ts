/** Passive-DNS JSON lines into a real SQLite store: both line formats, first/last sightings kept, bad lines skipped. */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { Store } from '../../store/ports/store.js';
import { openSqlite } from '../../store/sqlite/open-sqlite.js';
import { importPassiveDns } from './import-passive-dns.js';

let dir: string;
let store: Store;

before(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'assay-pdns-'));
  store = (await openSqlite(path.join(dir, 'assay.db'))).store;
  await store.migrate();
});
after(async () => {
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

test('Assay lines and DNSDB lines become resolutions with their sightings; bad lines are skipped', async () => {
  const file = path.join(dir, 'pdns.jsonl');
  await writeFile(
    file,
    [
      JSON.stringify({ host_name: 'Example.COM', ip_address: '93.184.216.34', first_seen: 1_600_000_000, last_seen: '2021-01-01T00:00:00Z', resolver: 'sensor-1' }),
      JSON.stringify({ rrname: 'www.example.com.', rrtype: 'A', rdata: ['93.184.216.34', '93.184.216.35'], time_first: 1_500_000_000, time_last: 1_700_000_000 }),
      JSON.stringify({ rrname: 'example.com.', rrtype: 'MX', rdata: ['10 mail.example.com.'], time_first: 1, time_last: 2 }),
      JSON.stringify({ host_name: 'example.com', ip_address: 'not-an-ip', first_seen: 1 }),
      'not json',
      JSON.stringify({ host_name: 'example.com', ip_address: '93.184.216.34', first_seen: 1_550_000_000, last_seen: 1_560_000_000 }),
      '',
    ].join('\n'),
  );
  const result = await importPassiveDns({ store }, { source: file });
  assert.deepEqual({ resolutions: result.resolutions, skipped: result.skipped }, { resolutions: 4, skipped: 3 });

  const apex = await store.resolutions.get('93.184.216.34example.com');
  assert.deepEqual(
    { first: apex?.firstSeen, last: apex?.lastSeen, resolver: apex?.resolver },
    { first: 1_550_000_000, last: Date.parse('2021-01-01T00:00:00Z') / 1000, resolver: 'sensor-1' },
    'the earliest first and the latest last sighting are kept',
  );
  const www = await store.resolutions.listForHost('www.example.com', { limit: 10 });
  assert.deepEqual(www.items.map((r) => r.ipAddress).sort(), ['93.184.216.34', '93.184.216.35']);
  assert.equal(www.items[0]!.resolver, 'import');
});
