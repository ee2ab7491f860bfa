/** refreshIntelRegistries against a local server holding IANA's four RDAP bootstrap files: where they land, dates, all or none. */
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { rdapRegistrySource } from '../bootstrap/operator.js';
import { bundledRdapBootstrapDir } from '../intel/index.js';
import { rdapRegistryDir, refreshIntelRegistries } from './intel-refresh.js';

describe('refreshIntelRegistries', () => {
  let dir: string;
  let server: Server;
  let base: string;
  const missing = new Set<string>();
  const requested: string[] = [];

  before(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'assay-intel-refresh-'));
    server = createServer(async (req, res) => {
      requested.push(req.url ?? '');
      const name = path.basename(req.url ?? '');
      if (!req.url?.startsWith('/rdap/') || missing.has(name)) return void res.writeHead(404).end();
      try {
        res.writeHead(200, { 'content-type': 'application/json' }).end(await fs.readFile(path.join(bundledRdapBootstrapDir(), name)));
      } catch {
        res.writeHead(404).end();
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    await new Promise((resolve) => server?.close(resolve));
    await fs.rm(dir, { recursive: true, force: true });
  });

  test('writes the four files under <dataDir>/registries/rdap and returns their publication dates', async () => {
    const dataDir = path.join(dir, 'data');
    // No trailing slash: the files still resolve inside /rdap/.
    const result = await refreshIntelRegistries({ dataDir, source: rdapRegistrySource(), baseUrl: `${base}/rdap` });
    assert.equal(result.dir, path.join(dataDir, 'registries', 'rdap'));
    assert.equal(rdapRegistryDir(dataDir), result.dir);
    assert.deepEqual(result.publications, {
      dns: '2025-06-27T17:00:02Z',
      ipv4: '2019-06-07T19:00:02Z',
      ipv6: '2024-11-01T22:00:01Z',
      asn: '2025-01-17T20:00:02Z',
    });
    assert.deepEqual((await fs.readdir(result.dir)).sort(), ['asn.json', 'dns.json', 'ipv4.json', 'ipv6.json']);
    const dns = JSON.parse(await fs.readFile(path.join(result.dir, 'dns.json'), 'utf8')) as { services: unknown[] };
    assert.ok(dns.services.length > 100);
    assert.deepEqual(requested.slice(-4).sort(), ['/rdap/asn.json', '/rdap/dns.json', '/rdap/ipv4.json', '/rdap/ipv6.json']);
  });

  test('when one file fails, the previous set stays as it was', async () => {
    const dataDir = path.join(dir, 'kept');
    const first = await refreshIntelRegistries({ dataDir, source: rdapRegistrySource(), baseUrl: `${base}/rdap/` });
    const before = await fs.readFile(path.join(first.dir, 'dns.json'), 'utf8');
    await fs.writeFile(path.join(first.dir, 'dns.json'), before.replace('2025-06-27T17:00:02Z', '2020-01-01T00:00:00Z'));
    missing.add('asn.json');
    try {
      await assert.rejects(refreshIntelRegistries({ dataDir, source: rdapRegistrySource(), baseUrl: `${base}/rdap/` }), /HTTP 404/);
    } finally {
      missing.clear();
    }
    assert.match(await fs.readFile(path.join(first.dir, 'dns.json'), 'utf8'), /2020-01-01T00:00:00Z/);
  });
});
