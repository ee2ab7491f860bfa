// Who may call a route: x-apikey authentication and the quota seam (admit), run before the body is read.
import type { FastifyInstance, FastifyRequest, RouteOptions } from 'fastify';
import type { AppServices } from '../app/services.js';
import type { Principal } from '../app/principal.js';

/** Quota groups passed to services.auth.admit, in VT's api_usage naming where VT has one. */
export const endpointGroups = {
  /** File reports and rescans. */
  files: 'files',
  /** POST /files and issuing an upload URL (the upload through that URL is not counted again). */
  fileUpload: 'file_upload',
  /** A file's relationship collections. */
  fileRelationships: 'file_relationships',
  fileDownload: 'file_download',
  analyses: 'analyses',
  /** URL submissions, reports, rescans and screenshots. */
  urls: 'urls',
  /** A URL's relationship collections, its analyses included. */
  urlRelationships: 'url_relationships',
  /** Domain reports and refreshes. */
  domains: 'domains',
  domainRelationships: 'domain_relationships',
  /** IP address reports and refreshes. */
  ipAddresses: 'ip_addresses',
  ipRelationships: 'ip_relationships',
  resolutions: 'resolutions',
  metadata: 'metadata',
  /** Comments: on files, URLs, domains and IPs, the latest, one comment, deleting one. */
  comments: 'comments',
  /** Votes on objects, and on comments (POST /comments/{id}/vote). */
  votes: 'votes',
  /** User and group look-ups and the admin routes for users, keys and groups (free on VirusTotal). */
  users: 'users',
  /** Group look-ups and the admin routes for groups (free, like users). */
  groups: 'groups',
} as const;

export type EndpointGroup = (typeof endpointGroups)[keyof typeof endpointGroups];

/** `apikey` is the default on /api/v3; `upload-token` takes the single-use token in `:token`. */
export type AuthMode = 'apikey' | 'upload-token' | 'public';

declare module 'fastify' {
  interface FastifyContextConfig {
    auth?: AuthMode;
    endpointGroup?: EndpointGroup;
  }
  interface FastifyRequest {
    /** Set by the auth hook on every authenticated route. */
    principal: Principal | null;
  }
}

const authModeOf = (url: string | undefined, mode: AuthMode | undefined): AuthMode =>
  mode ?? (url !== undefined && url.startsWith('/api/v3') ? 'apikey' : 'public');

/** The caller of an authenticated route; a missing principal means the route was misconfigured. */
export function principalOf(request: FastifyRequest): Principal {
  if (!request.principal) throw new Error(`route ${request.routeOptions.url} has no authenticated principal`);
  return request.principal;
}

function apiKeyOf(request: FastifyRequest): string | undefined {
  const value = request.headers['x-apikey'];
  const key = Array.isArray(value) ? value[0] : value;
  return key === undefined || key === '' ? undefined : key;
}

/** Refuses at registration an API-key route without a quota group, so none is left uncounted. */
export function checkRouteAuth(route: RouteOptions): void {
  const config = (route.config ?? {}) as { auth?: AuthMode; endpointGroup?: EndpointGroup };
  if (authModeOf(route.url, config.auth) === 'apikey' && !config.endpointGroup) {
    throw new Error(`route ${String(route.method)} ${route.url} needs config.endpointGroup`);
  }
}

/** Ends each admitted request's in-flight slot (services.auth.admit's return value). */
const releases = new WeakMap<FastifyRequest, () => void>();

export function installAuth(app: FastifyInstance, services: AppServices): void {
  app.decorateRequest('principal', null);
  // onRequest runs before the body is parsed, so an unauthenticated upload is refused unread.
  // Callback style, and no await when authentication and admission answer synchronously (a key
  // seen lately, uncapped counters): report look-ups are most traffic, and each await cost throughput.
  app.addHook('onRequest', (request, _reply, done) => {
    const config = request.routeOptions.config;
    const mode = authModeOf(request.routeOptions.url, config?.auth);
    if (mode === 'public') return done();
    if (mode === 'upload-token') {
      // The token is the credential (vt-py still sends x-apikey; it is not needed). Its quota was
      // counted when the URL was issued. Checked here, used up only by an upload that succeeds (the route).
      const { token } = request.params as { token: string };
      services.uploads.checkToken(token).then((principal) => {
        request.principal = principal;
        done();
      }, done);
      return;
    }
    const admit = (principal: Principal) => {
      const admitted = services.auth.admit(principal, config.endpointGroup!);
      const accept = (release: () => void) => {
        releases.set(request, release);
        request.principal = principal;
        done();
      };
      if (admitted instanceof Promise) admitted.then(accept, done);
      else accept(admitted);
    };
    try {
      const principal = services.auth.authenticate(apiKeyOf(request));
      if (principal instanceof Promise) principal.then(admit, done);
      else admit(principal);
    } catch (error) {
      done(error as Error);
    }
  });
  // The admission's in-flight slot ends with the request: answered, or abandoned by the client.
  const release = (request: FastifyRequest) => {
    releases.get(request)?.();
    releases.delete(request);
  };
  // Callback style: no promise per request on the hot path.
  app.addHook('onResponse', (request, _reply, done) => {
    release(request);
    done();
  });
  app.addHook('onRequestAbort', (request, done) => {
    release(request);
    done();
  });
}
