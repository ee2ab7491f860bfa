/**
 * Mixed traffic against a running Assay while faults come and go: uploads, report look-ups, URL
 * submissions to a loopback site and comments. It keeps every answer's status, and every accepted
 * submission so the suite can check later that each one completed.
 */
import { createHash, randomBytes } from 'node:crypto';

/** EICAR, assembled at run time so the repository holds no test virus as a file. */
export const eicar = (): string => 'X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*';

export interface Accepted {
  kind: 'file' | 'url';
  analysisId: string;
  /** For files: the sha256 and the bytes sent, to compare with what the API serves back. */
  sha256?: string;
  bytes?: Buffer;
  /** Date.now() when accepted. */
  at: number;
}

export interface Tally {
  requests: number;
  byStatus: Map<number, number>;
  /** 5xx other than 503, and 503s without VT's {"error":{code,message}}: the defects this suite hunts. */
  bad: Array<{ method: string; path: string; status: number; body: string }>;
  /** Requests with no answer within the client's deadline, or a cut connection. */
  noAnswer: number;
  accepted: Accepted[];
}

export const newTally = (): Tally => ({ requests: 0, byStatus: new Map(), bad: [], noAnswer: 0, accepted: [] });

export interface Client {
  request(method: string, path: string, body?: FormData | string, headers?: Record<string, string>): Promise<{ status: number; json: any; text: string }>;
}

/** The requests the suite sends, tallied; `timeoutMs` bounds each one (a stopped database can hold a request). */
export function client(baseUrl: string, apiKey: string, tally: Tally, timeoutMs = 60_000): Client {
  return {
    async request(method, path, body, headers = {}) {
      tally.requests++;
      let res: Response;
      let text: string;
      try {
        res = await fetch(`${baseUrl}/api/v3${path}`, { method, body, headers: { 'x-apikey': apiKey, ...headers }, signal: AbortSignal.timeout(timeoutMs) });
        text = await res.text();
      } catch {
        tally.noAnswer++;
        return { status: 0, json: undefined, text: '' };
      }
      tally.byStatus.set(res.status, (tally.byStatus.get(res.status) ?? 0) + 1);
      let json: any;
      try {
        json = JSON.parse(text);
      } catch {
        json = undefined;
      }
      const envelope = typeof json?.error?.code === 'string' && typeof json?.error?.message === 'string';
      if ((res.status >= 500 && res.status !== 503) || (res.status === 503 && !envelope)) tally.bad.push({ method, path, status: res.status, body: text.slice(0, 300) });
      return { status: res.status, json, text };
    },
  };
}

export async function uploadFile(c: Client, tally: Tally, bytes: Buffer, name: string): Promise<Accepted | undefined> {
  const form = new FormData();
  form.append('file', new Blob([bytes]), name);
  const res = await c.request('POST', '/files', form);
  if (res.status !== 200) return undefined;
  const accepted: Accepted = { kind: 'file', analysisId: res.json.data.id, sha256: createHash('sha256').update(bytes).digest('hex'), bytes, at: Date.now() };
  tally.accepted.push(accepted);
  return accepted;
}

export async function submitUrl(c: Client, tally: Tally, url: string): Promise<Accepted | undefined> {
  const res = await c.request('POST', '/urls', new URLSearchParams({ url }).toString(), { 'content-type': 'application/x-www-form-urlencoded' });
  if (res.status !== 200) return undefined;
  const accepted: Accepted = { kind: 'url', analysisId: res.json.data.id, at: Date.now() };
  tally.accepted.push(accepted);
  return accepted;
}

/** One analysis's state: status and results, or undefined if it could not be read. */
export async function analysis(c: Client, id: string): Promise<{ status: string; results: Record<string, { category: string; result: string | null }> } | undefined> {
  const res = await c.request('GET', `/analyses/${encodeURIComponent(id)}`);
  if (res.status !== 200) return undefined;
  return { status: res.json.data.attributes.status, results: res.json.data.attributes.results ?? {} };
}

/**
 * Runs `lanes` loops of mixed requests until `stop()` is called. Each step is one upload (small
 * random file, every fifth an EICAR copy made unique by a suffix), a look-up of an earlier file,
 * every third step a URL submission and every seventh a comment; steps do not wait on analyses.
 */
export function runLoad(c: Client, tally: Tally, options: { lanes: number; siteOrigin: string }): { stop(): Promise<void> } {
  let stopping = false;
  let step = 0;
  const lane = async (laneId: number) => {
    while (!stopping) {
      const n = step++;
      const unique = randomBytes(8).toString('hex');
      const bytes = n % 5 === 0 ? Buffer.from(`${eicar()}\n${unique}`) : randomBytes(1024 + (n % 16) * 4096);
      const before = tally.noAnswer;
      const accepted = await uploadFile(c, tally, bytes, `chaos-${laneId}-${n}.bin`);
      const earlier = tally.accepted.filter((a) => a.kind === 'file');
      const pick = earlier[n % Math.max(1, earlier.length)];
      if (pick) await c.request('GET', `/files/${pick.sha256}`);
      if (n % 3 === 0) await submitUrl(c, tally, `${options.siteOrigin}/page/${unique}`);
      if (n % 7 === 0 && accepted) {
        await c.request('POST', `/files/${accepted.sha256}/comments`, JSON.stringify({ data: { type: 'comment', attributes: { text: `chaos #step${n}` } } }), {
          'content-type': 'application/json',
        });
      }
      // A lane whose requests fail at once (a refused connection) would spin: pace it while that lasts.
      if (tally.noAnswer > before) await new Promise((resolve) => setTimeout(resolve, 200));
    }
  };
  const running = Array.from({ length: options.lanes }, (_, i) => lane(i));
  return {
    async stop() {
      stopping = true;
      await Promise.all(running);
    },
  };
}
