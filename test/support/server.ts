/** Starts a real `assay serve` process for end-to-end tests and talks to it over HTTP. */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { waitForListening } from './serve-process.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface TestServer {
  url: string;
  adminKey: string;
  dataDir: string;
  process: ChildProcess;
  output(): string;
  /** Graceful stop (SIGTERM), waiting for exit. */
  stop(): Promise<void>;
  /** SIGKILL, as a crash would, waiting for exit. */
  kill9(): Promise<void>;
}

export async function makeDataDir(): Promise<string> {
  return fs.mkdtemp(path.join(os.tmpdir(), 'assay-e2e-'));
}

export async function startServer(options: { dataDir?: string; env?: Record<string, string>; adminKey?: string } = {}): Promise<TestServer> {
  const dataDir = options.dataDir ?? (await makeDataDir());
  const adminKey = options.adminKey ?? randomBytes(32).toString('hex');
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'src/cli/main.ts'), 'serve', '--port', '0', '--data', dataDir], {
    cwd: root,
    env: { ...process.env, ASSAY_BOOTSTRAP_API_KEY: adminKey, ASSAY_LOG_LEVEL: 'warn', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const listening = waitForListening(child, 60_000);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = await listening.url;
  const signal = async (sig: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(sig);
    await exited;
  };
  return { url, adminKey, dataDir, process: child, output: listening.output, stop: () => signal('SIGTERM'), kill9: () => signal('SIGKILL') };
}

/** Minimal HTTP helpers mirroring what VT clients send. */
export function api(server: { url: string }, apiKey: string) {
  const request = async (method: string, p: string, body?: FormData | string, headers: Record<string, string> = {}) => {
    const res = await fetch(p.startsWith('http') ? p : `${server.url}/api/v3${p}`, {
      method,
      body,
      headers: { 'x-apikey': apiKey, ...headers },
    });
    const text = await res.text();
    let json: any;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: res.status, json, text, headers: res.headers };
  };
  return {
    get: (p: string) => request('GET', p),
    post: (p: string, body?: FormData | string, headers?: Record<string, string>) => request('POST', p, body, headers),
    async upload(content: Buffer | string, name: string, p = '/files') {
      const form = new FormData();
      form.append('file', new Blob([content]), name);
      return request('POST', p, form);
    },
    /** Polls an analysis until completed, with a deadline (never a blind sleep). */
    async waitForAnalysis(id: string, timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const r = await request('GET', `/analyses/${encodeURIComponent(id)}`);
        if (r.status === 200 && r.json.data.attributes.status === 'completed') return r.json;
        if (Date.now() > deadline) throw new Error(`analysis ${id} not completed in time: ${r.text}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    },
  };
}

/** EICAR, assembled at run time so the repository holds no test virus as a file. */
export const eicar = () => 'X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*';
