/** A real c-icap server with the virus_scan service on a clamd socket, on a free port, for tests. */
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import fs from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

const C_ICAP = '/usr/bin/c-icap';
const MODULES_DIR = ['/usr/lib/x86_64-linux-gnu/c_icap', '/usr/lib/aarch64-linux-gnu/c_icap', '/usr/lib/c_icap'];

export interface TestCIcap {
  port: number;
  /** `icap://127.0.0.1:<port>/avscan` */
  url: string;
  process: ChildProcess;
  /** SIGKILL to c-icap and its workers, as a crash would, waiting for exit. */
  kill(): Promise<void>;
  /** SIGSTOP to c-icap and its workers: connections are accepted by the kernel and never answered. */
  freeze(): void;
  stop(): Promise<void>;
}

function modulesDir(): string | undefined {
  return MODULES_DIR.find((dir) => {
    try {
      accessSync(path.join(dir, 'virus_scan.so'), constants.R_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/** Why c-icap tests cannot run here, or undefined when they can. */
export function cIcapUnavailable(): string | undefined {
  try {
    accessSync(C_ICAP, constants.X_OK);
  } catch {
    return 'c-icap is not installed (apt-get install c-icap libc-icap-mod-virus-scan)';
  }
  return modulesDir() ? undefined : 'the c-icap virus_scan module is not installed (apt-get install libc-icap-mod-virus-scan)';
}

/** A port nobody listens on now (c-icap takes a number, not 0). */
async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * Starts c-icap in the foreground scanning through the clamd at `clamdSocket`; resolves once it
 * answers OPTIONS. `port` starts it again where a killed one listened.
 */
export async function startTestCIcap(clamdSocket: string, options: { port?: number } = {}): Promise<TestCIcap> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'assay-c-icap-test-'));
  const port = options.port ?? (await freePort());
  const modules = modulesDir()!;
  const conf = [
    `PidFile ${dir}/c-icap.pid`,
    `CommandsSocket ${dir}/c-icap.ctl`,
    'Timeout 30',
    'MaxKeepAliveRequests 100',
    'KeepAliveTimeout 60',
    'StartServers 1',
    'MaxServers 1',
    'MinSpareThreads 2',
    'MaxSpareThreads 8',
    'ThreadsPerChild 8',
    `Port 127.0.0.1:${port}`,
    `TmpDir ${dir}`,
    'MaxMemObject 131072',
    'DebugLevel 1',
    `ModulesDir ${modules}`,
    `ServicesDir ${modules}`,
    'TemplateDir /usr/share/c_icap/templates/',
    'TemplateDefaultLanguage en',
    'LoadMagicFile /etc/c-icap/c-icap.magic',
    `ServerLog ${dir}/server.log`,
    `AccessLog ${dir}/access.log`,
    'Module common clamd_mod.so',
    `clamd_mod.ClamdSocket ${clamdSocket}`,
    'Service antivirus_module virus_scan.so',
    'ServiceAlias avscan virus_scan?allow204=on&sizelimit=off&mode=simple',
    'virus_scan.ScanFileTypes TEXT DATA EXECUTABLE ARCHIVE GIF JPEG MSOFFICE',
    'virus_scan.MaxObjectSize 100M',
    'virus_scan.DefaultEngine clamd',
    '',
  ].join('\n');
  await fs.writeFile(path.join(dir, 'c-icap.conf'), conf);
  // Its own process group, so its worker children can be frozen or killed with it (`signalGroup`).
  const child = spawn(C_ICAP, ['-N', '-f', path.join(dir, 'c-icap.conf')], { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  const killGroup = () => signalGroup('SIGKILL');
  process.once('exit', killGroup);
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const signalGroup = (sig: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, sig);
    } catch {
      // the group is gone
    }
  };
  const signal = async (sig: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) signalGroup(sig);
    await exited;
  };
  const stop = async () => {
    signalGroup('SIGCONT');
    await signal('SIGTERM');
    process.off('exit', killGroup);
    await fs.rm(dir, { recursive: true, force: true });
  };
  try {
    const deadline = Date.now() + 20_000;
    for (let pause = 20; ; pause = Math.min(pause * 2, 200)) {
      if (child.exitCode !== null) throw new Error(`c-icap exited (${child.exitCode}): ${output}`);
      if (await answersOptions(port)) break;
      if (Date.now() > deadline) throw new Error(`c-icap did not answer on port ${port}: ${output}`);
      await new Promise((resolve) => setTimeout(resolve, pause));
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    port,
    url: `icap://127.0.0.1:${port}/avscan`,
    process: child,
    kill: () => signal('SIGKILL'),
    freeze: () => signalGroup('SIGSTOP'),
    stop,
  };
}

/** One OPTIONS round trip by hand: the test support does not lean on the client under test. */
function answersOptions(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    let reply = '';
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(2_000, () => done(false));
    socket.on('error', () => done(false));
    socket.on('data', (d: Buffer) => {
      reply += d.toString('latin1');
      if (reply.includes('\r\n\r\n')) done(reply.startsWith('ICAP/1.0 200'));
    });
    socket.on('connect', () => socket.write(`OPTIONS icap://127.0.0.1:${port}/avscan ICAP/1.0\r\nHost: 127.0.0.1\r\nEncapsulated: null-body=0\r\n\r\n`));
  });
}
