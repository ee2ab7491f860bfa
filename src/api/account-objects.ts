// Renders users, groups and API keys as VirusTotal-style objects, reads the admin routes' bodies, and documents both.
import type { GroupView, UserView } from '../app/accounts/index.js';
import type { QuotaOverridesPatch } from '../app/accounts/index.js';
import { AppError } from '../core/errors.js';
import type { ApiKey, QuotaOverrides } from '../core/model/account.js';
import { pathSegment, type Links, type VtObject } from './envelope.js';
import { safeAttributes } from './objects.js';

export const userLink = (links: Links, id: string): string => links.api(`/users/${pathSegment(id)}`);
export const groupLink = (links: Links, id: string): string => links.api(`/groups/${pathSegment(id)}`);
export const keyLink = (links: Links, keyId: string): string => links.api(`/admin/keys/${pathSegment(keyId)}`);

/** Quota windows as the API spells them, in bodies and in objects. */
const windowNames = {
  requestsPerMinute: 'requests_per_minute',
  requestsPerDay: 'requests_per_day',
  requestsPerMonth: 'requests_per_month',
} as const satisfies Record<keyof QuotaOverrides, string>;

type Window = keyof typeof windowNames;
const windows = Object.keys(windowNames) as Window[];

/** `{requests_per_minute?, requests_per_day?, requests_per_month?}` with the windows that are set. */
export function quotasAttribute(overrides: QuotaOverrides): Record<string, number> {
  const out: Record<string, number> = {};
  for (const window of windows) {
    const value = overrides[window];
    if (value !== undefined) out[windowNames[window]] = value;
  }
  return out;
}

/**
 * VT's user object. `privileges` is VT's `{name: {granted, inherited_from?}}` (inherited_from: the
 * tier, or `admin` for what admin rights imply); `apikey` only when the service says the caller
 * looked themselves up by their own key. `tier`, `group` and `quota_overrides` are Assay's own.
 */
export function userObject(links: Links, view: UserView): VtObject {
  const { user } = view;
  const privileges: Record<string, { granted: true; inherited_from?: string }> = {};
  for (const grant of view.privileges) {
    privileges[grant.name] = grant.inheritedFrom === undefined ? { granted: true } : { granted: true, inherited_from: grant.inheritedFrom };
  }
  const overrides = quotasAttribute(user.quotaOverrides);
  return {
    type: 'user',
    id: user.id,
    links: { self: userLink(links, user.id) },
    // safeAttributes drops a null last_login: vt-py turns it into a datetime and fails on anything but a number.
    attributes: safeAttributes({
      ...(view.apiKey === undefined ? {} : { apikey: view.apiKey }),
      user_since: user.createdAt,
      last_login: user.lastLogin,
      status: user.active ? 'active' : 'inactive',
      privileges,
      reputation: 0,
      ...(user.email === null ? {} : { email: user.email }),
      tier: user.tier,
      ...(user.groupId === null ? {} : { group: user.groupId }),
      ...(Object.keys(overrides).length === 0 ? {} : { quota_overrides: overrides }),
    }),
  };
}

/** A group: its name, the quota limits it sets, and its members (only callers who may see the group get it at all). */
export function groupObject(links: Links, view: GroupView): VtObject {
  return {
    type: 'group',
    id: view.group.id,
    links: { self: groupLink(links, view.group.id) },
    attributes: safeAttributes({
      name: view.group.name,
      quotas: quotasAttribute(view.group.quotaOverrides),
      members_count: view.memberCount,
      members: view.members,
      creation_date: view.group.createdAt,
    }),
  };
}

/** An API key by its public id; the key itself appears only once, in `meta.apikey` of the response that made it. */
export function apiKeyObject(links: Links, key: ApiKey): VtObject {
  return {
    type: 'api_key',
    id: key.keyId,
    links: { self: keyLink(links, key.keyId) },
    attributes: safeAttributes({
      user: key.userId,
      ...(key.label === null ? {} : { label: key.label }),
      status: key.revokedAt === null ? 'active' : 'revoked',
      creation_date: key.createdAt,
      revocation_date: key.revokedAt,
      last_used_date: key.lastUsedAt,
    }),
  };
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Refuses attributes a body may not set, so a misspelt one is reported rather than ignored. */
export function onlyAttributes(attributes: Record<string, unknown>, allowed: readonly string[]): void {
  const unknown = Object.keys(attributes).filter((k) => !allowed.includes(k));
  if (unknown.length > 0) {
    throw new AppError('InvalidArgumentError', `Unknown attribute(s) ${unknown.map((k) => `"${k}"`).join(', ')}; allowed: ${allowed.join(', ')}`);
  }
}

/** `quotas` of a body: `{requests_per_minute|day|month: N or null}`; null removes an override. */
export function quotasPatch(value: unknown): QuotaOverridesPatch {
  if (!isRecord(value)) throw new AppError('InvalidArgumentError', '"quotas" must be an object like {"requests_per_day": 1000}');
  onlyAttributes(value, Object.values(windowNames));
  const patch: QuotaOverridesPatch = {};
  for (const window of windows) {
    const given = value[windowNames[window]];
    if (given === undefined) continue;
    if (given !== null && typeof given !== 'number') {
      throw new AppError('InvalidArgumentError', `"quotas.${windowNames[window]}" must be a positive integer or null`);
    }
    patch[window] = given;
  }
  return patch;
}

export function optionalString(attributes: Record<string, unknown>, name: string): string | undefined {
  const value = attributes[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw new AppError('InvalidArgumentError', `"data.attributes.${name}" must be a string`);
  return value;
}

export function optionalBoolean(attributes: Record<string, unknown>, name: string): boolean | undefined {
  const value = attributes[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'boolean') throw new AppError('InvalidArgumentError', `"data.attributes.${name}" must be true or false`);
  return value;
}

export function optionalStringList(attributes: Record<string, unknown>, name: string): string[] | undefined {
  const value = attributes[name];
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) {
    throw new AppError('InvalidArgumentError', `"data.attributes.${name}" must be a list of strings`);
  }
  return value as string[];
}

/** Optional JSON bodies (key labels): none, or `{"data": {"attributes": {...}}}`. */
export function optionalAttributes(body: unknown, type: string, example: string): Record<string, unknown> {
  if (body === undefined || body === null || (isRecord(body) && Object.keys(body).length === 0)) return {};
  if (!isRecord(body) || !isRecord(body.data)) throw new AppError('BadRequestError', `Expected no body, or a JSON body like ${example}`);
  if (body.data.type !== undefined && body.data.type !== type) throw new AppError('BadRequestError', `"data.type" must be "${type}"`);
  if (body.data.attributes === undefined) return {};
  if (!isRecord(body.data.attributes)) throw new AppError('BadRequestError', `"data.attributes" must be an object like ${example}`);
  return body.data.attributes;
}

/** `{"data": [{"type": "user", "id": "alice"}, ...]}`: the user ids to add to a group. */
export function postedUserDescriptors(body: unknown): string[] {
  const example = '{"data": [{"type": "user", "id": "alice"}]}';
  const data = isRecord(body) ? body.data : undefined;
  if (!Array.isArray(data) || data.length === 0) throw new AppError('BadRequestError', `Expected a JSON body like ${example}`);
  return data.map((d) => {
    if (!isRecord(d) || typeof d.id !== 'string' || (d.type !== undefined && d.type !== 'user')) {
      throw new AppError('BadRequestError', `Each item of "data" must be a user descriptor, as in ${example}`);
    }
    return d.id;
  });
}

// Response schemas (documentation only; see build-app.ts).

type Schema = Record<string, unknown>;

const linksSchema: Schema = { type: 'object', required: ['self'], properties: { self: { type: 'string', format: 'uri' } } };

const quotasSchema: Schema = {
  type: 'object',
  description: 'Limits set here; a window left out falls back to the tier',
  properties: Object.fromEntries(Object.values(windowNames).map((n) => [n, { type: 'integer', minimum: 1 }])),
};

const objectSchema = (type: string, attributes: Schema): Schema => ({
  type: 'object',
  required: ['type', 'id', 'links', 'attributes'],
  properties: { type: { const: type }, id: { type: 'string' }, links: linksSchema, attributes },
});

export const userObjectSchema = objectSchema('user', {
  type: 'object',
  properties: {
    apikey: { type: 'string', description: 'Only when you look yourself up by your own key (GET /users/{your key})' },
    user_since: { type: 'integer', description: 'Unix seconds' },
    last_login: { type: 'integer', description: 'Unix seconds, recorded at most once a minute; absent before the first request' },
    status: { type: 'string', enum: ['active', 'inactive'] },
    privileges: {
      type: 'object',
      additionalProperties: {
        type: 'object',
        properties: { granted: { type: 'boolean' }, inherited_from: { type: 'string', description: 'The tier, or "admin"' } },
      },
    },
    reputation: { type: 'integer' },
    email: { type: 'string' },
    tier: { type: 'string' },
    group: { type: 'string' },
    quota_overrides: quotasSchema,
  },
});

export const groupObjectSchema = objectSchema('group', {
  type: 'object',
  properties: {
    name: { type: 'string' },
    quotas: quotasSchema,
    members_count: { type: 'integer' },
    members: { type: 'array', items: { type: 'string' } },
    creation_date: { type: 'integer', description: 'Unix seconds' },
  },
});

export const apiKeyObjectSchema = objectSchema('api_key', {
  type: 'object',
  properties: {
    user: { type: 'string' },
    label: { type: 'string' },
    status: { type: 'string', enum: ['active', 'revoked'] },
    creation_date: { type: 'integer' },
    revocation_date: { type: 'integer' },
    last_used_date: { type: 'integer', description: 'Recorded at most once a minute' },
  },
});

/** A response that hands out a new key: the object, and the key itself in meta (shown once). */
export const issuedKeyResponseSchema = (data: Schema): Schema => ({
  type: 'object',
  required: ['data', 'meta'],
  properties: {
    data,
    meta: {
      type: 'object',
      required: ['apikey'],
      properties: { apikey: { type: 'string', description: 'The new key; stored hashed, never shown again' }, key_id: { type: 'string' } },
    },
  },
});

export const quotasRequestSchema = quotasSchema;
