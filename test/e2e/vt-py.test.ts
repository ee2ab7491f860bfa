/**
 * The official Python client against a real server. vt-py is not on the npm registry: point
 * ASSAY_VTPY_DIR at a checkout of VirusTotal/vt-py (needs python3-aiohttp and python3-aiofiles);
 * without it this test is skipped and the TypeScript client tests cover the same ground.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { test } from 'node:test';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { startDnsServer } from '../support/dns-server.js';
import { startRdapServer } from '../support/rdap-server.js';
import { startServer } from '../support/server.js';

const run = promisify(execFile);
const vtpyDir = process.env.ASSAY_VTPY_DIR;
const python = '/usr/bin/python3';

async function skipReason(): Promise<string | undefined> {
  if (!vtpyDir || !existsSync(path.join(vtpyDir, 'vt', 'client.py'))) return 'ASSAY_VTPY_DIR does not point at a vt-py checkout';
  try {
    await run(python, ['-c', 'import aiohttp, aiofiles']);
  } catch {
    return 'python3-aiohttp and python3-aiofiles are not installed';
  }
  return undefined;
}

test('vt-py scans, looks up, gets NotFoundError, and QuotaExceededError on a public key, unchanged', { skip: await skipReason() }, async () => {
  const server = await startServer();
  try {
    const script = path.join(path.dirname(fileURLToPath(import.meta.url)), 'vtpy-check.py');
    const { stdout } = await run(python, [script, server.url, server.adminKey, 'a'.repeat(64)], {
      env: { ...process.env, PYTHONPATH: vtpyDir },
      timeout: 120_000,
    });
    const facts = JSON.parse(stdout.trim().split('\n').pop()!);
    assert.equal(facts.analysis_status, 'completed');
    assert.ok(facts.analysis_stats.malicious >= 2);
    assert.equal(facts.clamav, 'malicious');
    assert.equal(facts.yara, 'malicious');
    assert.equal(facts.last_analysis_date_type, 'datetime');
    assert.equal(facts.unknown_error, 'NotFoundError');
    assert.ok(facts.engines.includes('ClamAV'));
    assert.ok(facts.analyses_iterated >= 1);

    // A public-tier key: quota look-ups are free, the 5th counted request in a minute is refused.
    const created = await run(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'user', 'create', 'vtpy-public', '--data', server.dataDir]);
    const publicKey = created.stdout.trim().split('\n').pop()!;
    const quotaScript = path.join(path.dirname(fileURLToPath(import.meta.url)), 'vtpy-quota.py');
    const quota = await run(python, [quotaScript, server.url, publicKey, facts.file_id], { env: { ...process.env, PYTHONPATH: vtpyDir }, timeout: 60_000 });
    const q = JSON.parse(quota.stdout.trim().split('\n').pop()!);
    assert.deepEqual(q.quota_keys, ['api_requests_daily', 'api_requests_hourly', 'api_requests_monthly']);
    assert.equal(q.daily.allowed, 500);
    assert.deepEqual(q.codes, ['ok', 'ok', 'ok', 'ok', 'QuotaExceededError']);
  } finally {
    await server.stop();
  }
});

test('vt-py scans a URL and waits, reads it by vt.url_id, reads a domain and pages its resolutions, unchanged', { skip: await skipReason() }, async () => {
  const site = http.createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<title>vt-py page</title>'));
  await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
  const domain = 'vtpy-test.com';
  const addresses = Array.from({ length: 12 }, (_, i) => `8.8.4.${i + 1}`);
  const dns = await startDnsServer({ [domain]: addresses.map((value) => ({ type: 'A' as const, value })) });
  const rdap = await startRdapServer();
  const server = await startServer({ env: { ASSAY_FETCH_ALLOW: '127.0.0.1/32', ASSAY_DNS_SERVERS: `127.0.0.1:${dns.port}`, ASSAY_RDAP_URL: rdap.url } });
  try {
    const url = `http://127.0.0.1:${(site.address() as AddressInfo).port}/page`;
    const script = path.join(path.dirname(fileURLToPath(import.meta.url)), 'vtpy-network.py');
    const { stdout } = await run(python, [script, server.url, server.adminKey, url, domain], { env: { ...process.env, PYTHONPATH: vtpyDir }, timeout: 120_000 });
    const facts = JSON.parse(stdout.trim().split('\n').pop()!);
    assert.equal(facts.analysis_status, 'completed');
    assert.equal(facts.url, url);
    assert.equal(facts.last_final_url, url);
    assert.equal(facts.title, 'vt-py page');
    assert.equal(facts.last_analysis_date_type, 'datetime');
    assert.ok(facts.engines.includes('Assay URL heuristics'));
    assert.equal(facts.domain_id, domain);
    assert.deepEqual(facts.dns_types, ['A']);
    assert.deepEqual([...facts.resolutions].sort(), addresses.map((a) => `${a}${domain}`).sort(), 'the iterator went through both pages and stopped');
    assert.equal(facts.unknown_error, 'NotFoundError');
  } finally {
    await server.stop();
    await Promise.all([dns.close(), rdap.close(), new Promise((resolve) => site.close(resolve))]);
  }
});
