/**
 * An S3-compatible server for tests: `s3rver` (npm, dev dependency) in a child process of its own,
 * on port 0 with its data in a temporary directory, so tests talk to a real server over HTTP and
 * can kill it. One per call; `stop()` kills it and removes its directory.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';

export interface TestS3Server {
  /** http://127.0.0.1:<port> */
  endpoint: string;
  /** A bucket that exists (created at start). */
  bucket: string;
  /** Where s3rver keeps its data (tests may look at what has arrived, e.g. multipart parts). */
  directory: string;
  /** What s3rver accepts: any region, path-style addressing, its fixed key pair. */
  env: Record<string, string>;
  stop(): Promise<void>;
}

const READY_TIMEOUT_MS = 30_000;

// Runs in the child: starts s3rver and prints its port once listening.
const CHILD = `
import S3rver from 's3rver';
const [directory, bucket] = process.argv.slice(1);
const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory, configureBuckets: [{ name: bucket }] });
const { port } = await server.run();
process.stdout.write(port + '\\n');
`;

export async function startTestS3Server(bucket = 'assay-test'): Promise<TestS3Server> {
  const directory = await mkdtemp(path.join(tmpdir(), 'assay-s3rver-'));
  const child = spawn(process.execPath, ['--input-type=module', '-e', CHILD, directory, bucket], {
    cwd: path.resolve(import.meta.dirname, '../..'),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // A test process that dies leaves no server behind ('exit' handlers must be synchronous; kill() is).
  const killNow = () => void child.kill('SIGKILL');
  process.once('exit', killNow);
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d));
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`s3rver did not start:\n${stderr}`)), READY_TIMEOUT_MS);
    child.once('exit', (code) => reject(new Error(`s3rver exited (${code}):\n${stderr}`)));
    createInterface({ input: child.stdout }).once('line', (line) => {
      clearTimeout(timer);
      resolve(Number(line));
    });
  });
  const endpoint = `http://127.0.0.1:${port}`;
  return {
    endpoint,
    bucket,
    directory,
    env: {
      ASSAY_S3_ENDPOINT: endpoint,
      ASSAY_S3_FORCE_PATH_STYLE: 'true',
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'S3RVER',
      AWS_SECRET_ACCESS_KEY: 'S3RVER',
    },
    async stop() {
      process.off('exit', killNow);
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGKILL');
        await exited;
      }
      await rm(directory, { recursive: true, force: true });
    },
  };
}
