/**
 * End to end with licensed engines configured: an ICAP server (c-icap with virus_scan over clamd) and
 * vendor command lines (clamscan in bubblewrap, and one whose scanner is missing), seen in
 * /metadata, `assay engines`, and next to ClamAV and YARA in real analyses.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { bundledClamavSignaturesDir } from '../../src/engines/package-root.js';
import { resolveCommand } from '../../src/engines/vendor-cli/run-sandboxed.js';
import { cIcapUnavailable, startTestCIcap, type TestCIcap } from '../support/c-icap.js';
import { clamdUnavailable, startTestClamd, type TestClamd } from '../support/clamd.js';
import { api, eicar, startServer, type TestServer } from '../support/server.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const sha256 = (s: string | Buffer) => createHash('sha256').update(s).digest('hex');
const skip = clamdUnavailable() ?? cIcapUnavailable() ?? (resolveCommand('bwrap') ? undefined : 'bubblewrap is not installed') ?? (resolveCommand('clamscan') ? undefined : 'clamscan is not installed');

describe('licensed engines end to end', { skip }, () => {
  let clamd: TestClamd;
  let icap: TestCIcap;
  let server: TestServer;
  let admin: ReturnType<typeof api>;
  let configDir: string;

  before(async () => {
    clamd = await startTestClamd();
    icap = await startTestCIcap(clamd.socketPath);
    configDir = await fs.mkdtemp(path.join(os.tmpdir(), 'assay-vendor-'));
    const signatures = bundledClamavSignaturesDir();
    const vendorFile = path.join(configDir, 'engines.json');
    await fs.writeFile(
      vendorFile,
      JSON.stringify({
        engines: [
          {
            name: 'ClamScan CLI',
            command: ['clamscan', '--no-summary', '--stdout', '-d', signatures, '{path}'],
            verdicts: [
              { exitCodes: [1], match: ': (.+?)(?:\\.UNOFFICIAL)? FOUND$', output: 'stdout', category: 'malicious' },
              { exitCodes: [0], category: 'undetected' },
            ],
            version: { command: ['clamscan', '--version'], match: '^ClamAV ([0-9.]+)' },
            signatureDate: { command: ['cat', path.join(signatures, 'manifest.json')], match: '"date":\\s*"(\\d{8})"' },
          },
          { name: 'Missing Vendor', command: ['/opt/missing/bin/scan', '{path}'], verdicts: [{ category: 'undetected' }] },
        ],
      }),
    );
    server = await startServer({
      env: { ASSAY_CLAMD: clamd.socketPath, ASSAY_ICAP_ENGINES: `C-ICAP=${icap.url}?seats=2`, ASSAY_VENDOR_ENGINES: vendorFile },
    });
    admin = api(server, server.adminKey);
  });
  after(async () => {
    await server?.stop();
    await icap?.stop();
    await clamd?.stop();
    if (configDir) await fs.rm(configDir, { recursive: true, force: true });
  });

  test('GET /metadata lists the ICAP and vendor engines, ready or not, with versions', async () => {
    const res = await admin.get('/metadata');
    assert.equal(res.status, 200, res.text);
    const engines = res.json.data.engines as Record<string, { ready: boolean; detail: string | null; engine_version: string | null; engine_update: string | null }>;
    // Assay's own heuristic engines are listed too; these are the ones this deployment configured or always has.
    assert.deepEqual(Object.keys(engines).filter((name) => !name.startsWith('Assay-')).sort(), ['C-ICAP', 'ClamAV', 'ClamScan CLI', 'Missing Vendor', 'YARA']);
    assert.equal(engines['C-ICAP']!.ready, true, engines['C-ICAP']!.detail ?? '');
    assert.match(engines['C-ICAP']!.engine_version ?? '', /C-ICAP/);
    assert.equal(engines['ClamScan CLI']!.ready, true, engines['ClamScan CLI']!.detail ?? '');
    assert.match(engines['ClamScan CLI']!.engine_update ?? '', /^\d{8}$/);
    assert.equal(engines['Missing Vendor']!.ready, false);
    assert.match(engines['Missing Vendor']!.detail ?? '', /command not found: \/opt\/missing\/bin\/scan/);
  });

  test('`assay engines` shows them', async () => {
    const stdout = await new Promise<string>((resolve, reject) =>
      execFile(
        process.execPath,
        ['--import', 'tsx', 'src/cli/main.ts', 'engines', '--server', server.url, '--apikey', server.adminKey],
        { cwd: root, env: { ...process.env, ASSAY_LOG_LEVEL: 'warn' } },
        (error, out, err) => (error ? reject(new Error(`${error.message}\n${err}`)) : resolve(out)),
      ),
    );
    const line = (name: string) => stdout.split('\n').find((l) => l.startsWith(`${name} `)) ?? '';
    assert.match(line('C-ICAP'), /\bengine\b.*\bready\b/);
    assert.match(line('ClamScan CLI'), /\bengine\b.*\bready\b/);
    assert.match(line('Missing Vendor'), /command not found/);
  });

  test('EICAR is malicious for ClamAV, YARA, the ICAP server and the vendor CLI; the missing one is left out', async () => {
    const up = await admin.upload(eicar(), 'eicar.com');
    assert.equal(up.status, 200, up.text);
    await admin.waitForAnalysis(up.json.data.id);
    const file = await admin.get(`/files/${sha256(eicar())}`);
    const results = file.json.data.attributes.last_analysis_results as Record<string, { category: string; result: string | null }>;
    assert.deepEqual(Object.keys(results).filter((name) => !name.startsWith('Assay-')).sort(), ['C-ICAP', 'ClamAV', 'ClamScan CLI', 'YARA']);
    for (const name of ['ClamAV', 'YARA', 'C-ICAP', 'ClamScan CLI']) assert.equal(results[name]!.category, 'malicious', name);
    // Three routes to the same clamd signatures give the same name.
    assert.equal(results['C-ICAP']!.result, results.ClamAV!.result);
    assert.equal(results['ClamScan CLI']!.result, results.ClamAV!.result);
    const signatureEngines = ['ClamAV', 'YARA', 'C-ICAP', 'ClamScan CLI'];
    assert.equal(signatureEngines.filter((name) => results[name]!.category === 'malicious').length, 4);
    assert.ok(file.json.data.attributes.last_analysis_stats.malicious >= 4);
  });

  test('a clean file is undetected by all of them', async () => {
    const text = 'Minutes of the licensing meeting\n'.repeat(100);
    const up = await admin.upload(text, 'minutes.txt');
    assert.equal(up.status, 200, up.text);
    await admin.waitForAnalysis(up.json.data.id);
    const file = await admin.get(`/files/${sha256(text)}`);
    const results = file.json.data.attributes.last_analysis_results as Record<string, { category: string; result: string | null }>;
    for (const name of ['ClamAV', 'YARA', 'C-ICAP', 'ClamScan CLI']) assert.deepEqual({ name, ...results[name] } as object, { name, ...results[name], category: 'undetected', result: null });
  });
});
