/** The vendor command-line engine with Debian's clamscan as the "vendor" scanner, in bubblewrap; and its sandbox, deadlines and config. */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import type { Engine } from '../../core/plugin.js';
import { startedHost } from '../../pipeline/testing/started-host.js';
import { FilePipeline } from '../../pipeline/file-pipeline.js';
import { packageRoot } from '../../runtime/package-root.js';
import { bundledClamavSignaturesDir } from '../package-root.js';
import { eicar, runEngineContract, scratchDir, tempFile, waitFor } from '../contract.case.test.js';
import { resolveCommand } from './run-sandboxed.js';
import { createVendorCliEngine } from './vendor-cli-engine.js';
import { loadVendorEngines, parseVendorEngines, type VendorEngineSpec } from './vendor-config.js';

const logger = pino({ level: 'silent' });
const signatures = bundledClamavSignaturesDir();
const MARKER = 'ASSAY-HARMLESS-TEST-MARKER-5c1b7e';
const benign = await tempFile('benign.txt', 'Assay: a harmless text file.\n');
const skipClamscan = resolveCommand('clamscan') ? undefined : 'clamscan is not installed (apt-get install clamav)';
const skipBwrap = resolveCommand('bwrap') ? undefined : 'bubblewrap is not installed (apt-get install bubblewrap)';

/** clamscan as a vendor CLI: the worked example of docs/engines.md, on Assay's bundled signatures. */
function clamscanSpec(overrides: Record<string, unknown> = {}): VendorEngineSpec {
  return parseVendorEngines(
    {
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
          timeoutMs: 60_000,
          maxConcurrent: 2,
          ...overrides,
        },
      ],
    },
    'test',
  )[0]!;
}

/** clamscan itself, outside any sandbox: the reference the engine's answers are compared with. */
async function clamscanSays(file: string): Promise<string | null> {
  const run = promisify(execFile)('clamscan', ['--no-summary', '--stdout', '-d', signatures, file]);
  try {
    await run;
    return null;
  } catch (error) {
    const { code, stdout } = error as { code: number; stdout: string };
    assert.equal(code, 1, `clamscan failed: ${stdout}`);
    // ClamAV marks third-party signatures `.UNOFFICIAL`; the engine's rule leaves that out, as VT shows names.
    return /: (.+) FOUND$/m.exec(stdout)![1]!.replace(/\.UNOFFICIAL$/, '');
  }
}

describe('vendor CLI engine: clamscan in bubblewrap', { skip: skipClamscan ?? skipBwrap }, () => {
  runEngineContract('ClamScan CLI', () => createVendorCliEngine({ spec: clamscanSpec(), logger }), { benign });

  let engine: Engine;
  before(async () => {
    engine = createVendorCliEngine({ spec: clamscanSpec(), logger });
    const readiness = await engine.start();
    assert.equal(readiness.ready, true, readiness.detail);
    const version = (await promisify(execFile)('clamscan', ['--version'])).stdout;
    assert.equal(readiness.engineVersion, /^ClamAV ([0-9.]+)/.exec(version)![1]);
    const manifest = JSON.parse(await fs.readFile(path.join(signatures, 'manifest.json'), 'utf8')) as { date: string };
    assert.equal(readiness.engineUpdate, manifest.date);
  });
  after(async () => engine?.close());

  it('EICAR is malicious with the name clamscan prints', async () => {
    const input = await tempFile('eicar.com', eicar());
    const verdict = await engine.scan(input, AbortSignal.timeout(60_000));
    const expected = await clamscanSays(input.path);
    assert.ok(expected);
    assert.deepEqual({ category: verdict.category, result: verdict.result }, { category: 'malicious', result: expected });
    assert.match(verdict.engineUpdate, /^\d{8}$/);
  });

  it('a clean file is undetected; a marker file is found, as clamscan finds them', async () => {
    const clean = await tempFile('notes.txt', 'meeting notes\n'.repeat(50));
    const marked = await tempFile('marked.bin', `prefix ${MARKER} suffix`);
    const [c, m] = await Promise.all([engine.scan(clean, AbortSignal.timeout(60_000)), engine.scan(marked, AbortSignal.timeout(60_000))]);
    assert.deepEqual({ category: c.category, result: c.result }, { category: 'undetected', result: await clamscanSays(clean.path) });
    assert.deepEqual({ category: m.category, result: m.result }, { category: 'malicious', result: await clamscanSays(marked.path) });
  });

  it('an exit code no rule covers (clamscan error 2 on a bad database) is a failure naming it', async () => {
    const broken = createVendorCliEngine({ spec: clamscanSpec({ command: ['clamscan', '--no-summary', '-d', '/nonexistent-db', '{path}'] }), logger });
    assert.equal((await broken.start()).ready, true);
    await assert.rejects(broken.scan(benign, AbortSignal.timeout(60_000)), { name: 'PluginError', flag: 'unexpected_output', message: /exit code 2/ });
    await broken.close();
  });
});

describe('vendor CLI engine: sandbox, deadlines, readiness', { skip: skipBwrap }, () => {
  /** A "scanner" that tries the network and writing the sample, and prints what happened. */
  const probeScript = `
    const net = require('node:net'); const fs = require('node:fs');
    let write = 'ok'; try { fs.appendFileSync(process.argv[1], 'x'); } catch (e) { write = e.code; }
    const s = net.connect(Number(process.argv[2]), '127.0.0.1');
    s.on('connect', () => { console.log('NET:ok WRITE:' + write); process.exit(0); });
    s.on('error', (e) => { console.log('NET:' + e.code + ' WRITE:' + write); process.exit(0); });`;
  let listener: net.Server;
  let port: number;
  before(async () => {
    listener = net.createServer((s) => s.destroy());
    await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
    port = (listener.address() as net.AddressInfo).port;
  });
  after(() => listener.close());

  const probeSpec = (sandbox: 'bwrap' | 'none') =>
    parseVendorEngines(
      { engines: [{ name: 'Probe', sandbox, command: [process.execPath, '-e', probeScript, '{path}', String(port)], verdicts: [{ match: '(NET:\\S+ WRITE:\\S+)', category: 'harmless' }] }] },
      'test',
    )[0]!;

  it('in bubblewrap the scanner reaches no network and cannot change the sample; with none it can reach the host', async () => {
    const input = await tempFile('sample.txt', 'original');
    const boxed = createVendorCliEngine({ spec: probeSpec('bwrap'), logger });
    assert.equal((await boxed.start()).ready, true);
    const inside = await boxed.scan(input, AbortSignal.timeout(30_000));
    assert.match(inside.result ?? '', /^NET:(ENETUNREACH|ECONNREFUSED) WRITE:(EROFS|EACCES|EPERM)$/);
    assert.equal(await fs.readFile(input.path, 'utf8'), 'original');
    const open = createVendorCliEngine({ spec: probeSpec('none'), logger });
    assert.equal((await open.start()).ready, true);
    const copy = await tempFile('copy.txt', 'original');
    assert.match((await open.scan(copy, AbortSignal.timeout(30_000))).result ?? '', /^NET:ok /);
    await Promise.all([boxed.close(), open.close()]);
  });

  it('a bound directory is writable inside the sandbox and seen on the host, at the same path', async () => {
    const shared = await fs.mkdtemp(path.join(scratchDir(), 'shared-'));
    const spec = parseVendorEngines(
      {
        engines: [
          {
            name: 'Binds',
            binds: [shared],
            command: [process.execPath, '-e', `require('node:fs').writeFileSync(${JSON.stringify(path.join(shared, 'licence.state'))}, 'seen'); console.log('done')`, '{path}'],
            verdicts: [{ exitCodes: [0], match: 'done', category: 'undetected' }],
          },
        ],
      },
      'test',
    )[0]!;
    const engine = createVendorCliEngine({ spec, logger });
    await engine.start();
    assert.equal((await engine.scan(benign, AbortSignal.timeout(30_000))).category, 'undetected');
    assert.equal(await fs.readFile(path.join(shared, 'licence.state'), 'utf8'), 'seen');
    await engine.close();
  });

  it('a command that hangs is a timeout in the analysis, and is killed with its children', async () => {
    const pidFile = path.join(scratchDir(), 'hang.pid');
    const spec = parseVendorEngines(
      {
        engines: [
          {
            name: 'Hangs',
            sandbox: 'none',
            timeoutMs: 500,
            // A child that would outlive its parent if only the parent were killed.
            command: [process.execPath, '-e', `const c = require('node:child_process').spawn('sleep', ['600']); require('node:fs').writeFileSync(${JSON.stringify(pidFile)}, String(c.pid)); setInterval(() => {}, 1000)`, '{path}'],
            verdicts: [{ category: 'undetected' }],
          },
        ],
      },
      'test',
    )[0]!;
    const hangs = createVendorCliEngine({ spec, logger });
    assert.equal((await hangs.start()).ready, true);
    const { results } = await new FilePipeline({ host: await startedHost({ engine: [hangs] }), logger }).run(benign, AbortSignal.timeout(60_000));
    assert.equal(results[0]!.category, 'timeout');
    const child = Number(await fs.readFile(pidFile, 'utf8'));
    await waitFor(`the scanner's child ${child} to be gone`, () => !alive(child));
    await hangs.close();
  });

  it('a command that is missing makes the engine not ready, with the reason, and left out of results', async () => {
    const missing = createVendorCliEngine({ spec: clamscanSpec({ name: 'Absent', command: ['/opt/vendor/bin/no-such-scanner', '{path}'] }), logger });
    const readiness = await missing.start();
    assert.equal(readiness.ready, false);
    assert.notEqual(readiness.down, true);
    assert.match(readiness.detail ?? '', /command not found: \/opt\/vendor\/bin\/no-such-scanner/);
    const { results } = await new FilePipeline({ host: await startedHost({ engine: [missing] }), logger }).run(benign, AbortSignal.timeout(10_000));
    assert.deepEqual(results, []);
    await missing.close();
  });

  it('output past 1 MiB is cut, not kept, and the verdict still comes', async () => {
    const spec = parseVendorEngines(
      {
        engines: [
          {
            name: 'Chatty',
            command: [process.execPath, '-e', `process.stdout.write('x'.repeat(8 * 1024 * 1024)); process.stdout.write('\\nVERDICT: fine\\n')`, '{path}'],
            verdicts: [
              { match: 'VERDICT: (\\w+)', category: 'suspicious' },
              { exitCodes: [0], category: 'undetected' },
            ],
          },
        ],
      },
      'test',
    )[0]!;
    const chatty = createVendorCliEngine({ spec, logger });
    await chatty.start();
    const verdict = await chatty.scan(benign, AbortSignal.timeout(30_000));
    // The verdict line came after the first MiB, so it was dropped: the exit-code rule decides.
    assert.deepEqual({ category: verdict.category, result: verdict.result }, { category: 'undetected', result: null });
    await chatty.close();
  });
});

describe('ASSAY_VENDOR_ENGINES file', () => {
  it('loads a valid file with defaults', async () => {
    const file = path.join(scratchDir(), 'engines.json');
    await fs.writeFile(file, JSON.stringify({ engines: [{ name: 'X', command: ['x', '{path}'], verdicts: [{ category: 'undetected' }] }] }));
    const [spec] = loadVendorEngines(file);
    assert.deepEqual({ sandbox: spec!.sandbox, network: spec!.network, timeoutMs: spec!.timeoutMs, maxConcurrent: spec!.maxConcurrent }, { sandbox: 'bwrap', network: false, timeoutMs: 60_000, maxConcurrent: 2 });
  });

  const bad: Array<[string, unknown, RegExp]> = [
    ['no {path}', { engines: [{ name: 'X', command: ['x'], verdicts: [{ category: 'undetected' }] }] }, /must contain \{path\}/],
    ['a bad regex', { engines: [{ name: 'X', command: ['x', '{path}'], verdicts: [{ match: '(', category: 'malicious' }] }] }, /X: Invalid regular expression/],
    ['an unknown category', { engines: [{ name: 'X', command: ['x', '{path}'], verdicts: [{ category: 'evil' }] }] }, /verdicts\.0\.category/],
    ['a duplicate name', { engines: [1, 2].map(() => ({ name: 'X', command: ['x', '{path}'], verdicts: [{ category: 'undetected' }] })) }, /defined twice/],
    ['a sandbox typo', { engines: [{ name: 'X', command: ['x', '{path}'], sandbox: 'firejail', verdicts: [{ category: 'undetected' }] }] }, /sandbox/],
    ['{path} in the version command', { engines: [{ name: 'X', command: ['x', '{path}'], version: { command: ['x', '{path}'], match: 'v' }, verdicts: [{ category: 'undetected' }] }] }, /never sees the sample/],
  ];
  for (const [what, raw, message] of bad) it(`refuses ${what}`, () => assert.throws(() => parseVendorEngines(raw, 'test'), message));

  it("the worked example in docs/engines.md is a valid file", async () => {
    const doc = await fs.readFile(path.join(packageRoot(), 'docs', 'engines.md'), 'utf8');
    const examples = [...doc.matchAll(/```json\n([\s\S]*?)```/g)].map((m) => JSON.parse(m[1]!) as Record<string, unknown>).filter((j) => 'engines' in j);
    assert.equal(examples.length, 1);
    assert.equal(parseVendorEngines(examples[0], 'docs/engines.md')[0]!.name, 'F-Secure');
  });

  it('names the file when it is not JSON', async () => {
    const file = path.join(scratchDir(), 'broken.json');
    await fs.writeFile(file, '{ engines: ');
    assert.throws(() => loadVendorEngines(file), /ASSAY_VENDOR_ENGINES .*broken\.json/);
  });
});

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
