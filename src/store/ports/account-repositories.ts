/** Storage ports for accounts: users, API keys, groups, private-scanning access and upload tokens. */
import type { ApiKey, Group, QuotaOverrides, User } from '../../core/model/account.js';
import type { Page } from '../../core/model/page.js';

/** What creating a user needs; the rest defaults to none (no privileges, group, login, email or overrides). */
export type NewUser = Pick<User, 'id' | 'name' | 'isAdmin' | 'tier' | 'active' | 'createdAt'> &
  Partial<Pick<User, 'privileges' | 'groupId' | 'email' | 'quotaOverrides'>>;

/** Fields an update may set; privileges change through changePrivileges, logins through recordLogin. */
export type UserUpdate = Partial<Pick<User, 'isAdmin' | 'tier' | 'active' | 'groupId' | 'email' | 'quotaOverrides'>>;

/** What creating a key needs; without keyId the repository picks a free one. */
export type NewApiKey = Pick<ApiKey, 'keyHash' | 'userId' | 'createdAt' | 'revokedAt'> & Partial<Pick<ApiKey, 'keyId' | 'label'>>;

export interface UserRepository {
  create(user: NewUser): Promise<User>;
  get(id: string): Promise<User | undefined>;
  findByName(name: string): Promise<User | undefined>;
  /** Users by id, with an opaque cursor. */
  list(options: { limit: number; cursor?: string }): Promise<Page<User>>;
  /** Sets the given fields; undefined when the user is unknown. */
  update(id: string, update: UserUpdate): Promise<User | undefined>;
  /** Adds and removes privileges in one atomic step (concurrent changes are not lost); undefined when unknown. */
  changePrivileges(id: string, change: { grant?: readonly string[]; revoke?: readonly string[] }): Promise<User | undefined>;
  /** Sets last_login to `at` unless one was recorded less than `minIntervalSeconds` before. */
  recordLogin(id: string, at: number, minIntervalSeconds: number): Promise<void>;
  /** Members of a group, by id. */
  listByGroup(groupId: string): Promise<User[]>;
  countByGroup(groupId: string): Promise<number>;
}

export interface ApiKeyRepository {
  create(key: NewApiKey): Promise<ApiKey>;
  findByHash(keyHash: string): Promise<ApiKey | undefined>;
  get(keyId: string): Promise<ApiKey | undefined>;
  /** A user's keys, revoked ones included, oldest first. */
  listForUser(userId: string): Promise<ApiKey[]>;
  /** Sets revoked_at once (a revoked key keeps its first date); undefined when unknown. */
  revoke(keyId: string, at: number): Promise<ApiKey | undefined>;
  /**
   * In one transaction: revokes the active key `keyId` and creates `replacement` for the same user
   * (the label carries over unless given). Undefined, changing nothing, when the key is unknown or revoked.
   */
  rotate(keyId: string, replacement: Omit<NewApiKey, 'userId' | 'revokedAt'>): Promise<ApiKey | undefined>;
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
  create(group: Group): Promise<Group>;
  get(id: string): Promise<Group | undefined>;
  /** All groups by id. */
  list(): Promise<Group[]>;
  /** Replaces the group's overrides; undefined when unknown. */
  setQuotaOverrides(id: string, overrides: QuotaOverrides): Promise<Group | undefined>;
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
