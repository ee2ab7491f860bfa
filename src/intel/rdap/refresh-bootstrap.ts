/** `assay intel refresh`: downloads IANA's four RDAP bootstrap registries into a directory, all or none. */
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { BOOTSTRAP_FILES, parseBootstrapFile, type BootstrapRegistry } from './bootstrap.js';
import type { FetchJson } from './fetch-json.js';

export const IANA_RDAP_BASE_URL = 'https://data.iana.org/rdap/';

export interface RefreshBootstrapOptions {
  baseUrl?: string;
  signal?: AbortSignal;
}

/**
 * Fetches and checks every registry before writing any, then replaces each file by rename, so a
 * failed download leaves the previous set in place. Returns each file's publication date.
 */
export async function refreshBootstrap(
  dir: string,
  fetchJson: FetchJson,
  options: RefreshBootstrapOptions = {},
): Promise<Record<BootstrapRegistry, string>> {
  const baseUrl = options.baseUrl ?? IANA_RDAP_BASE_URL;
  const signal = options.signal ?? AbortSignal.timeout(60_000);
  const fetched = await Promise.all(
    BOOTSTRAP_FILES.map(async (registry) => {
      const url = new URL(`${registry}.json`, baseUrl).toString();
      return { registry, file: parseBootstrapFile(await fetchJson(url, signal), url) };
    }),
  );
  await mkdir(dir, { recursive: true });
  const temps: string[] = [];
  try {
    for (const { registry, file } of fetched) {
      const temp = path.join(dir, `.${registry}.json.${process.pid}.tmp`);
      temps.push(temp);
      await writeFile(temp, `${JSON.stringify(file, null, 2)}\n`);
    }
    for (const { registry } of fetched) {
      await rename(path.join(dir, `.${registry}.json.${process.pid}.tmp`), path.join(dir, `${registry}.json`));
    }
  } finally {
    await Promise.all(temps.map((t) => rm(t, { force: true })));
  }
  return Object.fromEntries(fetched.map(({ registry, file }) => [registry, file.publication ?? 'unknown'])) as Record<
    BootstrapRegistry,
    string
  >;
}
