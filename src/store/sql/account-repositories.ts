/** Users, groups, API keys, private-scanning access and single-use upload tokens in SQL. */
import type { Kysely, Selectable } from 'kysely';
import { AppError } from '../../core/errors.js';
import { apiKeyId } from '../../core/ids.js';
import type { ApiKey, Group, QuotaOverrides, User } from '../../core/model/account.js';
import type { Page } from '../../core/model/page.js';
import type { AccessRepository, ApiKeyRepository, GroupRepository, NewApiKey, NewUser, UploadTokenRepository, UserRepository, UserUpdate } from '../ports/account-repositories.js';
import { fromJson, isUniqueViolation, toJson } from './codec.js';
import type { ApiKeysTable, Database, GroupsTable, UsersTable } from './schema.js';

function toUserRecord(row: Selectable<UsersTable>): User {
  return {
    id: row.id,
    name: row.name,
    isAdmin: row.is_admin === 1,
    tier: row.tier,
    active: row.active === 1,
    createdAt: row.created_at,
    privileges: fromJson<string[]>(row.privileges),
    groupId: row.group_id,
    lastLogin: row.last_login,
    email: row.email,
    quotaOverrides: fromJson<QuotaOverrides>(row.quota_overrides),
  };
}

function toApiKeyRecord(row: Selectable<ApiKeysTable>): ApiKey {
  return {
    keyId: row.key_id,
    keyHash: row.key_hash,
    userId: row.user_id,
    label: row.label,
    createdAt: row.created_at,
    revokedAt: row.revoked_at,
    lastUsedAt: row.last_used_at,
  };
}

function toGroupRecord(row: Selectable<GroupsTable>): Group {
  return { id: row.id, name: row.name, quotaOverrides: fromJson<QuotaOverrides>(row.quota_overrides), createdAt: row.created_at };
}

/** Only the three known windows, so stray keys in a caller's object never reach the column. */
function overridesJson(overrides: QuotaOverrides | undefined): string {
  const { requestsPerMinute, requestsPerDay, requestsPerMonth } = overrides ?? {};
  return toJson({ requestsPerMinute, requestsPerDay, requestsPerMonth });
}

/** Runs an insert, turning a key or unique violation into the API's "already exists" error. */
async function insertOnce<T>(what: string, insert: () => Promise<T>): Promise<T> {
  try {
    return await insert();
  } catch (error) {
    if (isUniqueViolation(error)) throw new AppError('AlreadyExistsError', `${what} already exists`, { cause: error });
    throw error;
  }
}

/** The cursor is the last id served, so paging stays stable while users are added. */
const encodeCursor = (id: string): string => Buffer.from(JSON.stringify([id])).toString('base64url');

function decodeCursor(cursor: string): string {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(value) && value.length === 1 && typeof value[0] === 'string') return value[0];
  } catch {
    // fall through: any undecodable cursor is the caller's mistake
  }
  throw new AppError('InvalidArgumentError', 'Invalid cursor');
}

export class SqlUserRepository implements UserRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async create(user: NewUser): Promise<User> {
    const row = await insertOnce(`User ${user.name}`, () =>
      this.db
        .insertInto('users')
        .values({
          id: user.id,
          name: user.name,
          is_admin: user.isAdmin ? 1 : 0,
          tier: user.tier,
          active: user.active ? 1 : 0,
          created_at: user.createdAt,
          privileges: toJson([...new Set(user.privileges ?? [])]),
          group_id: user.groupId ?? null,
          last_login: null,
          email: user.email ?? null,
          quota_overrides: overridesJson(user.quotaOverrides),
        })
        .returningAll()
        .executeTakeFirstOrThrow(),
    );
    return toUserRecord(row);
  }

  async get(id: string): Promise<User | undefined> {
    const row = await this.db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toUserRecord(row);
  }

  async findByName(name: string): Promise<User | undefined> {
    const row = await this.db.selectFrom('users').selectAll().where('name', '=', name).executeTakeFirst();
    return row && toUserRecord(row);
  }

  async list(options: { limit: number; cursor?: string }): Promise<Page<User>> {
    const limit = Math.max(1, Math.floor(options.limit));
    let query = this.db.selectFrom('users').selectAll();
    if (options.cursor !== undefined) query = query.where('id', '>', decodeCursor(options.cursor));
    // One row past the page tells whether another page exists without a count.
    const rows = await query.orderBy('id').limit(limit + 1).execute();
    const items = rows.slice(0, limit).map(toUserRecord);
    const last = items.at(-1);
    return rows.length > limit && last ? { items, cursor: encodeCursor(last.id) } : { items };
  }

  async update(id: string, update: UserUpdate): Promise<User | undefined> {
    const set: Partial<Selectable<UsersTable>> = {};
    if (update.isAdmin !== undefined) set.is_admin = update.isAdmin ? 1 : 0;
    if (update.tier !== undefined) set.tier = update.tier;
    if (update.active !== undefined) set.active = update.active ? 1 : 0;
    if (update.groupId !== undefined) set.group_id = update.groupId;
    if (update.email !== undefined) set.email = update.email;
    if (update.quotaOverrides !== undefined) set.quota_overrides = overridesJson(update.quotaOverrides);
    if (Object.keys(set).length === 0) return this.get(id);
    const row = await this.db.updateTable('users').set(set).where('id', '=', id).returningAll().executeTakeFirst();
    return row && toUserRecord(row);
  }

  changePrivileges(id: string, change: { grant?: readonly string[]; revoke?: readonly string[] }): Promise<User | undefined> {
    return this.db.transaction().execute(async (trx) => {
      // A no-op update first takes the row lock (PostgreSQL; SQLite holds the write lock already),
      // so two concurrent grants both end up in the list.
      const locked = await trx
        .updateTable('users')
        .set((eb) => ({ privileges: eb.ref('privileges') }))
        .where('id', '=', id)
        .returning('privileges')
        .executeTakeFirst();
      if (!locked) return undefined;
      const revoke = new Set(change.revoke ?? []);
      const next = [...new Set([...fromJson<string[]>(locked.privileges), ...(change.grant ?? [])])].filter((p) => !revoke.has(p));
      const row = await trx
        .updateTable('users')
        .set({ privileges: toJson(next) })
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirstOrThrow();
      return toUserRecord(row);
    });
  }

  async recordLogin(id: string, at: number, minIntervalSeconds: number): Promise<void> {
    await this.db
      .updateTable('users')
      .set({ last_login: at })
      .where('id', '=', id)
      .where((eb) => eb.or([eb('last_login', 'is', null), eb('last_login', '<=', at - minIntervalSeconds)]))
      .execute();
  }

  async listByGroup(groupId: string): Promise<User[]> {
    const rows = await this.db.selectFrom('users').selectAll().where('group_id', '=', groupId).orderBy('id').execute();
    return rows.map(toUserRecord);
  }

  async countByGroup(groupId: string): Promise<number> {
    const row = await this.db
      .selectFrom('users')
      .select((eb) => eb.fn.countAll<number | string | bigint>().as('members'))
      .where('group_id', '=', groupId)
      .executeTakeFirstOrThrow();
    return Number(row.members);
  }
}

/** A key id no key has yet; 32 random bits, so a second try is already rare. */
async function freeKeyId(db: Kysely<Database>): Promise<string> {
  for (;;) {
    const keyId = apiKeyId();
    const taken = await db.selectFrom('api_keys').select('key_id').where('key_id', '=', keyId).executeTakeFirst();
    if (!taken) return keyId;
  }
}

async function insertKey(db: Kysely<Database>, key: NewApiKey): Promise<ApiKey> {
  const keyId = key.keyId ?? (await freeKeyId(db));
  const row = await insertOnce('API key', () =>
    db
      .insertInto('api_keys')
      .values({
        key_hash: key.keyHash,
        key_id: keyId,
        user_id: key.userId,
        label: key.label ?? null,
        created_at: key.createdAt,
        revoked_at: key.revokedAt,
        last_used_at: null,
      })
      .returningAll()
      .executeTakeFirstOrThrow(),
  );
  return toApiKeyRecord(row);
}

export class SqlApiKeyRepository implements ApiKeyRepository {
  constructor(private readonly db: Kysely<Database>) {}

  create(key: NewApiKey): Promise<ApiKey> {
    return insertKey(this.db, key);
  }

  async findByHash(keyHash: string): Promise<ApiKey | undefined> {
    const row = await this.db.selectFrom('api_keys').selectAll().where('key_hash', '=', keyHash).executeTakeFirst();
    return row && toApiKeyRecord(row);
  }

  async get(keyId: string): Promise<ApiKey | undefined> {
    const row = await this.db.selectFrom('api_keys').selectAll().where('key_id', '=', keyId).executeTakeFirst();
    return row && toApiKeyRecord(row);
  }

  async listForUser(userId: string): Promise<ApiKey[]> {
    const rows = await this.db
      .selectFrom('api_keys')
      .selectAll()
      .where('user_id', '=', userId)
      .orderBy('created_at')
      .orderBy('key_id')
      .execute();
    return rows.map(toApiKeyRecord);
  }

  async revoke(keyId: string, at: number): Promise<ApiKey | undefined> {
    await this.db.updateTable('api_keys').set({ revoked_at: at }).where('key_id', '=', keyId).where('revoked_at', 'is', null).execute();
    return this.get(keyId);
  }

  rotate(keyId: string, replacement: Omit<NewApiKey, 'userId' | 'revokedAt'>): Promise<ApiKey | undefined> {
    return this.db.transaction().execute(async (trx) => {
      // The guarded update decides the race: of two rotations of one key, one revokes it, the other gets nothing.
      const old = await trx
        .updateTable('api_keys')
        .set({ revoked_at: replacement.createdAt })
        .where('key_id', '=', keyId)
        .where('revoked_at', 'is', null)
        .returning(['user_id', 'label'])
        .executeTakeFirst();
      if (!old) return undefined;
      return insertKey(trx, {
        ...replacement,
        userId: old.user_id,
        revokedAt: null,
        label: replacement.label === undefined ? old.label : replacement.label,
      });
    });
  }

  async recordUse(keyId: string, at: number, minIntervalSeconds: number): Promise<void> {
    await this.db
      .updateTable('api_keys')
      .set({ last_used_at: at })
      .where('key_id', '=', keyId)
      .where((eb) => eb.or([eb('last_used_at', 'is', null), eb('last_used_at', '<=', at - minIntervalSeconds)]))
      .execute();
  }
}

export class SqlGroupRepository implements GroupRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async create(group: Group): Promise<Group> {
    const row = await insertOnce(`Group ${group.name}`, () =>
      this.db
        .insertInto('groups')
        .values({ id: group.id, name: group.name, quota_overrides: overridesJson(group.quotaOverrides), created_at: group.createdAt })
        .returningAll()
        .executeTakeFirstOrThrow(),
    );
    return toGroupRecord(row);
  }

  async get(id: string): Promise<Group | undefined> {
    const row = await this.db.selectFrom('groups').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toGroupRecord(row);
  }

  async list(): Promise<Group[]> {
    const rows = await this.db.selectFrom('groups').selectAll().orderBy('id').execute();
    return rows.map(toGroupRecord);
  }

  async setQuotaOverrides(id: string, overrides: QuotaOverrides): Promise<Group | undefined> {
    const row = await this.db
      .updateTable('groups')
      .set({ quota_overrides: overridesJson(overrides) })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirst();
    return row && toGroupRecord(row);
  }
}

export class SqlAccessRepository implements AccessRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async grantFile(sha256: string, owner: string): Promise<void> {
    await this.db
      .insertInto('file_access')
      .values({ sha256, owner })
      .onConflict((oc) => oc.columns(['sha256', 'owner']).doNothing())
      .execute();
  }

  async fileOwners(sha256: string): Promise<string[]> {
    const rows = await this.db.selectFrom('file_access').select('owner').where('sha256', '=', sha256).orderBy('owner').execute();
    return rows.map((r) => r.owner);
  }

  async setAnalysisOwner(analysisId: string, owner: string): Promise<void> {
    await insertOnce(`Owner of analysis ${analysisId}`, () => this.db.insertInto('analysis_owners').values({ analysis_id: analysisId, owner }).execute());
  }

  async analysisOwner(analysisId: string): Promise<string | undefined> {
    const row = await this.db.selectFrom('analysis_owners').select('owner').where('analysis_id', '=', analysisId).executeTakeFirst();
    return row?.owner;
  }
}

export class SqlUploadTokenRepository implements UploadTokenRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async create(token: { tokenHash: string; userId: string; expiresAt: number }): Promise<void> {
    await insertOnce('Upload token', () =>
      this.db
        .insertInto('upload_tokens')
        .values({ token_hash: token.tokenHash, user_id: token.userId, expires_at: token.expiresAt, used_at: null })
        .execute(),
    );
  }

  async find(tokenHash: string, now: number): Promise<{ userId: string } | undefined> {
    const row = await this.db
      .selectFrom('upload_tokens')
      .select('user_id')
      .where('token_hash', '=', tokenHash)
      .where('used_at', 'is', null)
      .where('expires_at', '>', now)
      .executeTakeFirst();
    return row && { userId: row.user_id };
  }

  async release(tokenHash: string): Promise<void> {
    await this.db.updateTable('upload_tokens').set({ used_at: null }).where('token_hash', '=', tokenHash).execute();
  }

  async consume(tokenHash: string, now: number): Promise<{ userId: string } | undefined> {
    // One conditional UPDATE: of two concurrent uploads with the same token, exactly one wins.
    const row = await this.db
      .updateTable('upload_tokens')
      .set({ used_at: now })
      .where('token_hash', '=', tokenHash)
      .where('used_at', 'is', null)
      .where('expires_at', '>', now)
      .returning('user_id')
      .executeTakeFirst();
    return row && { userId: row.user_id };
  }
}
