/** Users, API keys and single-use upload tokens in SQL. */
import type { Kysely, Selectable } from 'kysely';
import { AppError } from '../../core/errors.js';
import type {
  ApiKeyRecord,
  ApiKeyRepository,
  UploadTokenRepository,
  UserRecord,
  UserRepository,
} from '../ports.js';
import { isUniqueViolation } from './codec.js';
import type { Database, UsersTable } from './schema.js';

function toUserRecord(row: Selectable<UsersTable>): UserRecord {
  return {
    id: row.id,
    name: row.name,
    isAdmin: row.is_admin === 1,
    tier: row.tier,
    active: row.active === 1,
    createdAt: row.created_at,
  };
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

export class SqlUserRepository implements UserRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async create(user: UserRecord): Promise<UserRecord> {
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
        })
        .returningAll()
        .executeTakeFirstOrThrow(),
    );
    return toUserRecord(row);
  }

  async get(id: string): Promise<UserRecord | undefined> {
    const row = await this.db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toUserRecord(row);
  }

  async findByName(name: string): Promise<UserRecord | undefined> {
    const row = await this.db.selectFrom('users').selectAll().where('name', '=', name).executeTakeFirst();
    return row && toUserRecord(row);
  }
}

export class SqlApiKeyRepository implements ApiKeyRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async create(key: ApiKeyRecord): Promise<void> {
    await insertOnce('API key', () =>
      this.db
        .insertInto('api_keys')
        .values({ key_hash: key.keyHash, user_id: key.userId, created_at: key.createdAt, revoked_at: key.revokedAt })
        .execute(),
    );
  }

  async findByHash(keyHash: string): Promise<ApiKeyRecord | undefined> {
    const row = await this.db.selectFrom('api_keys').selectAll().where('key_hash', '=', keyHash).executeTakeFirst();
    return row && { keyHash: row.key_hash, userId: row.user_id, createdAt: row.created_at, revokedAt: row.revoked_at };
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
