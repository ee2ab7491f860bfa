/**
 * The Store port over Kysely: one implementation for SQLite and PostgreSQL. The adapters in
 * sqlite/ and postgres/ only open a connection and hand it here.
 */
import { Migrator, type Kysely, type Migration, type MigrationProvider } from 'kysely';
import type { ChangeScope, Store } from '../ports/store.js';
import { migrationsFor } from '../migrations/index.js';
import { SqlAccessRepository, SqlApiKeyRepository, SqlGroupRepository, SqlUploadTokenRepository, SqlUserRepository } from './account-repositories.js';
import { SqlAnalysisRepository } from './analysis-repository.js';
import { SqlCommentRepository, SqlVoteRepository } from './community-repositories.js';
import { SqlHashListRepository } from './hash-list-repository.js';
import { SqlFeedRepository } from './feed-repository.js';
import { SqlFileRepository } from './file-repository.js';
import { SqlHistoryRepository } from './history-repository.js';
import { SqlIntelCacheRepository } from './intel-cache-repository.js';
import { SqlNetworkObjectRepository } from './network-object-repository.js';
import { SqlPopularityRepository } from './popularity-repository.js';
import { SqlQuotaCounters } from './quota-counters.js';
import { SqlRelationRepository } from './relation-repository.js';
import { SqlSubmissionRepository } from './submission-repository.js';
import { SqlResolutionRepository } from './resolution-repository.js';
import { SqlRetentionRepository } from './retention-repository.js';
import { SqlUrlRepository } from './url-repository.js';
import type { Database, SqlDialect } from './schema.js';

/** What an SQL adapter opens: the store, and the same Kysely instance for the job queue to share. */
export interface SqlBackend {
  store: Store;
  db: Kysely<Database>;
  dialect: SqlDialect;
}

/** Migrations compiled into the build, so `dist/` needs no migration folder on disk. */
class StaticMigrationProvider implements MigrationProvider {
  constructor(private readonly migrations: Record<string, Migration>) {}

  async getMigrations(): Promise<Record<string, Migration>> {
    return this.migrations;
  }
}

export class SqlStore implements Store {
  readonly files: SqlFileRepository;
  readonly analyses: SqlAnalysisRepository;
  readonly users: SqlUserRepository;
  readonly apiKeys: SqlApiKeyRepository;
  readonly groups: SqlGroupRepository;
  readonly access: SqlAccessRepository;
  readonly uploadTokens: SqlUploadTokenRepository;
  readonly quotaCounters: SqlQuotaCounters;
  readonly comments: SqlCommentRepository;
  readonly votes: SqlVoteRepository;
  readonly urls: SqlUrlRepository;
  readonly networkObjects: SqlNetworkObjectRepository;
  readonly relations: SqlRelationRepository;
  readonly submissions: SqlSubmissionRepository;
  readonly resolutions: SqlResolutionRepository;
  readonly history: SqlHistoryRepository;
  readonly intelCache: SqlIntelCacheRepository;
  readonly feeds: SqlFeedRepository;
  readonly hashLists: SqlHashListRepository;
  readonly popularity: SqlPopularityRepository;
  readonly retention: SqlRetentionRepository;

  constructor(
    private readonly db: Kysely<Database>,
    readonly dialect: SqlDialect,
    /** SQLite: data_version and this process's writes (open-sqlite.ts); none on PostgreSQL. */
    private readonly readChangeMarker?: (scope: ChangeScope) => string,
  ) {
    this.files = new SqlFileRepository(db);
    this.analyses = new SqlAnalysisRepository(db);
    this.users = new SqlUserRepository(db);
    this.apiKeys = new SqlApiKeyRepository(db);
    this.groups = new SqlGroupRepository(db);
    this.access = new SqlAccessRepository(db);
    this.uploadTokens = new SqlUploadTokenRepository(db);
    this.quotaCounters = new SqlQuotaCounters(db, dialect);
    this.comments = new SqlCommentRepository(db);
    this.votes = new SqlVoteRepository(db);
    this.urls = new SqlUrlRepository(db);
    this.networkObjects = new SqlNetworkObjectRepository(db);
    this.relations = new SqlRelationRepository(db);
    this.submissions = new SqlSubmissionRepository(db);
    this.resolutions = new SqlResolutionRepository(db);
    this.history = new SqlHistoryRepository(db);
    this.intelCache = new SqlIntelCacheRepository(db);
    this.feeds = new SqlFeedRepository(db);
    this.hashLists = new SqlHashListRepository(db);
    this.popularity = new SqlPopularityRepository(db);
    this.retention = new SqlRetentionRepository(db);
  }

  changeMarker(scope: ChangeScope): string | undefined {
    return this.readChangeMarker?.(scope);
  }

  /**
   * Concurrent callers (server and CLI at once) are serialised by the dialect: PostgreSQL through
   * Kysely's advisory lock, SQLite through the IMMEDIATE transaction the SQLite adapter opens.
   */
  async migrate(): Promise<string[]> {
    const migrator = new Migrator({ db: this.db, provider: new StaticMigrationProvider(migrationsFor(this.dialect)) });
    const { error, results = [] } = await migrator.migrateToLatest();
    if (error) {
      const failed = results.find((r) => r.status === 'Error')?.migrationName;
      throw new Error(`Migration ${failed ?? ''} failed: ${error instanceof Error ? error.message : String(error)}`, {
        cause: error,
      });
    }
    return results.filter((r) => r.status === 'Success').map((r) => r.migrationName);
  }

  async close(): Promise<void> {
    await this.db.destroy();
  }
}
