/**
 * Screenshots of URL pages with Debian's Chromium driven by playwright-core. The browser never
 * touches the network itself: every request the page makes is intercepted and answered with what
 * the host's safe fetcher returns (address policy on every hop) or aborted, and Chromium is started
 * with a dead proxy and a resolver that resolves nothing, so a request that slipped past the
 * interception (a WebSocket, say) cannot leave either.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';
import type { Browser } from 'playwright-core';
import type { PageCapturer, PluginManifest, Readiness, ResourceFetch } from '../../core/plugin.js';

export interface ChromiumCapturerOptions {
  /** The Chromium binary; default /usr/bin/chromium. */
  executablePath?: string;
  fetchResource: ResourceFetch;
  /** For one page: navigation, rendering and the screenshot (default 20 s). */
  timeoutMs?: number;
  viewport?: { width: number; height: number };
}

const manifest: PluginManifest = {
  name: 'screenshot',
  version: '0.1.0',
  description: 'PNG of the final page of a URL, rendered by headless Chromium with every request through the safe fetcher',
  accepts: { kinds: ['url'] },
  timeoutMs: 30_000,
  needsNetwork: true,
};

/** Flags from ../shared/deps.md: no background traffic, no QUIC, and no network of its own. */
const chromiumArgs = [
  '--headless',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
  '--disable-dev-shm-usage',
  '--proxy-server=http://127.0.0.1:9',
  '--host-resolver-rules=MAP * ~NOTFOUND',
];

const execFileAsync = promisify(execFile);

const FRAMING_HEADERS = new Set(['content-length', 'content-encoding', 'transfer-encoding', 'connection']);

export class ChromiumCapturer implements PageCapturer {
  readonly manifest = manifest;
  private browser: Promise<Browser> | undefined;
  /** One page at a time: a renderer takes hundreds of megabytes. */
  private queue: Promise<unknown> = Promise.resolve();
  private readonly executablePath: string;

  constructor(private readonly options: ChromiumCapturerOptions) {
    this.executablePath = options.executablePath ?? '/usr/bin/chromium';
  }

  async start(): Promise<Readiness> {
    if (!existsSync(this.executablePath)) {
      return { ready: false, detail: `no Chromium at ${this.executablePath}; install it with \`apt-get install chromium\` or set ASSAY_CHROMIUM` };
    }
    // The browser itself starts with the first capture: most servers (and every test server) never need one.
    try {
      const { stdout } = await execFileAsync(this.executablePath, ['--version'], { timeout: 15_000 });
      const version = /(\d+\.\d+\.\d+\.\d+)/.exec(stdout)?.[1] ?? stdout.trim();
      return { ready: true, engineVersion: version, detail: `Chromium ${version}, every request through the safe fetcher` };
    } catch (error) {
      return { ready: false, detail: `Chromium at ${this.executablePath} does not run: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}` };
    }
  }

  capture(url: string, signal: AbortSignal): Promise<{ png: Buffer; refusedRequests: number }> {
    const run = this.queue.then(() => this.captureNow(url, signal));
    this.queue = run.catch(() => undefined);
    return run;
  }

  async close(): Promise<void> {
    const browser = await this.browser?.catch(() => undefined);
    this.browser = undefined;
    await browser?.close().catch(() => undefined);
  }

  private launch(): Promise<Browser> {
    this.browser ??= import('playwright-core').then(({ chromium }) =>
      chromium.launch({
        executablePath: this.executablePath,
        // Chromium's own sandbox needs an unprivileged user; as root (containers, CI) it cannot run.
        args: process.getuid?.() === 0 ? [...chromiumArgs, '--no-sandbox'] : chromiumArgs,
        timeout: 20_000,
      }),
    );
    return this.browser;
  }

  private async captureNow(url: string, signal: AbortSignal): Promise<{ png: Buffer; refusedRequests: number }> {
    signal.throwIfAborted();
    const browser = await this.launch().catch((error: unknown) => {
      this.browser = undefined;
      throw error;
    });
    const context = await browser.newContext({ viewport: this.options.viewport ?? { width: 1280, height: 800 }, acceptDownloads: false, serviceWorkers: 'block', javaScriptEnabled: true });
    const onAbort = () => void context.close().catch(() => undefined);
    signal.addEventListener('abort', onAbort, { once: true });
    let refusedRequests = 0;
    try {
      await context.route('**/*', async (route) => {
        const requestUrl = route.request().url();
        if (!/^https?:/i.test(requestUrl)) {
          // data: and blob: need no network; anything else (file:, chrome:) is refused.
          if (/^(data|blob):/i.test(requestUrl)) await route.continue();
          else await route.abort('blockedbyclient');
          return;
        }
        const fetched = await this.options.fetchResource(requestUrl, signal).catch(() => ({ ok: false as const, reason: 'fetch-failed' }));
        if (!fetched.ok) {
          refusedRequests += 1;
          await route.abort('blockedbyclient').catch(() => undefined);
          return;
        }
        // The body is handed over as received: framing headers of the original response no longer apply.
        const headers = Object.fromEntries(Object.entries(fetched.headers).filter(([name]) => !FRAMING_HEADERS.has(name)));
        await route.fulfill({ status: fetched.status, headers, body: fetched.body }).catch(() => undefined);
      });
      const page = await context.newPage();
      const timeout = this.options.timeoutMs ?? 20_000;
      await page.goto(url, { waitUntil: 'load', timeout }).catch(async (error: unknown) => {
        // A page that never finishes loading is still worth a picture of what rendered.
        if (signal.aborted) throw error;
      });
      const png = await page.screenshot({ type: 'png', fullPage: false, timeout });
      return { png, refusedRequests };
    } finally {
      signal.removeEventListener('abort', onAbort);
      await context.close().catch(() => undefined);
    }
  }
}
