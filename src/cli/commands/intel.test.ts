/** `assay intel refresh` through main.ts against a local server holding the IANA files (this machine has no internet). */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { bundledRdapBootstrapDir } from '../../intel/index.js';
import { memoryIo } from '../output.js';
import { runIntelRefresh } from './intel.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

describe('assay intel refresh', () => {
  let dir: string;
  let server: Server;
  let base: string;

  before(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'assay-intel-cli-'));
    server = createServer(async (req, res) => {
      try {
        if (!/^\/rdap\/[a-z0-9]+\.json$/.test(req.url ?? '')) throw new Error('not served');
        const body = await fs.readFile(path.join(bundledRdapBootstrapDir(), path.basename(req.url!)));
        res.writeHead(200, { 'content-type': 'application/json' }).end(body);
      } catch {
        res.writeHead(404).end();
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/rdap/`;
  });
  after(async () => {
    await new Promise((resolve) => server?.close(resolve));
    await fs.rm(dir, { recursive: true, force: true });
  });

  test('prints each file with its publication date and saves them in DATA/registries/rdap', async () => {
    const data = path.join(dir, 'data');
    const result = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve, reject) => {
      execFile(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'intel', 'refresh', '--data', data, '--from', base], { cwd: root }, (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
        if (code === -1) reject(error);
        else resolve({ code, stdout, stderr });
      });
    });
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(result.stdout.split('\n'), [
      'dns.json   published 2025-06-27T17:00:02Z',
      'ipv4.json  published 2019-06-07T19:00:02Z',
      'ipv6.json  published 2024-11-01T22:00:01Z',
      'asn.json   published 2025-01-17T20:00:02Z',
      '',
    ]);
    const saved = path.join(data, 'registries', 'rdap');
    assert.equal(result.stderr, `saved to ${saved} (from ${base})\n`);
    assert.deepEqual((await fs.readdir(saved)).sort(), ['asn.json', 'dns.json', 'ipv4.json', 'ipv6.json']);
  });

  test('an unreachable source exits 1 and a bad --from exits 2', async () => {
    const down = memoryIo();
    assert.equal(await runIntelRefresh(['--data', path.join(dir, 'down'), '--from', `${base}missing/`], down), 1);
    assert.match(down.err(), /^assay: HTTP 404 from .*missing\/(dns|ipv4|ipv6|asn)\.json$/m);
    const bad = memoryIo();
    assert.equal(await runIntelRefresh(['--data', path.join(dir, 'bad'), '--from', 'data.iana.org/rdap'], bad), 2);
    assert.match(bad.err(), /--from: expected an http\(s\) URL/);
  });
});
