/** The clamd supervisor: database choice, the config it writes, start, restart after a kill, stop. */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { pino } from 'pino';
import { clamdUnavailable } from '../../../test/support/clamd.js';
import { scratchDir, waitFor } from '../contract.case.test.js';
import { bundledClamavSignaturesDir } from '../package-root.js';
import { ClamdClient } from './clamd-client.js';
import { chooseDatabaseDir, findClamdBinary, renderClamdConf, startClamd } from './clamd-supervisor.js';

const logger = pino({ level: 'silent' });

function dirWith(name: string, files: string[]): string {
  const dir = path.join(scratchDir(), name);
  mkdirSync(dir, { recursive: true });
  for (const f of files) writeFileSync(path.join(dir, f), '');
  return dir;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('chooseDatabaseDir', () => {
  it('prefers system databases holding official main and daily files', () => {
    const system = dirWith('sys-official', ['main.cvd', 'daily.cld', 'bytecode.cvd']);
    assert.deepEqual(chooseDatabaseDir({ systemDatabaseDir: system }), { dir: system, system: true });
  });

  it('falls back to the bundled signatures otherwise', () => {
    const system = dirWith('sys-partial', ['daily.cvd']);
    assert.deepEqual(chooseDatabaseDir({ systemDatabaseDir: system }), { dir: bundledClamavSignaturesDir(), system: false });
    assert.deepEqual(chooseDatabaseDir({ systemDatabaseDir: '/nonexistent' }), { dir: bundledClamavSignaturesDir(), system: false });
  });

  it('honours preferSystemSignatures: false and custom directories', () => {
    const system = dirWith('sys-official-2', ['main.cvd', 'daily.cvd']);
    const custom = dirWith('custom', ['mine.ndb']);
    const empty = dirWith('empty', ['README.md']);
    assert.deepEqual(chooseDatabaseDir({ systemDatabaseDir: system, preferSystemSignatures: false, signatureDirs: [empty, custom] }), {
      dir: custom,
      system: false,
    });
    assert.throws(() => chooseDatabaseDir({ systemDatabaseDir: '/nonexistent', signatureDirs: [empty] }), /no ClamAV database files/);
  });
});

describe('renderClamdConf', () => {
  it('listens on the unix socket only, never switches user, and allows 200 MB streams', () => {
    const conf = renderClamdConf({ databaseDir: '/db', socketPath: '/w/clamd.sock', tempDir: '/w/tmp' });
    assert.match(conf, /^LocalSocket \/w\/clamd\.sock$/m);
    assert.match(conf, /^Foreground yes$/m);
    assert.match(conf, /^StreamMaxLength 200M$/m);
    assert.match(conf, /^MaxScanSize 400M$/m);
    assert.doesNotMatch(conf, /^TCPSocket/m);
    const large = renderClamdConf({ databaseDir: '/db', socketPath: '/w/clamd.sock', tempDir: '/w/tmp', maxFileBytes: 650 * 1024 * 1024 });
    assert.match(large, /^StreamMaxLength 650M$/m);
    assert.match(large, /^MaxFileSize 650M$/m);
    assert.match(large, /^MaxScanSize 1300M$/m);
    assert.doesNotMatch(conf, /^User/m);
  });
});

describe('startClamd', { skip: clamdUnavailable() }, () => {
  it('starts on the bundled signatures, restarts a killed clamd, and stops', async () => {
    const workDir = path.join(scratchDir(), 'supervised');
    const supervisor = await startClamd({ workDir, systemDatabaseDir: '/nonexistent', logger });
    try {
      assert.equal(supervisor.usingSystemSignatures, false);
      assert.equal(supervisor.databaseDir, bundledClamavSignaturesDir());
      assert.equal(supervisor.socketPath, path.join(workDir, 'clamd.sock'));
      assert.match(readFileSync(path.join(workDir, 'clamd.conf'), 'utf8'), /DatabaseDirectory .*signatures\/clamav/);
      const client = new ClamdClient({ path: supervisor.socketPath });
      await client.ping();

      const first = supervisor.pid!;
      process.kill(first, 'SIGKILL');
      const second = await waitFor('a restarted clamd', async () => {
        const pid = supervisor.pid;
        if (pid === undefined || pid === first) return undefined;
        return client.ping().then(() => pid, () => undefined);
      });
      assert.notEqual(second, first);
      assert.equal(supervisor.restarts, 1);
      assert.ok(supervisor.running());

      await supervisor.stop();
      assert.equal(supervisor.running(), false);
      assert.equal(isAlive(second), false);
      assert.equal(existsSync(supervisor.socketPath), false);
      await supervisor.stop(); // idempotent
    } finally {
      await supervisor.stop();
    }
  });

  it('removes sample bytes left in its temporary directory: at start, when old, and after a kill', async () => {
    const workDir = path.join(scratchDir(), 'tmp-cleaning');
    const tmp = path.join(workDir, 'tmp');
    mkdirSync(tmp, { recursive: true });
    writeFileSync(path.join(tmp, 'clamav-left-by-a-killed-scan.tmp'), 'sample bytes');
    const supervisor = await startClamd({ workDir, preferSystemSignatures: false, logger, livenessIntervalMs: 50, restartMinMs: 20 });
    try {
      assert.deepEqual(readdirSync(tmp), []);
      const old = path.join(tmp, 'clamav-old.tmp');
      const fresh = path.join(tmp, 'clamav-fresh.tmp');
      writeFileSync(old, 'sample bytes');
      writeFileSync(fresh, 'a scan in progress');
      const hourAgo = new Date(Date.now() - 3_600_000);
      utimesSync(old, hourAgo, hourAgo);
      await waitFor('the old temporary file removed', () => !existsSync(old));
      assert.ok(existsSync(fresh), 'a file younger than a scan deadline may belong to a running scan');

      const first = supervisor.pid!;
      process.kill(first, 'SIGKILL');
      await waitFor('a restarted clamd', () => supervisor.pid !== undefined && supervisor.pid !== first);
      assert.deepEqual(readdirSync(tmp), []);
    } finally {
      await supervisor.stop();
    }
  });

  it('shuts down a clamd left over on its socket by an earlier run', async () => {
    const workDir = path.join(scratchDir(), 'leftover');
    const first = await startClamd({ workDir, preferSystemSignatures: false, logger });
    await first.stop();
    // What a killed Assay leaves behind: a clamd nobody supervises, on the same socket.
    const orphan = spawn(findClamdBinary()!, ['-c', path.join(workDir, 'clamd.conf')], { stdio: 'ignore' });
    const client = new ClamdClient({ path: first.socketPath });
    await waitFor('the orphan clamd', () => client.ping().then(() => true, () => false));
    const exited = new Promise((resolve) => orphan.once('exit', resolve));
    const second = await startClamd({ workDir, preferSystemSignatures: false, logger });
    try {
      await exited;
      assert.notEqual(second.pid, orphan.pid);
      await client.ping();
    } finally {
      await second.stop();
    }
  });

  it('rejects with clamd output when the databases are broken', async () => {
    const broken = dirWith('broken-db', []);
    writeFileSync(path.join(broken, 'broken.ndb'), 'this is not a signature\n');
    await assert.rejects(
      startClamd({ workDir: path.join(scratchDir(), 'broken'), preferSystemSignatures: false, signatureDirs: [broken], logger }),
      /clamd stopped while starting/,
    );
  });

  it('moves the socket to a short temp path when workDir is too deep for sun_path', async () => {
    const deep = path.join(scratchDir(), 'd'.repeat(60), 'e'.repeat(60));
    const supervisor = await startClamd({ workDir: deep, preferSystemSignatures: false, logger });
    try {
      assert.ok(Buffer.byteLength(supervisor.socketPath) <= 100);
      await new ClamdClient({ path: supervisor.socketPath }).ping();
    } finally {
      await supervisor.stop();
    }
    assert.equal(existsSync(path.dirname(supervisor.socketPath)), false);
  });
});
