/**
 * The aggregate storage port: every repository of one database, its change markers, migrations and
 * lifecycle. Adapters (SQLite, PostgreSQL) implement it; one contract suite checks every adapter.
 */
import type { AccessRepository, ApiKeyRepository, GroupRepository, UploadTokenRepository, UserRepository } from './account-repositories.js';
import type { AnalysisRepository } from './analysis-repository.js';
import type { CommentRepository, VoteRepository } from './community-repositories.js';
import type { HashListRepository } from './hash-list-repository.js';
import type { FeedRepository } from './feed-repository.js';
import type { FileRepository } from './file-repository.js';
import type { IntelCacheRepository } from './intel-cache-repository.js';
import type { HistoryRepository, NetworkObjectRepository, ResolutionRepository } from './network-repositories.js';
import type { PopularityRepository } from './popularity-repository.js';
import type { QuotaCounters } from './quota-counters.js';
import type { RelationRepository } from './relation-repository.js';
import type { RetentionRepository } from './retention-repository.js';
import type { SubmissionRepository } from './submission-repository.js';
import type { UrlRepository } from './url-repository.js';

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
  /** Every accepted file submission (the `submissions` relationship). */
  readonly submissions: SubmissionRepository;
  readonly resolutions: ResolutionRepository;
  readonly history: HistoryRepository;
  readonly intelCache: IntelCacheRepository;
  readonly feeds: FeedRepository;
  readonly hashLists: HashListRepository;
  readonly popularity: PopularityRepository;
  /** Purges of tables that grow with traffic (app/retention). */
  readonly retention: RetentionRepository;
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
