/**
 * Throwaway PostgreSQL databases for tests. Each `testDatabaseUrl()` creates a fresh, empty
 * database: on the server named by ASSAY_TEST_DATABASE_URL, or else on a private cluster started
 * once per process in a temp directory and removed when the process exits.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';

const READY_TIMEOUT_MS = 30_000;

interface Cluster {
  /** URL of the cluster's `postgres` database, used to create and drop test databases. */
  adminUrl: string;
}

let cluster: Promise<Cluster> | undefined;
const created: Array<{ adminUrl: string; name: string }> = [];

/** A URL to a new, empty database. Call `dropTestDatabases()` when done (an `after` hook). */
export async function testDatabaseUrl(): Promise<string> {
  const external = process.env.ASSAY_TEST_DATABASE_URL;
  const adminUrl = external ? external : (await (cluster ??= startCluster())).adminUrl;
  const name = `assay_test_${randomBytes(6).toString('hex')}`;
  await withClient(adminUrl, (client) => client.query(`CREATE DATABASE ${name}`));
  created.push({ adminUrl, name });
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/** Drops every database this process created; connections still open to them are terminated. */
export async function dropTestDatabases(): Promise<void> {
  for (const { adminUrl, name } of created.splice(0)) {
    await withClient(adminUrl, (client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
  }
}

async function withClient<T>(url: string, use: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await use(client);
  } finally {
    await client.end();
  }
}

/** The newest installed server's bin directory, e.g. /usr/lib/postgresql/15/bin. */
function postgresBinDir(): string {
  const base = '/usr/lib/postgresql';
  const versions = existsSync(base)
    ? readdirSync(base)
        .filter((v) => existsSync(path.join(base, v, 'bin', 'initdb')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (versions.length === 0) {
    throw new Error('No PostgreSQL server found under /usr/lib/postgresql; set ASSAY_TEST_DATABASE_URL instead');
  }
  return path.join(base, versions[0]!, 'bin');
}

/** initdb and postgres refuse to run as root, so as root they run as the `postgres` user. */
function asServerUser(command: string, args: string[]): [string, string[]] {
  return process.getuid?.() === 0 ? ['runuser', ['-u', 'postgres', '--', command, ...args]] : [command, args];
}

function run(command: string, args: string[]): void {
  const [cmd, argv] = asServerUser(command, args);
  execFileSync(cmd, argv, { stdio: ['ignore', 'ignore', 'pipe'] });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

async function startCluster(): Promise<Cluster> {
  const bin = postgresBinDir();
  const dir = mkdtempSync(path.join(tmpdir(), 'assay-pg-'));
  const data = path.join(dir, 'data');
  const log = path.join(dir, 'server.log');
  if (process.getuid?.() === 0) {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    chownSync(dir, uid, gid);
  }

  let started = false;
  const stop = (): void => {
    if (started) {
      const [cmd, argv] = asServerUser(path.join(bin, 'pg_ctl'), ['-D', data, '-m', 'immediate', 'stop']);
      spawnSync(cmd, argv, { stdio: 'ignore' });
    }
    rmSync(dir, { recursive: true, force: true });
  };
  // 'exit' handlers must be synchronous, hence spawnSync and rmSync above.
  process.once('exit', stop);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      stop();
      process.kill(process.pid, signal);
    });
  }

  run(path.join(bin, 'initdb'), ['-D', data, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--locale=C', '--no-sync']);
  const port = await freePort();
  const serverOptions = [
    `-p ${port}`,
    `-k ${dir}`,
    '-c listen_addresses=127.0.0.1',
    '-c fsync=off',
    '-c synchronous_commit=off',
    '-c full_page_writes=off',
    '-c max_connections=200',
  ].join(' ');
  // -W: return at once; readiness is polled below against our own deadline.
  run(path.join(bin, 'pg_ctl'), ['-D', data, '-l', log, '-o', serverOptions, '-W', 'start']);
  started = true;

  const adminUrl = `postgres://postgres@127.0.0.1:${port}/postgres`;
  await waitUntilReady(adminUrl, log);
  return { adminUrl };
}

async function waitUntilReady(url: string, log: string): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    try {
      await withClient(url, (client) => client.query('select 1'));
      return;
    } catch (error) {
      const logText = existsSync(log) ? readFileSync(log, 'utf8') : '';
      // Our own early connection attempts log "FATAL: the database system is starting up"; any other FATAL is real.
      const fatal = logText.split('\n').some((line) => /FATAL|PANIC/.test(line) && !line.includes('starting up'));
      if (fatal || Date.now() > deadline) {
        throw new Error(`Test PostgreSQL did not start: ${String(error)}\n${logText}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}
