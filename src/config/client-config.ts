/** Configuration of the client commands (`assay scan file`, `assay file`, ...): which server, which API key. */
import { z } from 'zod';

export const DEFAULT_SERVER = 'http://127.0.0.1:8080';

export interface ClientConfig {
  /** Host base URL without `/api/v3` and without a trailing slash, as vt-py's `host=` takes it. */
  readonly server: string;
  readonly apiKey?: string;
}

export interface ClientConfigFlags {
  server?: string;
  apikey?: string;
}

/** A configuration problem the user fixes on the command line; commands exit with the usage code. */
export class ClientConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ClientConfigError';
  }
}

const schema = z.object({
  server: z
    // z.httpUrl() insists on a dotted domain name, which would refuse 127.0.0.1 and localhost.
    .url({ protocol: /^https?$/, error: 'must be an absolute http(s) URL such as http://127.0.0.1:8080' })
    // The client appends /api/v3 itself, like every VT client, so a trailing slash would double up.
    .transform((s) => s.replace(/\/+$/, ''))
    .default(DEFAULT_SERVER),
  apiKey: z.string().min(1).optional(),
});

const sources = {
  server: { flag: '--server', env: 'ASSAY_SERVER' },
  apiKey: { flag: '--apikey', env: 'ASSAY_API_KEY' },
} as const;

/** Flags win over the environment; empty values count as absent. Validated with zod and frozen. */
export function loadClientConfig(flags: ClientConfigFlags, env: NodeJS.ProcessEnv = process.env): ClientConfig {
  const pick = (flag: string | undefined, name: string): string | undefined => {
    if (flag !== undefined && flag !== '') return flag;
    const value = env[name];
    return value !== undefined && value !== '' ? value : undefined;
  };
  const parsed = schema.safeParse({
    server: pick(flags.server, sources.server.env),
    apiKey: pick(flags.apikey, sources.apiKey.env),
  });
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => {
      const key = issue.path[0] as keyof typeof sources;
      const source = sources[key];
      return source ? `${source.flag} / ${source.env}: ${issue.message}` : issue.message;
    });
    throw new ClientConfigError(`invalid client configuration: ${lines.join('; ')}`);
  }
  const config: ClientConfig = { server: parsed.data.server };
  return Object.freeze(parsed.data.apiKey === undefined ? config : { ...config, apiKey: parsed.data.apiKey });
}

/** The API key, or a message that says where to put one (every /api/v3 route needs it). */
export function requireApiKey(config: ClientConfig): string {
  if (config.apiKey === undefined) {
    throw new ClientConfigError(
      'no API key: pass --apikey KEY or set ASSAY_API_KEY (an admin creates one with `assay user create NAME`)',
    );
  }
  return config.apiKey;
}
