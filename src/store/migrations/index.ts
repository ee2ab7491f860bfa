/**
 * The migration registry: numbered, forward-only, one list per dialect. Both lists carry the same
 * names in the same order, so `assay migrate` reports the same thing whichever database it runs on.
 */
import type { Migration } from 'kysely';
import type { SqlDialect } from '../sql/schema.js';
import { initialPostgres } from './postgres/0001-initial.js';
import { initialSqlite } from './sqlite/0001-initial.js';
import { accountsPostgres } from './postgres/0002-accounts.js';
import { quotasPostgres } from './postgres/0003-quotas.js';
import { communityPostgres } from './postgres/0004-community.js';
import { networkPostgres } from './postgres/0005-network.js';
import { feedGenerationsPostgres } from './postgres/0006-feed-generations.js';
import { privateScopesPostgres } from './postgres/0007-private-scopes.js';
import { retentionPostgres } from './postgres/0008-retention.js';
import { fileRelationsPostgres } from './postgres/0009-file-relations.js';
import { accountsSqlite } from './sqlite/0002-accounts.js';
import { quotasSqlite } from './sqlite/0003-quotas.js';
import { communitySqlite } from './sqlite/0004-community.js';
import { networkSqlite } from './sqlite/0005-network.js';
import { feedGenerationsSqlite } from './sqlite/0006-feed-generations.js';
import { privateScopesSqlite } from './sqlite/0007-private-scopes.js';
import { retentionSqlite } from './sqlite/0008-retention.js';
import { fileRelationsSqlite } from './sqlite/0009-file-relations.js';
import { hashListsSqlite } from './sqlite/0010-hash-lists.js';
import { hashListsPostgres } from './postgres/0010-hash-lists.js';
import { jobPriorityPostgres } from './postgres/0011-job-priority.js';
import { jobPrioritySqlite } from './sqlite/0011-job-priority.js';

const migrations: Record<SqlDialect, Record<string, Migration>> = {
  sqlite: {
    '0001-initial': initialSqlite,
    '0002-accounts': accountsSqlite,
    '0003-quotas': quotasSqlite,
    '0004-community': communitySqlite,
    '0005-network': networkSqlite,
    '0006-feed-generations': feedGenerationsSqlite,
    '0007-private-scopes': privateScopesSqlite,
    '0008-retention': retentionSqlite,
    '0009-file-relations': fileRelationsSqlite,
    '0010-hash-lists': hashListsSqlite,
    '0011-job-priority': jobPrioritySqlite,
  },
  postgres: {
    '0001-initial': initialPostgres,
    '0002-accounts': accountsPostgres,
    '0003-quotas': quotasPostgres,
    '0004-community': communityPostgres,
    '0005-network': networkPostgres,
    '0006-feed-generations': feedGenerationsPostgres,
    '0007-private-scopes': privateScopesPostgres,
    '0008-retention': retentionPostgres,
    '0009-file-relations': fileRelationsPostgres,
    '0010-hash-lists': hashListsPostgres,
    '0011-job-priority': jobPriorityPostgres,
  },
};

export function migrationsFor(dialect: SqlDialect): Record<string, Migration> {
  return migrations[dialect];
}
