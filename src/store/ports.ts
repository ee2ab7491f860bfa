/**
 * Storage ports: the repositories and blob store the rest of Assay depends on. Adapters (sqlite,
 * postgres, blob-fs) implement them; one contract suite checks every adapter.
 */
import type { Readable } from 'node:stream';
import type { FileHashes, HashKind } from '../core/hashes.js';
import type { AnalysisStats, EngineResult } from '../core/verdict.js';
import type { CommunityItem, CommunityItemType } from '../core/community-ids.js';

export type AnalysisStatus = 'queued' | 'in-progress' | 'completed';

export type AnalysisItemType = 'file' | 'url';

/** What files and URLs have alike: submissions, attributes, tags and their latest completed analysis. */
export interface SubmittedItem {
  timesSubmitted: number;
  /** Unix seconds. */
  firstSubmissionDate: number;
  lastSubmissionDate: number;
  /** Files: analyzer attributes merged over time (magic, ssdeep, type_*...). URLs: the latest fetch's (title, redirection_chain...). */
  attributes: Record<string, unknown>;
  tags: string[];
  lastAnalysisId: string | null;
  lastAnalysisDate: number | null;
  lastAnalysisResults: EngineResult[] | null;
  lastAnalysisStats: AnalysisStats | null;
}

export interface FileRecord extends FileHashes, SubmittedItem {
  size: number;
  names: string[];
  reputation: number;
  totalVotes: { harmless: number; malicious: number };
}

export interface AnalysisRecord {
  id: string;
  itemType: AnalysisItemType;
  /** sha256 of the file, or the URL id (sha256 of the canonical URL). */
  itemId: string;
  status: AnalysisStatus;
  /** Unix seconds of submission. */
  date: number;
  results: EngineResult[];
  stats: AnalysisStats;
  /** Unix seconds of completion. */
  completedAt: number | null;
}

export interface FileSubmission extends FileHashes {
  size: number;
  /** File name given by the submitter, if any. */
  name?: string;
  /** Unix seconds. */
  at: number;
}

export interface FileAnalysisOutcome {
  analysisId: string;
  sha256: string;
  results: EngineResult[];
  stats: AnalysisStats;
  /** Attributes to merge into the file object (later keys replace earlier ones). */
  attributes: Record<string, unknown>;
  tags: string[];
  /** Unix seconds. */
  at: number;
}

export interface Page<T> {
  items: T[];
  /** Opaque cursor for the next page; absent on the last page. */
  cursor?: string;
}

export interface FileRepository {
  /** Inserts the file, or bumps times_submitted, last_submission_date and adds the name. */
  recordSubmission(submission: FileSubmission): Promise<FileRecord>;
  findByHash(kind: HashKind, value: string): Promise<FileRecord | undefined>;
}

export interface AnalysisRepository {
  create(analysis: { id: string; itemType: AnalysisItemType; itemId: string; date: number }): Promise<AnalysisRecord>;
  get(id: string): Promise<AnalysisRecord | undefined>;
  /** queued -> in-progress; no-op when already in progress or completed. */
  markInProgress(id: string): Promise<void>;
  /**
   * Atomically completes the analysis and updates the file's last_analysis_* and attributes.
   * Returns false, changing nothing, when the analysis was already completed.
   */
  completeFileAnalysis(outcome: FileAnalysisOutcome): Promise<boolean>;
  /** The same for a URL analysis: completes it and updates the URL's last_analysis_*, attributes and tags. */
  completeUrlAnalysis(outcome: UrlAnalysisOutcome): Promise<boolean>;
  /** Analyses of one item, newest first. */
  listForItem(itemId: string, options: { limit: number; cursor?: string }): Promise<Page<AnalysisRecord>>;
  /** Analyses not yet completed, oldest first (start-up reconciliation). */
  listUnfinished(limit: number): Promise<AnalysisRecord[]>;
}

/** Per-window request limits that replace the tier's; an absent window keeps the tier's limit. */
export interface QuotaOverrides {
  requestsPerMinute?: number;
  requestsPerDay?: number;
  requestsPerMonth?: number;
}

export interface UserRecord {
  id: string;
  name: string;
  isAdmin: boolean;
  tier: string;
  active: boolean;
  /** Unix seconds. */
  createdAt: number;
  /** Privileges granted to this user directly; the tier and admin rights add more (app/accounts). */
  privileges: string[];
  /** The one group the user belongs to, if any. */
  groupId: string | null;
  /** Unix seconds of the last authentication, recorded at most once a minute. */
  lastLogin: number | null;
  email: string | null;
  quotaOverrides: QuotaOverrides;
}

/** What creating a user needs; the rest defaults to none (no privileges, group, login, email or overrides). */
export type NewUser = Pick<UserRecord, 'id' | 'name' | 'isAdmin' | 'tier' | 'active' | 'createdAt'> &
  Partial<Pick<UserRecord, 'privileges' | 'groupId' | 'email' | 'quotaOverrides'>>;

/** Fields an update may set; privileges change through changePrivileges, logins through recordLogin. */
export type UserUpdate = Partial<Pick<UserRecord, 'isAdmin' | 'tier' | 'active' | 'groupId' | 'email' | 'quotaOverrides'>>;

export interface ApiKeyRecord {
  /** Public id (`k_` + 8 hex) shown in lists and used to revoke or rotate; not a secret. */
  keyId: string;
  /** sha256 hex of the key; the key itself is never stored. */
  keyHash: string;
  userId: string;
  label: string | null;
  createdAt: number;
  revokedAt: number | null;
  /** Unix seconds, coarse: recorded at most once a minute. */
  lastUsedAt: number | null;
}

/** What creating a key needs; without keyId the repository picks a free one. */
export type NewApiKey = Pick<ApiKeyRecord, 'keyHash' | 'userId' | 'createdAt' | 'revokedAt'> & Partial<Pick<ApiKeyRecord, 'keyId' | 'label'>>;

export interface GroupRecord {
  id: string;
  name: string;
  quotaOverrides: QuotaOverrides;
  /** Unix seconds. */
  createdAt: number;
}

export interface UserRepository {
  create(user: NewUser): Promise<UserRecord>;
  get(id: string): Promise<UserRecord | undefined>;
  findByName(name: string): Promise<UserRecord | undefined>;
  /** Users by id, with an opaque cursor. */
  list(options: { limit: number; cursor?: string }): Promise<Page<UserRecord>>;
  /** Sets the given fields; undefined when the user is unknown. */
  update(id: string, update: UserUpdate): Promise<UserRecord | undefined>;
  /** Adds and removes privileges in one atomic step (concurrent changes are not lost); undefined when unknown. */
  changePrivileges(id: string, change: { grant?: readonly string[]; revoke?: readonly string[] }): Promise<UserRecord | undefined>;
  /** Sets last_login to `at` unless one was recorded less than `minIntervalSeconds` before. */
  recordLogin(id: string, at: number, minIntervalSeconds: number): Promise<void>;
  /** Members of a group, by id. */
  listByGroup(groupId: string): Promise<UserRecord[]>;
  countByGroup(groupId: string): Promise<number>;
}

export interface ApiKeyRepository {
  create(key: NewApiKey): Promise<ApiKeyRecord>;
  findByHash(keyHash: string): Promise<ApiKeyRecord | undefined>;
  get(keyId: string): Promise<ApiKeyRecord | undefined>;
  /** A user's keys, revoked ones included, oldest first. */
  listForUser(userId: string): Promise<ApiKeyRecord[]>;
  /** Sets revoked_at once (a revoked key keeps its first date); undefined when unknown. */
  revoke(keyId: string, at: number): Promise<ApiKeyRecord | undefined>;
  /**
   * In one transaction: revokes the active key `keyId` and creates `replacement` for the same user
   * (the label carries over unless given). Undefined, changing nothing, when the key is unknown or revoked.
   */
  rotate(keyId: string, replacement: Omit<NewApiKey, 'userId' | 'revokedAt'>): Promise<ApiKeyRecord | undefined>;
  /** Sets last_used_at to `at` unless it was set less than `minIntervalSeconds` before. */
  recordUse(keyId: string, at: number, minIntervalSeconds: number): Promise<void>;
}

/**
 * Who may see privately submitted files and analyses (private scanning). Owners are `user:<id>` or
 * `group:<id>`; `*` is everyone.
 */
export interface AccessRepository {
  /** Lets `owner` see the file (again: no change). Recorded before the submission, so a private file is never briefly public. */
  grantFile(sha256: string, owner: string): Promise<void>;
  /** Who may see the file; empty for a file recorded before private scanning existed, which is public. */
  fileOwners(sha256: string): Promise<string[]>;
  /** Makes an analysis private to `owner`; recorded before the analysis itself. */
  setAnalysisOwner(analysisId: string, owner: string): Promise<void>;
  /** The owner of a private analysis; undefined for a public one. */
  analysisOwner(analysisId: string): Promise<string | undefined>;
}

export interface GroupRepository {
  create(group: GroupRecord): Promise<GroupRecord>;
  get(id: string): Promise<GroupRecord | undefined>;
  /** All groups by id. */
  list(): Promise<GroupRecord[]>;
  /** Replaces the group's overrides; undefined when unknown. */
  setQuotaOverrides(id: string, overrides: QuotaOverrides): Promise<GroupRecord | undefined>;
}

/** Single-use upload URLs (GET /files/upload_url). */
export interface UploadTokenRepository {
  create(token: { tokenHash: string; userId: string; expiresAt: number }): Promise<void>;
  /** The token's user while it is unused and unexpired, without using it; undefined otherwise. */
  find(tokenHash: string, now: number): Promise<{ userId: string } | undefined>;
  /** Marks the token used and returns its user; undefined when unknown, used or expired. */
  consume(tokenHash: string, now: number): Promise<{ userId: string } | undefined>;
  /** Makes a consumed token usable again: the upload that took it failed. */
  release(tokenHash: string): Promise<void>;
}

/** One quota counter to check and bump. */
export interface QuotaCheck {
  key: string;
  /** The count the counter may reach; null counts without limiting. */
  limit: number | null;
  /** Unix seconds at which the counter resets to zero (the end of its window). */
  expiresAt: number;
  /** How much to add (default 1): uncapped counters are counted in memory and added in batches (app/quotas). */
  by?: number;
}

export type QuotaAdmission =
  /** Every counter was bumped; `counts` are their values afterwards, in check order. */
  | { admitted: true; counts: number[] }
  /** Nothing was bumped: `exhausted` is the index of the first check at its limit, `count` its value. */
  | { admitted: false; exhausted: number; count: number };

/**
 * Quota counters and API usage, kept apart from the rest of the store so Redis can hold them for
 * several servers. Time is passed in (Unix seconds) so adapters never read a clock of their own.
 */
export interface QuotaCounters {
  /**
   * All or nothing, atomically: when every counter is below its limit, bumps them all; otherwise
   * bumps none. A counter whose expiresAt is at or before `now` counts from zero again.
   */
  admit(checks: readonly QuotaCheck[], now: number): Promise<QuotaAdmission>;
  /** Current values, in key order; 0 for a counter that is absent or expired at `now`. */
  read(keys: readonly string[], now: number): Promise<number[]>;
  /** Adds `count` (default 1) requests of `userId` on UTC day `day` (YYYY-MM-DD) to endpoint group `group`. */
  recordUsage(userId: string, day: string, group: string, count?: number): Promise<void>;
  /** Requests per day and endpoint group, days fromDay..toDay inclusive; days without any are absent. */
  usage(userId: string, fromDay: string, toDay: string): Promise<Record<string, Record<string, number>>>;
}

/** Counts of a comment's votes by its readers. */
export interface CommentVotes {
  positive: number;
  negative: number;
  abuse: number;
}

export type CommentVerdict = keyof CommentVotes;

export interface CommentRecord {
  /** `f-<sha256>-<8 hex>`, `u-…`, `d-…`, `i-…` (core/community-ids.ts). */
  id: string;
  itemType: CommunityItemType;
  /** Canonical id of the item: sha256, URL id, domain or IP. */
  itemId: string;
  authorId: string;
  /** Unix seconds. */
  date: number;
  /** Exactly as submitted; rendering (html) happens on the way out. */
  text: string;
  tags: string[];
  votes: CommentVotes;
}

export type NewComment = Omit<CommentRecord, 'votes'>;

export type VoteVerdict = 'harmless' | 'malicious';

export interface VoteRecord {
  id: string;
  itemType: CommunityItemType;
  itemId: string;
  userId: string;
  verdict: VoteVerdict;
  /** +1 (harmless) or -1 (malicious): what the vote adds to the item's reputation. */
  value: number;
  /** Unix seconds. */
  date: number;
}

/** An item's vote totals and the reputation they add up to. */
export interface VoteTotals {
  harmless: number;
  malicious: number;
  reputation: number;
}

export interface CommentRepository {
  /** Stores the comment and its tags; AlreadyExistsError if the id is taken. */
  create(comment: NewComment): Promise<CommentRecord>;
  get(id: string): Promise<CommentRecord | undefined>;
  /** Removes the comment with its tags and votes; false when it did not exist. */
  delete(id: string): Promise<boolean>;
  /** Comments on one item, newest first. */
  listForItem(item: CommunityItem, options: { limit: number; cursor?: string }): Promise<Page<CommentRecord>>;
  /** All comments, newest first; with `tag`, only those carrying it. */
  listLatest(options: { limit: number; cursor?: string; tag?: string }): Promise<Page<CommentRecord>>;
  /**
   * Records `userId`'s verdict on the comment, replacing their earlier one, and returns the
   * comment's counts afterwards, all in one transaction; undefined when the comment does not exist.
   */
  vote(commentId: string, userId: string, verdict: CommentVerdict, at: number): Promise<CommentVotes | undefined>;
}

export interface VoteRepository {
  /**
   * In one transaction: stores the vote and adds it to the item's totals and reputation (a file's
   * on its files row, other items' in vote_totals). A second vote of one user on one item is
   * AlreadyExistsError, decided by a unique constraint; a file not recorded is NotFoundError.
   */
  cast(vote: VoteRecord): Promise<VoteRecord>;
  get(id: string): Promise<VoteRecord | undefined>;
  /** Votes on one item, newest first. */
  listForItem(item: CommunityItem, options: { limit: number; cursor?: string }): Promise<Page<VoteRecord>>;
  /** The item's totals; zeros for an item nobody voted on (or a file not recorded). */
  totals(item: CommunityItem): Promise<VoteTotals>;
}

/** Record families whose changes caches follow: users, keys and groups; files and who may see them. */
export type ChangeScope = 'accounts' | 'files';

export interface Store {
  readonly dialect: 'sqlite' | 'postgres';
  readonly files: FileRepository;
  readonly analyses: AnalysisRepository;
  readonly users: UserRepository;
  readonly apiKeys: ApiKeyRepository;
  readonly groups: GroupRepository;
  readonly access: AccessRepository;
  readonly uploadTokens: UploadTokenRepository;
  /** The embedded quota counters; bootstrap uses Redis's instead when ASSAY_REDIS_URL is set. */
  readonly quotaCounters: QuotaCounters;
  readonly comments: CommentRepository;
  readonly votes: VoteRepository;
  readonly urls: UrlRepository;
  readonly networkObjects: NetworkObjectRepository;
  readonly relations: RelationRepository;
  readonly resolutions: ResolutionRepository;
  readonly history: HistoryRepository;
  readonly intelCache: IntelCacheRepository;
  readonly feeds: FeedRepository;
  readonly popularity: PopularityRepository;
  /**
   * A value that changes whenever the records of `scope` may have changed: written by this process,
   * or by any other connection (another process: the CLI, a worker). Caches of this process keep
   * what they read while it stays the same. Undefined where the adapter cannot tell cheaply
   * (PostgreSQL, shared by many servers): caches then fall back to a TTL, or do not cache.
   */
  changeMarker(scope: ChangeScope): string | undefined;
  /** Applies pending forward-only migrations; returns the names applied. */
  migrate(): Promise<string[]>;
  close(): Promise<void>;
}

/** A URL; its vote totals live in the community tables (vote_totals) and the app adds them when rendering. */
export interface UrlRecord extends SubmittedItem {
  /** sha256 hex of the canonical URL. */
  id: string;
  /** As first submitted (VT's `url`). */
  url: string;
  canonicalUrl: string;
}

export interface UrlSubmission {
  id: string;
  url: string;
  canonicalUrl: string;
  /** Unix seconds. */
  at: number;
}

export interface UrlAnalysisOutcome {
  analysisId: string;
  urlId: string;
  results: EngineResult[];
  stats: AnalysisStats;
  /** Replaces the URL's attributes from the previous analysis (a fetch describes one moment). */
  attributes: Record<string, unknown>;
  tags: string[];
  at: number;
}

export interface UrlRepository {
  /** Inserts the URL, or bumps times_submitted and last_submission_date (url keeps the first form). */
  recordSubmission(submission: UrlSubmission): Promise<UrlRecord>;
  get(id: string): Promise<UrlRecord | undefined>;
}

export type NetworkObjectType = 'domain' | 'ip_address';

/** A domain or IP address object: what intel sources found, merged per source. */
export interface NetworkObjectRecord {
  type: NetworkObjectType;
  /** Lower-case punycode domain, or canonical IP text. */
  id: string;
  /** VT attributes (last_dns_records, whois, asn, last_https_certificate, last_analysis_*...). */
  attributes: Record<string, unknown>;
  tags: string[];
  /** Unix seconds: when Assay first saw it, and when its attributes last changed. */
  firstSeenDate: number;
  lastModificationDate: number;
}

export interface NetworkObjectRepository {
  get(type: NetworkObjectType, id: string): Promise<NetworkObjectRecord | undefined>;
  /**
   * Creates the object if absent and merges `attributes` over its stored ones (top-level keys
   * replace), in one statement or transaction so concurrent merges of different keys are not lost.
   */
  merge(type: NetworkObjectType, id: string, attributes: Record<string, unknown>, at: number): Promise<NetworkObjectRecord>;
  /**
   * Objects of this type whose id ends with `.${suffix}` (subdomains, siblings), ordered by their
   * labels read right to left (`a.b.example.com` after `b.example.com`): the order the index keeps.
   */
  listBySuffix(type: NetworkObjectType, suffix: string, options: { limit: number; cursor?: string }): Promise<Page<NetworkObjectRecord>>;
}

/** Object types a relation can point between (VT type names). */
export type RelatedType = 'file' | 'url' | 'domain' | 'ip_address';

/** One edge of the relationship graph: `from` has `name` pointing at `to`. */
export interface RelationEdge {
  fromType: RelatedType;
  fromId: string;
  name: string;
  toType: RelatedType;
  toId: string;
  /** Unix seconds. */
  firstSeen: number;
  lastSeen: number;
  /** What recorded it, e.g. `url-fetch`, `dns`. */
  source: string;
}

export interface RelationRepository {
  /** Inserts edges, or moves last_seen forward on ones already there (first_seen and source stay). */
  upsert(edges: ReadonlyArray<Omit<RelationEdge, 'firstSeen' | 'lastSeen'> & { at: number }>): Promise<void>;
  /** Edges from one object under one name, most recently seen first. */
  list(from: { type: RelatedType; id: string }, name: string, options: { limit: number; cursor?: string }): Promise<Page<RelationEdge>>;
}

export interface ResolutionRecord {
  /** `<ip><host>`, VT's resolution id. */
  id: string;
  ipAddress: string;
  hostName: string;
  resolver: string;
  /** Unix seconds: first and last time this pairing was observed (VT's `date` is the last). */
  firstSeen: number;
  lastSeen: number;
}

export interface ResolutionRepository {
  /** Records observations: inserts new pairings, moves last_seen (and resolver) forward on known ones. */
  record(observations: ReadonlyArray<{ ipAddress: string; hostName: string; resolver: string; at: number }>): Promise<void>;
  get(id: string): Promise<ResolutionRecord | undefined>;
  /** Newest (last_seen) first. */
  listForHost(hostName: string, options: { limit: number; cursor?: string }): Promise<Page<ResolutionRecord>>;
  listForIp(ipAddress: string, options: { limit: number; cursor?: string }): Promise<Page<ResolutionRecord>>;
}

export type HistoryKind = 'whois' | 'ssl_cert';

/** A past WHOIS record or certificate of a domain or IP, kept when it changed. */
export interface HistoryRecord {
  /** whois: sha256 of the content; ssl_cert: the certificate's sha256 thumbprint. */
  id: string;
  kind: HistoryKind;
  itemType: NetworkObjectType;
  itemId: string;
  /** The whois object's attributes, or the certificate dict (vt-api-v3 8.5). */
  content: Record<string, unknown>;
  /** Unix seconds first and last seen with this content. */
  firstSeen: number;
  lastSeen: number;
}

export interface HistoryRepository {
  /** Adds the content when it differs from every earlier one of the item (by id), else moves last_seen; true when added. */
  record(entry: Omit<HistoryRecord, 'firstSeen' | 'lastSeen'> & { at: number }): Promise<boolean>;
  /** Newest first (last_seen). */
  list(kind: HistoryKind, item: { type: NetworkObjectType; id: string }, options: { limit: number; cursor?: string }): Promise<Page<HistoryRecord>>;
}

/** Intel answers shared by every process (the TTL cache of app/intel). */
export interface IntelCacheEntry {
  value: unknown;
  /** Unix milliseconds. */
  fetchedAt: number;
  expiresAt: number;
}

export interface IntelCacheRepository {
  get(source: string, key: string): Promise<IntelCacheEntry | undefined>;
  put(source: string, key: string, entry: IntelCacheEntry): Promise<void>;
  /**
   * Takes one token from the source's budget of `perMinute` requests in the current UTC minute,
   * shared by every process; false when the budget is spent.
   */
  takeBudget(source: string, perMinute: number, nowMs: number): Promise<boolean>;
}

export interface FeedInfo {
  /** The engine name in last_analysis_results, e.g. `URLhaus`, `OpenPhish`, or the user's name for a plain list. */
  name: string;
  format: string;
  entries: number;
  /** Unix seconds: when imported, and the feed's own date (the newest entry's date, else import time). */
  importedAt: number;
  feedDate: number;
  /** Where it came from (path or URL), for scheduled refreshes. */
  source: string | null;
}

export interface FeedEntry {
  /** sha256 of the canonical URL; empty for a host-only entry. */
  urlId: string;
  /** Lower-case punycode host, for domain and IP reports. */
  host: string;
  /** The feed's label for it (URLhaus threat, PhishTank target...) or null. */
  threat: string | null;
  /** Unix seconds, when the feed gives one. */
  addedAt: number | null;
}

export interface FeedRepository {
  /**
   * Replaces the feed's entries with `entries` in one transaction (readers see the old set or the
   * new one, never a mix) and records its info; returns the count stored (duplicates collapse).
   */
  replace(info: Omit<FeedInfo, 'entries'>, entries: AsyncIterable<FeedEntry[]>): Promise<number>;
  list(): Promise<FeedInfo[]>;
  /** Per feed that lists the URL id: its entry. */
  findUrl(urlId: string): Promise<Array<{ feed: string; entry: FeedEntry }>>;
  /** Per feed that lists any URL on the host: the first such entry and how many. */
  findHost(host: string): Promise<Array<{ feed: string; entry: FeedEntry; count: number }>>;
}

export interface PopularityRepository {
  /** Replaces one source's ranks (e.g. `Tranco`) in one transaction; returns the count. */
  replace(source: string, date: number, ranks: AsyncIterable<Array<{ domain: string; rank: number }>>): Promise<number>;
  /** VT's popularity_ranks: {source: {rank, timestamp}}. */
  ranksOf(domain: string): Promise<Record<string, { rank: number; timestamp: number }>>;
}

/** A file being written into the blob store before its hash is known. */
export interface StagedBlob {
  /** Local path to write to. */
  path: string;
}

/** Content-addressed sample storage, keyed by sha256. */
export interface BlobStore {
  /** A fresh staging file on the same file system as the store (so commit is a rename). */
  stage(): Promise<StagedBlob>;
  /** Moves a staged file into place under its sha256; if present already, drops the staged copy. */
  commit(staged: StagedBlob, sha256: string): Promise<void>;
  /** Removes a staged file (failed or refused upload). Never throws for a missing file. */
  discard(staged: StagedBlob): Promise<void>;
  has(sha256: string): Promise<boolean>;
  /** A local path for plugins to read, and a release function for adapters that copy (S3). */
  acquireLocal(sha256: string): Promise<{ path: string; release(): Promise<void> }>;
  openRead(sha256: string): Promise<{ stream: Readable; size: number }>;
}
