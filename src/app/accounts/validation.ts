/** Checks on account input shared by the CLI and the admin routes; each failure is an InvalidArgumentError. */
import { AppError } from '../../core/errors.js';
import type { QuotaOverrides } from '../../core/model/account.js';
import { isPrivilegeName, privilegeNames, type PrivilegeName, type TierPrivileges } from './privileges.js';

/** A change to quota overrides: a number sets a window's limit, null removes the override, absent keeps it. */
export type QuotaOverridesPatch = { [K in keyof QuotaOverrides]?: number | null };

export const quotaWindows = ['requestsPerMinute', 'requestsPerDay', 'requestsPerMonth'] as const satisfies ReadonlyArray<keyof QuotaOverrides>;

const NAME = /^[A-Za-z0-9._@-]{1,64}$/;

/** User and group names double as their ids in URLs, so they stay within URL-safe characters. */
export function checkName(kind: 'User' | 'Group', raw: string): string {
  const name = raw.trim();
  if (!NAME.test(name)) throw new AppError('InvalidArgumentError', `${kind} names are 1 to 64 letters, digits, ".", "_", "@" or "-"`);
  return name;
}

export function checkPrivilege(raw: string): PrivilegeName {
  const name = raw.trim();
  if (!isPrivilegeName(name)) {
    throw new AppError('InvalidArgumentError', `Unknown privilege "${raw}"; known privileges: ${privilegeNames.join(', ')}`);
  }
  return name;
}

/** With no tier configuration at hand (some tests), any tier name is accepted. */
export function checkTier(raw: string, tiers: TierPrivileges | undefined): string {
  const tier = raw.trim();
  if (tiers && !tiers[tier]) {
    throw new AppError('InvalidArgumentError', `Unknown tier "${raw}"; configured tiers: ${Object.keys(tiers).sort().join(', ')}`);
  }
  return tier;
}

export function checkLabel(raw: string | undefined | null): string | null {
  if (raw === undefined || raw === null) return null;
  const label = raw.trim();
  if (label === '') return null;
  if (label.length > 64 || /[\u0000-\u001f\u007f]/.test(label)) {
    throw new AppError('InvalidArgumentError', 'Key labels are at most 64 characters, without control characters');
  }
  return label;
}

export function checkEmail(raw: string | null): string | null {
  if (raw === null) return null;
  const email = raw.trim();
  if (email === '') return null;
  if (email.length > 254 || !/^[^\s@]+@[^\s@]+$/.test(email)) throw new AppError('InvalidArgumentError', `"${raw}" is not an email address`);
  return email;
}

/** Applies a patch to overrides; limits are positive integers. */
export function applyQuotaPatch(current: QuotaOverrides, patch: QuotaOverridesPatch): QuotaOverrides {
  const next: QuotaOverrides = { ...current };
  for (const window of quotaWindows) {
    const value = patch[window];
    if (value === undefined) continue;
    if (value === null) {
      delete next[window];
      continue;
    }
    if (!Number.isSafeInteger(value) || value <= 0) {
      throw new AppError('InvalidArgumentError', `${window} must be a positive integer (or null to remove the override)`);
    }
    next[window] = value;
  }
  return next;
}
