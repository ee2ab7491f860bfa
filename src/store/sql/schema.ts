/** The SQL schema as Kysely sees it: one typed row per table, shared by the SQLite and PostgreSQL adapters. */

/**
 * JSON columns hold JSON text in both dialects, so one codec reads them everywhere. Dates are
 * integers: Unix seconds for domain rows, milliseconds for the jobs table (leases need sub-second).
 */
type JsonText = string;

/** The columns files and URLs share (core/model SubmittedItem; codec.ts reads and writes them). */
export interface SubmittedItemColumns {
  times_submitted: number;
  first_submission_date: number;
  last_submission_date: number;
  attributes: JsonText;
  tags: JsonText;
  last_analysis_id: string | null;
  last_analysis_date: number | null;
  last_analysis_results: JsonText | null;
  last_analysis_stats: JsonText | null;
}

export interface FilesTable extends SubmittedItemColumns {
  sha256: string;
  sha1: string;
  md5: string;
  size: number;
  /** JSON array of distinct submitted names. */
  names: JsonText;
  reputation: number;
  total_votes: JsonText;
}

export interface AnalysesTable {
  id: string;
  item_type: 'file' | 'url';
  item_id: string;
  status: 'queued' | 'in-progress' | 'completed';
  date: number;
  results: JsonText;
  stats: JsonText;
  completed_at: number | null;
}

export interface UsersTable {
  id: string;
  name: string;
  /** 0 or 1: an integer in both dialects so one query binds it. */
  is_admin: number;
  tier: string;
  active: number;
  created_at: number;
  /** JSON array of privilege names granted directly. */
  privileges: JsonText;
  group_id: string | null;
  last_login: number | null;
  email: string | null;
  /** JSON object: requestsPerMinute, requestsPerDay, requestsPerMonth, each optional. */
  quota_overrides: JsonText;
}

export interface GroupsTable {
  id: string;
  name: string;
  quota_overrides: JsonText;
  created_at: number;
}

export interface FileAccessTable {
  sha256: string;
  /** `*`, `user:<id>` or `group:<id>`. */
  owner: string;
}

/** Private submissions of a file, counted per owner (0007); the files row counts the public ones. */
export interface FileSubmissionsTable {
  sha256: string;
  owner: string;
  times_submitted: number;
  first_submission_date: number;
  last_submission_date: number;
}

export interface AnalysisOwnersTable {
  analysis_id: string;
  owner: string;
}

export interface ApiKeysTable {
  key_hash: string;
  /** Public id, `k_` + 8 hex. */
  key_id: string;
  user_id: string;
  label: string | null;
  created_at: number;
  revoked_at: number | null;
  last_used_at: number | null;
}

export interface UploadTokensTable {
  token_hash: string;
  user_id: string;
  expires_at: number;
  used_at: number | null;
}

export interface QuotaCountersTable {
  counter_key: string;
  count: number;
  /** Unix seconds; at or past it the counter reads as zero. */
  expires_at: number;
}

export interface ApiUsageTable {
  user_id: string;
  /** UTC day, YYYY-MM-DD. */
  day: string;
  endpoint_group: string;
  count: number;
}

export interface CommentsTable {
  id: string;
  item_type: 'file' | 'url' | 'domain' | 'ip_address';
  item_id: string;
  author_id: string;
  date: number;
  text: string;
  /** JSON array of the comment's hashtags. */
  tags: JsonText;
  positive: number;
  negative: number;
  abuse: number;
  /** `*`, or the private scope it was written under (0007). */
  visibility: string;
}

/** One row per tag of a comment, for `filter=tag:`; date copied so a tag's comments page by date. */
export interface CommentTagsTable {
  comment_id: string;
  tag: string;
  date: number;
}

export interface CommentVotesTable {
  comment_id: string;
  user_id: string;
  verdict: 'positive' | 'negative' | 'abuse';
  date: number;
}

export interface VotesTable {
  id: string;
  item_type: 'file' | 'url' | 'domain' | 'ip_address';
  item_id: string;
  user_id: string;
  verdict: 'harmless' | 'malicious';
  value: number;
  date: number;
  /** `*`, or the private scope it was cast under (0007); only `*` votes are in the files row's totals. */
  visibility: string;
}

/** Vote totals of URLs, domains and IPs (files keep theirs on the files row). */
export interface VoteTotalsTable {
  item_type: 'url' | 'domain' | 'ip_address';
  item_id: string;
  harmless: number;
  malicious: number;
  reputation: number;
}

export interface UrlsTable extends SubmittedItemColumns {
  /** sha256 hex of the canonical URL. */
  id: string;
  url: string;
  canonical_url: string;
}

export interface NetworkObjectsTable {
  type: 'domain' | 'ip_address';
  id: string;
  /** The id's labels in reverse order (`com.example.www`): subdomains are one prefix range. */
  reversed_id: string;
  attributes: JsonText;
  tags: JsonText;
  first_seen_date: number;
  last_modification_date: number;
}

export interface RelationsTable {
  from_type: 'file' | 'url' | 'domain' | 'ip_address';
  from_id: string;
  name: string;
  to_type: 'file' | 'url' | 'domain' | 'ip_address';
  to_id: string;
  first_seen: number;
  last_seen: number;
  source: string;
}

export interface SubmissionsTable {
  id: string;
  sha256: string;
  date: number;
  interface: string;
  name: string | null;
  source_key: string | null;
  owner: string;
}

export interface ResolutionsTable {
  /** `<ip><host>`. */
  id: string;
  ip_address: string;
  host_name: string;
  resolver: string;
  first_seen: number;
  last_seen: number;
}

export interface HistoryTable {
  kind: 'whois' | 'ssl_cert';
  item_type: 'domain' | 'ip_address';
  item_id: string;
  id: string;
  content: JsonText;
  first_seen: number;
  last_seen: number;
}

/** Dates in milliseconds. */
export interface IntelCacheTable {
  source: string;
  key: string;
  value: JsonText;
  fetched_at: number;
  expires_at: number;
}

export interface IntelBudgetTable {
  source: string;
  /** Unix milliseconds / 60 000, rounded down: the UTC minute the count belongs to. */
  minute: number;
  used: number;
}

export interface FeedsTable {
  name: string;
  format: string;
  entries: number;
  imported_at: number;
  feed_date: number;
  source: string | null;
  /** The `feed_entries.feed` value of the current generation of entries (0006). */
  entries_key: string | null;
}

export interface FeedEntriesTable {
  feed: string;
  /** Empty for a host-only entry. */
  url_id: string;
  host: string;
  threat: string | null;
  added_at: number | null;
}

export interface HashListsTable {
  name: string;
  kind: string;
  format: string;
  entries: number;
  imported_at: number;
  source: string | null;
  /** The `hash_list_entries.list` value of the current generation of entries. */
  entries_key: string;
}

export interface HashListEntriesTable {
  list: string;
  hash: string;
  label: string | null;
}

export interface PopularityRanksTable {
  source: string;
  domain: string;
  rank: number;
  /** Unix seconds of the list. */
  date: number;
}

export type JobStatus = 'pending' | 'running' | 'done' | 'failed';

export interface JobsTable {
  id: string;
  kind: string;
  payload: JsonText;
  status: JobStatus;
  attempts: number;
  lease_owner: string | null;
  /** Milliseconds. */
  lease_until: number | null;
  /** Milliseconds; a pending job is not claimed before this. */
  run_after: number;
  last_error: string | null;
  /** Milliseconds. */
  created_at: number;
  /** Milliseconds; set when the job is done or has failed for good (0008), for retention. */
  finished_at: number | null;
  /** 0 runs first (interactive uploads); higher numbers wait for it (queue.ts JobPriority). */
  priority: number;
}

export interface Database {
  files: FilesTable;
  analyses: AnalysesTable;
  users: UsersTable;
  api_keys: ApiKeysTable;
  groups: GroupsTable;
  file_access: FileAccessTable;
  file_submissions: FileSubmissionsTable;
  analysis_owners: AnalysisOwnersTable;
  upload_tokens: UploadTokensTable;
  jobs: JobsTable;
  comments: CommentsTable;
  comment_tags: CommentTagsTable;
  comment_votes: CommentVotesTable;
  votes: VotesTable;
  vote_totals: VoteTotalsTable;
  quota_counters: QuotaCountersTable;
  api_usage: ApiUsageTable;
  urls: UrlsTable;
  network_objects: NetworkObjectsTable;
  relations: RelationsTable;
  submissions: SubmissionsTable;
  resolutions: ResolutionsTable;
  history: HistoryTable;
  intel_cache: IntelCacheTable;
  intel_budget: IntelBudgetTable;
  feeds: FeedsTable;
  feed_entries: FeedEntriesTable;
  hash_lists: HashListsTable;
  hash_list_entries: HashListEntriesTable;
  popularity_ranks: PopularityRanksTable;
}

export type SqlDialect = 'sqlite' | 'postgres';
