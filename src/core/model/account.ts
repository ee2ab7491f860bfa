/** Accounts: users, their API keys, groups, and the quota overrides users and groups carry. */

/** Per-window request limits that replace the tier's; an absent window keeps the tier's limit. */
export interface QuotaOverrides {
  requestsPerMinute?: number;
  requestsPerDay?: number;
  requestsPerMonth?: number;
}

export interface User {
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

export interface ApiKey {
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

export interface Group {
  id: string;
  name: string;
  quotaOverrides: QuotaOverrides;
  /** Unix seconds. */
  createdAt: number;
}
