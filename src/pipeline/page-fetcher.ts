/** The port through which a URL analysis fetches a page; net/safe-fetcher.ts implements it. */

export interface FetchHop {
  url: string;
  statusCode: number;
  /** The address the connection went to. */
  address: string;
  location?: string;
}

export interface FetchResolution {
  hostName: string;
  ipAddress: string;
}

export type FetchFailureReason =
  | 'invalid-url'
  | 'unsupported-scheme'
  | 'address-refused'
  | 'dns-failed'
  | 'too-many-redirects'
  | 'timeout'
  | 'aborted'
  | 'connect-failed'
  | 'tls-failed'
  | 'headers-too-large'
  | 'protocol-error'
  | 'fetch-failed';

export type FetchOutcome =
  | {
      ok: true;
      finalUrl: string;
      statusCode: number;
      /** Lower-case names; repeated headers joined with ', '. */
      headers: Record<string, string>;
      body: Buffer;
      /** The body went past maxBodyBytes and was cut there. */
      truncated: boolean;
      chain: FetchHop[];
      resolutions: FetchResolution[];
    }
  | { ok: false; reason: FetchFailureReason; message: string; chain: FetchHop[]; resolutions: FetchResolution[] };

export interface PageFetcher {
  /** Never throws for what the remote side does: a refusal or failure is an outcome with a reason. */
  fetch(url: string, signal?: AbortSignal): Promise<FetchOutcome>;
}
