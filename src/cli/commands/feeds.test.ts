/** `assay feeds import|list` on a SQLite store in a temp data directory: in-process, and once through main.ts. */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { memoryIo } from '../output.js';
import { runFeedsImport, runFeedsList } from './feeds.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

const URLHAUS_CSV = `# id,dateadded,url,url_status,last_online,threat,tags,urlhaus_link,reporter
"3000001","2025-01-15 11:58:01","http://203.0.113.7:46071/i","online","2025-01-15 11:58:01","malware_download","elf","https://urlhaus.abuse.ch/url/3000001/","r"
"3000000","2025-01-15 11:40:12","https://files.example.net/dl/invoice.zip","online","2025-01-15 11:40:12","malware_download","zip","https://urlhaus.abuse.ch/url/3000000/","r"
"2999999","2025-01-14 23:10:00","not a url","offline","","malware_download","","https://urlhaus.abuse.ch/url/2999999/","r"
`;

describe('assay feeds', () => {
  let dir: string;
  let data: string;
  let csv: string;

  before(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'assay-feeds-cli-'));
    data = path.join(dir, 'data');
    csv = path.join(dir, 'csv.txt');
    await fs.writeFile(csv, URLHAUS_CSV);
  });
  after(async () => fs.rm(dir, { recursive: true, force: true }));

  test('import prints the engine name, entries, skipped lines and feed date', async () => {
    const io = memoryIo();
    assert.equal(await runFeedsImport(['urlhaus', csv, '--data', data], io), 0, io.err());
    assert.deepEqual(io.out().split('\n'), [
      'feed       URLhaus (urlhaus)',
      'entries    2',
      'skipped    1 lines (1 malformed)',
      'feed date  2025-01-15 11:58:01 UTC',
      `source     ${csv}`,
      '',
    ]);
    assert.equal(io.err(), '', 'no bar for a small file, even on a terminal');
  });

  test('tranco imports a rank,domain list into popularity ranks', async () => {
    const top = path.join(dir, 'top-1m.csv');
    await fs.writeFile(top, '1,google.com\n2,example.org\nnonsense\n');
    const io = memoryIo();
    assert.equal(await runFeedsImport(['tranco', top, '--data', data], io), 0, io.err());
    assert.match(io.out(), /^ranks +Tranco$/m);
    assert.match(io.out(), /^entries +2$/m);
    assert.match(io.out(), /^skipped +1 lines$/m);
  });

  test('pdns imports passive-DNS JSON lines into resolutions', async () => {
    const file = path.join(dir, 'pdns.jsonl');
    await fs.writeFile(file, `${JSON.stringify({ host_name: 'example.com', ip_address: '192.0.2.1', first_seen: 1_600_000_000, last_seen: 1_700_000_000 })}\nbroken\n`);
    const io = memoryIo();
    assert.equal(await runFeedsImport(['pdns', file, '--name', 'sensor-7', '--data', data], io), 0, io.err());
    assert.match(io.out(), /^resolutions +1$/m);
    assert.match(io.out(), /^skipped +1 lines$/m);
  });

  test('a plain list needs --name; an unknown format is refused by the parser', async () => {
    const list = path.join(dir, 'list.txt');
    await fs.writeFile(list, 'bad.example\nhttp://worse.example/x\n');
    const noName = memoryIo();
    assert.equal(await runFeedsImport(['plain', list, '--data', data], noName), 2);
    assert.match(noName.err(), /a plain list needs --name NAME/);
    const named = memoryIo();
    assert.equal(await runFeedsImport(['plain', list, '--name', 'Team list', '--data', data], named), 0, named.err());
    assert.match(named.out(), /^feed +Team list \(plain\)$/m);
    const unknown = memoryIo();
    assert.equal(await runFeedsImport(['spamhaus', list, '--data', data], unknown), 2);
    assert.match(unknown.err(), /Allowed choices are urlhaus, openphish, phishtank, plain, tranco, pdns/);
    const missing = memoryIo();
    assert.equal(await runFeedsImport(['openphish', path.join(dir, 'nope.txt'), '--data', data], missing), 1);
    assert.match(missing.err(), /^assay: ENOENT/);
  });

  test('on a terminal, a large feed gets a byte bar on stderr', async () => {
    const big = path.join(dir, 'big.txt');
    await fs.writeFile(big, Array.from({ length: 6000 }, (_, i) => `https://phish-${i}.example.top/${'x'.repeat(200)}`).join('\n'));
    const io = memoryIo({ tty: true });
    assert.equal(await runFeedsImport(['openphish', big, '--data', data], io), 0, io.err());
    assert.match(io.err(), /feed \[[^\]]+\] 100% 1\.\d MiB\/1\.\d MiB, 6000 entries/);
    assert.match(io.out(), /^entries +6000$/m);
  });

  test('list shows each feed; --json gives the records', async () => {
    const io = memoryIo();
    assert.equal(await runFeedsList(['--data', data], io), 0, io.err());
    const [header, ...rows] = io.out().trimEnd().split('\n');
    assert.match(header!, /^NAME +FORMAT +ENTRIES +IMPORTED +FEED DATE +SOURCE$/);
    assert.deepEqual(
      rows.map((r) => r.split(/ {2,}/).slice(0, 3)),
      [
        ['OpenPhish', 'openphish', '6000'],
        ['Team list', 'plain', '2'],
        ['URLhaus', 'urlhaus', '2'],
      ],
    );
    assert.match(rows[2]!, new RegExp(`2025-01-15 11:58:01 UTC  ${csv.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`));
    const json = memoryIo();
    assert.equal(await runFeedsList(['--data', data, '--json'], json), 0, json.err());
    const feeds = JSON.parse(json.out()) as Array<{ name: string; feedDate: number }>;
    assert.equal(feeds.find((f) => f.name === 'URLhaus')?.feedDate, Date.UTC(2025, 0, 15, 11, 58, 1) / 1000);
  });

  test('main.ts wires both commands (and ASSAY_DATA_DIR is honoured)', async () => {
    const run = (...args: string[]) =>
      new Promise<{ code: number; stdout: string; stderr: string }>((resolve, reject) => {
        execFile(
          process.execPath,
          ['--import', 'tsx', 'src/cli/main.ts', ...args],
          { cwd: root, env: { ...process.env, ASSAY_DATA_DIR: data, ASSAY_LOG_LEVEL: 'warn' } },
          (error, stdout, stderr) => {
            const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
            if (code === -1) reject(error);
            else resolve({ code, stdout, stderr });
          },
        );
      });
    const imported = await run('feeds', 'import', 'urlhaus', csv, '--name', 'URLhaus copy');
    assert.equal(imported.code, 0, imported.stderr);
    assert.match(imported.stdout, /^entries +2$/m);
    const listed = await run('feeds', 'list');
    assert.equal(listed.code, 0, listed.stderr);
    assert.match(listed.stdout, /^URLhaus copy +urlhaus +2 /m);
    const usage = await run('feeds', 'import', 'plain', csv);
    assert.equal(usage.code, 2);
  });
});
