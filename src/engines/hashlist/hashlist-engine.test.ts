/** Assay-Hashlist: list formats, and verdicts from lists imported into a real SQLite store. */
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { importHashList } from '../../app/hash-lists/index.js';
import { openSqlite } from '../../store/sqlite/open-sqlite.js';
import type { Store } from '../../store/ports/store.js';
import { runEngineContract, scratchDir, tempFile } from '../contract.case.test.js';
import { parseHashListLine } from './hash-list-formats.js';
import { createHashlistEngine } from './hashlist-engine.js';

/** MalwareBazaar's CSV export as it is published: a commented header, quoted fields with ", " between them. */
function bazaarCsv(rows: Array<{ sha256: string; md5: string; signature: string; name: string }>): string {
  const header = '################################################################\n# MalwareBazaar full data dump (CSV)\n# "first_seen_utc","sha256_hash","md5_hash","sha1_hash","reporter","file_name","file_type_guess","mime_type","signature","clamav","vtpercent","imphash","ssdeep","tlsh"\n';
  return header + rows.map((r) => `"2024-05-01 10:00:00", "${r.sha256}", "${r.md5}", "${'0'.repeat(40)}", "abuse_ch", "${r.name}", "exe", "application/x-dosexec", "${r.signature}", "n/a", "n/a", "n/a", "n/a", "n/a"`).join('\n') + '\n# 2 rows\n';
}

describe('hash list formats', () => {
  it('reads MalwareBazaar rows, with commas inside a quoted file name, and n/a labels as none', () => {
    const line = `"2024-05-01 10:00:00", "${'a'.repeat(64)}", "${'b'.repeat(32)}", "${'c'.repeat(40)}", "r", "invoice, final.exe", "exe", "x", "AgentTesla", "n/a"`;
    assert.deepEqual(parseHashListLine('malwarebazaar', line), { hash: 'a'.repeat(64), label: 'AgentTesla' });
    assert.deepEqual(parseHashListLine('malwarebazaar', line.replace('AgentTesla', 'n/a')), { hash: 'a'.repeat(64), label: null });
    assert.equal(parseHashListLine('malwarebazaar', '# "first_seen_utc","sha256_hash"'), 'skip');
    assert.equal(parseHashListLine('malwarebazaar', '"2024", "not-a-hash"'), 'malformed');
  });
  it('reads plain lists of md5, sha1 and sha256 with optional labels', () => {
    assert.deepEqual(parseHashListLine('plain', 'D41D8CD98F00B204E9800998ECF8427E'), { hash: 'd41d8cd98f00b204e9800998ecf8427e', label: null });
    assert.deepEqual(parseHashListLine('plain', `${'e'.repeat(40)}  Emotet`), { hash: 'e'.repeat(40), label: 'Emotet' });
    assert.equal(parseHashListLine('plain', 'abc'), 'malformed');
    assert.equal(parseHashListLine('plain', `${'a'.repeat(50)}`), 'malformed');
    assert.equal(parseHashListLine('plain', '   '), 'skip');
  });
});

const store: Store = (await openSqlite(path.join(await fs.mkdtemp(path.join(scratchDir(), 'db-')), 'assay.db'))).store;
await store.migrate();
after(async () => store.close());
const engine = () => createHashlistEngine({ find: (h) => store.hashLists.find(h), lists: () => store.hashLists.list() });

describe('Assay-Hashlist on a SQLite store', () => {
  it('is not ready until a list is imported, and says how to import one', async () => {
    const e = engine();
    const r = await e.start();
    assert.equal(r.ready, false);
    assert.match(r.detail ?? '', /assay hashes import/);
    await e.close();
  });

  it('answers listed files malicious by label, allow-listed ones harmless, others undetected', async () => {
    const bad = await tempFile('bad.exe', 'pretend malware');
    const good = await tempFile('good.exe', 'pretend tool');
    const other = await tempFile('other.txt', 'something else');
    const csv = path.join(scratchDir(), 'bazaar.csv');
    await fs.writeFile(csv, bazaarCsv([{ sha256: bad.sha256, md5: bad.md5, signature: 'AgentTesla', name: 'bad.exe' }, { sha256: good.sha256, md5: good.md5, signature: 'n/a', name: 'good.exe' }]));
    const imported = await importHashList({ store, now: () => 1_717_000_000_000 }, { format: 'malwarebazaar', source: csv, name: 'MalwareBazaar', kind: 'known-bad' });
    assert.deepEqual([imported.entries, imported.malformed], [2, 0]);
    const allow = path.join(scratchDir(), 'allow.txt');
    await fs.writeFile(allow, `# our tools\n${good.md5} in-house build\n`);
    await importHashList({ store, now: () => 1_717_000_000_000 }, { format: 'plain', source: allow, name: 'in-house', kind: 'known-good' });

    const e = engine();
    assert.equal((await e.start()).ready, true);
    const scan = (i: typeof bad) => e.scan(i, AbortSignal.timeout(10_000));
    assert.deepEqual(await scan(bad), { category: 'malicious', result: 'Assay.Hashlist.AgentTesla', method: 'blacklist', engineVersion: '1.0.0', engineUpdate: '20240529' });
    const g = await scan(good);
    assert.deepEqual([g.category, g.result], ['harmless', 'known-good (in-house)']);
    assert.equal((await scan(other)).category, 'undetected');
    await e.close();
  });

});

runEngineContract('Assay-Hashlist', engine, { benign: await tempFile('plain.txt', 'nothing listed') });
