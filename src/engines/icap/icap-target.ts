/** ICAP engines as configured: `ASSAY_ICAP_ENGINES=name=icap://host:1344/service?seats=4,...` parsed into targets. */

export interface IcapTarget {
  /** Engine name: the key in last_analysis_results. */
  name: string;
  host: string;
  port: number;
  /** Service path with the query the server is sent (ours taken out), e.g. `/avscan`. */
  service: string;
  /** `icap://host:port/service...` as it goes on the request line. */
  uri: string;
  /** Concurrent requests at most (licence seats); the server's Max-Connections lowers it. */
  seats: number;
  /** Deadline of one scan. */
  timeoutMs: number;
  /** Larger files are not sent (`type-unsupported`). */
  maxBytes: number;
}

export interface IcapDefaults {
  seats: number;
  timeoutMs: number;
  maxBytes: number;
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9 ._+-]{0,63}$/;
const ENTRY_START = /^\s*[^=,]+=icaps?:\/\//i;
/** Query parameters Assay reads; every other parameter is the server's and is sent on. */
const OUR_PARAMS = ['seats', 'timeout_ms', 'max_bytes'] as const;

/** Parses the whole setting; throws with a message naming the bad entry. */
export function parseIcapTargets(setting: string, defaults: IcapDefaults): IcapTarget[] {
  // A comma may appear inside a server's own query, so an entry only starts where `name=icap://` does.
  const entries: string[] = [];
  for (const piece of setting.split(',')) {
    if (entries.length === 0 || ENTRY_START.test(piece)) entries.push(piece);
    else entries[entries.length - 1] += `,${piece}`;
  }
  const targets = entries.filter((e) => e.trim() !== '').map((entry) => parseEntry(entry.trim(), defaults));
  const seen = new Set<string>();
  for (const t of targets) {
    if (seen.has(t.name)) throw new Error(`ICAP engine "${t.name}" is configured twice`);
    seen.add(t.name);
  }
  return targets;
}

function parseEntry(entry: string, defaults: IcapDefaults): IcapTarget {
  const eq = entry.indexOf('=');
  const name = eq > 0 ? entry.slice(0, eq).trim() : '';
  if (!NAME.test(name)) throw new Error(`ICAP engine "${entry}": expected name=icap://host[:port]/service, the name being letters, digits, space, . _ + -`);
  let url: URL;
  try {
    url = new URL(entry.slice(eq + 1).trim());
  } catch {
    throw new Error(`ICAP engine "${name}": not a URL: ${entry.slice(eq + 1)}`);
  }
  if (url.protocol !== 'icap:') throw new Error(`ICAP engine "${name}": only icap:// is supported (got ${url.protocol}//)`);
  if (!url.hostname) throw new Error(`ICAP engine "${name}": no host`);
  if (url.pathname === '/' || url.pathname === '') throw new Error(`ICAP engine "${name}": no service path (e.g. icap://host:1344/avscan)`);
  const number = (key: (typeof OUR_PARAMS)[number], fallback: number, min: number): number => {
    const raw = url.searchParams.get(key);
    if (raw === null) return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min) throw new Error(`ICAP engine "${name}": ${key}=${raw} is not an integer ≥ ${min}`);
    return value;
  };
  const seats = number('seats', defaults.seats, 1);
  const timeoutMs = number('timeout_ms', defaults.timeoutMs, 1);
  const maxBytes = number('max_bytes', defaults.maxBytes, 1);
  for (const key of OUR_PARAMS) url.searchParams.delete(key);
  const port = url.port === '' ? 1344 : Number(url.port);
  const service = `${url.pathname}${url.search}`;
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  return { name, host, port, service, uri: `icap://${url.hostname}:${port}${service}`, seats, timeoutMs, maxBytes };
}
