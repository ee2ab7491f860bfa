/**
 * The use cases the API and CLI call, as one typed surface. Implemented in app/, built in
 * bootstrap/; the API depends on this interface only.
 */
import type { Readable } from 'node:stream';
import type { PluginKind, PluginManifest, Readiness } from '../core/plugin.js';
import type { Analysis } from '../core/model/analysis.js';
import type { Comment, CommentVotes, Vote } from '../core/model/community.js';
import type { FileObject } from '../core/model/file.js';
import type { NetworkObjectType, Resolution } from '../core/model/network-object.js';
import type { Page } from '../core/model/page.js';
import type { GraphOwner } from './graph/relationship-catalog.js';
import type { RelatedObject } from './graph/graph-service.js';
import type { NetworkView } from './network/network-view.js';
import type { UrlView } from './urls/url-service.js';
import type { CommunityCollection } from '../core/community-ids.js';
import type { AccountService } from './accounts/account-service.js';
import type { ApiUsage, OverallQuotas } from './quotas/quota-service.js';
import type { Principal } from './principal.js';

/** Streams an upload form's file part into staging while hashing it; called once per form. */
export type ReceiveFile = (body: Readable) => Promise<void>;

/** VT's upload form besides the file: its file name, a ZIP `password` and the `private` flag. */
export interface UploadFields {
  name?: string;
  password?: string;
  private?: boolean;
}

/** What an analysis analysed. */
export type AnalysedItem = { type: 'file'; file: FileObject } | { type: 'url'; url: UrlView };

export interface PluginStatus {
  kind: PluginKind;
  manifest: PluginManifest;
  readiness: Readiness;
}

/** Calls of one plugin that ended one way (ok, failure, timeout), with their total time. */
export interface PluginCallStats {
  kind: PluginKind;
  plugin: string;
  outcome: string;
  count: number;
  seconds: number;
}

export interface AppServices {
  auth: {
    /**
     * Resolves an x-apikey value; throws AppError AuthenticationRequiredError / WrongCredentialsError /
     * UserNotActiveError (or rejects with them). A key authenticated lately is answered synchronously:
     * report look-ups are most traffic, and each await on their path cost throughput.
     */
    authenticate(apiKey: string | undefined): Principal | Promise<Principal>;
    /**
     * Tiers and quotas (app/quotas): called once per counted request with its endpoint group
     * (e.g. `files`, `analyses`, `file_download`). Throws AppError QuotaExceededError or
     * TooManyRequestsError when refused; otherwise returns the function that ends the request's
     * in-flight slot, to call once the request is over.
     */
    admit(principal: Principal, endpointGroup: string): (() => void) | Promise<() => void>;
  };
  /** Users, API keys and groups (app/accounts): anyone sees their own user and group; the rest is for admins. */
  accounts: AccountService;
  /** Quota use (app/quotas) for /users/{id}/overall_quotas and /api_usage; the route decides who may see whose. */
  quotas: {
    /** VT's api_requests_hourly/_daily/_monthly with user and (for group members) group entries; NotFoundError for an unknown id. */
    overall(user: string | Principal): Promise<OverallQuotas>;
    /** Requests per UTC day and endpoint group; start_date/end_date as YYYYMMDD, default the last 30 days. */
    apiUsage(userId: string, startDate?: string, endDate?: string): Promise<ApiUsage>;
  };
  files: {
    /**
     * Receives an upload and submits it. `readForm` reads the request: it calls `receive` for the
     * file part (which streams it into staging while hashing it: AppError PayloadTooLargeError past
     * `maxBytes`, BadRequestError when empty or aborted) and returns the other fields. The file is
     * then stored, the submission recorded and an analysis queued. With a password and a ZIP, the
     * files inside are submitted instead (the first one's analysis is returned) and the ZIP is not
     * kept; see docs/architecture.md. With `private` (needs the private_scanning privilege,
     * ForbiddenError otherwise) the file and its analyses are visible only to the submitter's
     * group, or the submitter without one: NotFoundError for everyone else. Whatever fails, nothing
     * received stays staged: callers never clean up.
     */
    submit(readForm: (receive: ReceiveFile) => Promise<UploadFields>, options: { principal: Principal; maxBytes: number }): Promise<{ analysisId: string }>;
    /** md5, sha1 or sha256; throws InvalidArgumentError for a malformed hash, NotFoundError when unknown. */
    get(hash: string, principal: Principal): Promise<FileObject>;
    reanalyse(hash: string, principal: Principal): Promise<{ analysisId: string }>;
    /** Needs the `download` privilege, which admins hold (ForbiddenError otherwise). */
    download(hash: string, principal: Principal): Promise<{ stream: Readable; size: number; sha256: string }>;
    listAnalyses(hash: string, principal: Principal, options: { limit: number; cursor?: string }): Promise<Page<Analysis>>;
  };
  analyses: {
    /** Throws NotFoundError. `item` is the analysed file or URL, for meta.file_info / meta.url_info and /item. */
    get(id: string, principal: Principal): Promise<{ analysis: Analysis; item: AnalysedItem }>;
  };
  /** URLs (app/urls): ids are a sha256 of the canonical URL or unpadded base64url of the URL; malformed ones InvalidArgumentError. */
  urls: {
    /** InvalidArgumentError for a bad URL (no host, unsupported scheme, over 8 KiB, control characters). */
    submit(url: string, principal: Principal): Promise<{ analysisId: string; urlId: string }>;
    /** NotFoundError when never submitted. */
    get(id: string, principal: Principal): Promise<UrlView>;
    reanalyse(id: string, principal: Principal): Promise<{ analysisId: string; urlId: string }>;
    listAnalyses(id: string, principal: Principal, options: { limit: number; cursor?: string }): Promise<Page<Analysis>>;
    /** The PNG of the last fetch's final page; NotFoundError when there is none. */
    screenshot(id: string, principal: Principal): Promise<{ stream: Readable; size: number }>;
  };
  /**
   * Domains and IP addresses (app/network): `id` as the path gives it (unicode domains are
   * normalised to punycode; invalid names or addresses are InvalidArgumentError). A valid name
   * never seen before is looked up on first request (docs/intel.md), so it is never NotFoundError.
   */
  network: {
    get(type: NetworkObjectType, id: string, principal: Principal): Promise<NetworkView>;
    /** Looks the object up again now, past every cache. */
    refresh(type: NetworkObjectType, id: string, principal: Principal): Promise<NetworkView>;
    /** `<ip><host>`; NotFoundError when never observed. */
    resolution(id: string, principal: Principal): Promise<{ resolution: Resolution; hostStats: Record<string, number> | null; ipStats: Record<string, number> | null }>;
  };
  /** Relationships of URLs, domains and IPs (app/graph); `id` as the path gives it. InvalidArgumentError for an unknown name. */
  graph: {
    list(owner: GraphOwner, id: string, name: string, principal: Principal, page: { limit: number; cursor?: string }): Promise<Page<RelatedObject>>;
  };
  uploads: {
    /** A single-use token for GET /files/upload_url. */
    createToken(principal: Principal): Promise<{ token: string; expiresAt: number }>;
    /** Checks a token without using it (before the body is read); throws NotFoundError when unknown, used or expired. Returns its owner. */
    checkToken(token: string): Promise<Principal>;
    /** Uses a token up, once its upload is received; throws NotFoundError when unknown, used or expired. */
    consumeToken(token: string): Promise<Principal>;
    /** Gives a consumed token back: the upload that took it failed, and the client may retry until it expires. */
    releaseToken(token: string): Promise<void>;
  };
  plugins: {
    list(): PluginStatus[];
    /** Per plugin and outcome, since start (for /metrics). */
    calls(): PluginCallStats[];
  };
  /**
   * Comments and votes (app/community). `collection` and `id` come from the path: files must
   * exist (md5/sha1 accepted, stored by sha256); URL, domain and IP ids only need to be valid.
   * Malformed ids and bad text or verdicts are InvalidArgumentError; unknown files, comments and
   * votes NotFoundError.
   */
  community: {
    listComments(collection: CommunityCollection, id: string, principal: Principal, page: { limit: number; cursor?: string }): Promise<Page<Comment>>;
    addComment(collection: CommunityCollection, id: string, text: string, principal: Principal): Promise<Comment>;
    /** Newest first; `filter` is VT's `tag:<tag>`. */
    latestComments(options: { limit: number; cursor?: string; filter?: string }, principal: Principal): Promise<Page<Comment>>;
    getComment(id: string, principal: Principal): Promise<Comment>;
    /** The author or an admin; ForbiddenError for anyone else. */
    deleteComment(id: string, principal: Principal): Promise<void>;
    /** `positive`, `negative` or `abuse`; replaces the caller's earlier vote on that comment. */
    voteOnComment(id: string, verdict: string, principal: Principal): Promise<CommentVotes>;
    listVotes(collection: CommunityCollection, id: string, principal: Principal, page: { limit: number; cursor?: string }): Promise<Page<Vote>>;
    /** `harmless` or `malicious`; a second vote by the same user on the same item is AlreadyExistsError. */
    addVote(collection: CommunityCollection, id: string, verdict: string, principal: Principal): Promise<Vote>;
    getVote(id: string, principal: Principal): Promise<Vote>;
  };
  health: {
    ready(): boolean;
  };
  /** Writes what the services keep in memory (uncapped quota counts, API usage); once, at shutdown. */
  close(): Promise<void>;
}
