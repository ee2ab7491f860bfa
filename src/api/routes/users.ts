// /api/v3/users: a user (by id or API key), their quotas and usage; /api/v3/admin/users and /admin/keys: managing users and keys.
import type { FastifyInstance } from 'fastify';
import { AppError } from '../../core/errors.js';
import {
  apiKeyObject,
  apiKeyObjectSchema,
  issuedKeyResponseSchema,
  onlyAttributes,
  optionalAttributes,
  optionalBoolean,
  optionalString,
  optionalStringList,
  quotasPatch,
  quotasRequestSchema,
  userObject,
  userObjectSchema,
} from '../account-objects.js';
import { endpointGroups, principalOf } from '../auth.js';
import { collection } from '../envelope.js';
import { postedAttributes } from '../json-body.js';
import { pageSize } from '../params.js';
import { collectionOf, dataOf, idParams, pageQuery, vtObjectRequestBody } from '../schemas.js';
import type { RouteDeps } from './route-deps.js';

interface IdRoute {
  Params: { id: string };
}

const config = { endpointGroup: endpointGroups.users };
const tags = ['users'];
const adminTags = ['admin'];
const userParams = idParams('User id, or an API key (VirusTotal accepts both)');
const keyParams = idParams('Public key id (k_...), as listed by GET /admin/users/{id}/keys');

const createExample = '{"data": {"type": "user", "attributes": {"name": "alice", "tier": "premium"}}}';
const updateExample = '{"data": {"type": "user", "attributes": {"status": "inactive"}}}';
const keyExample = '{"data": {"type": "api_key", "attributes": {"label": "ci"}}}';


export async function userRoutes(app: FastifyInstance, { services, links }: RouteDeps): Promise<void> {
  app.get<IdRoute>(
    '/api/v3/users/:id',
    {
      config,
      schema: {
        summary: 'Get a user: yourself (by id or by your API key); admins may get anyone',
        tags,
        params: userParams,
        response: { 200: dataOf(userObjectSchema) },
      },
    },
    async (request) => ({ data: userObject(links, await services.accounts.getUser(request.params.id, principalOf(request))) }),
  );

  app.get<IdRoute>(
    '/api/v3/users/:id/overall_quotas',
    {
      config,
      schema: {
        summary: "A user's hourly, daily and monthly request quotas and use, with their group's",
        tags,
        params: userParams,
        response: { 200: dataOf({ type: 'object', additionalProperties: true }) },
      },
    },
    async (request) => {
      // Who may see whose quotas is decided by the user look-up: yourself, or anyone for admins.
      const { user } = await services.accounts.getUser(request.params.id, principalOf(request));
      return { data: await services.quotas.overall(user.id) };
    },
  );

  app.get<IdRoute & { Querystring: { start_date?: string; end_date?: string } }>(
    '/api/v3/users/:id/api_usage',
    {
      config,
      schema: {
        summary: "A user's requests per UTC day and endpoint group",
        tags,
        params: userParams,
        querystring: {
          type: 'object',
          properties: {
            start_date: { type: 'string', description: 'YYYYMMDD; default 30 days ago' },
            end_date: { type: 'string', description: 'YYYYMMDD; default today; at most 30 days after start_date' },
          },
        },
        response: { 200: dataOf({ type: 'object', additionalProperties: true }) },
      },
    },
    async (request) => {
      const { user } = await services.accounts.getUser(request.params.id, principalOf(request));
      return { data: await services.quotas.apiUsage(user.id, request.query.start_date, request.query.end_date) };
    },
  );

  // Admin: users.

  app.get<{ Querystring: { limit?: number; cursor?: string } }>(
    '/api/v3/admin/users',
    { config, schema: { summary: 'List users (admin)', tags: adminTags, querystring: pageQuery, response: { 200: collectionOf(userObjectSchema) } } },
    async (request) => {
      const limit = pageSize(request.query.limit);
      const page = await services.accounts.listUsers(principalOf(request), { limit, ...(request.query.cursor ? { cursor: request.query.cursor } : {}) });
      return collection(
        page.items.map((v) => userObject(links, v)),
        page.cursor,
        links.self(request),
        (c) => links.next(request, c, limit),
      );
    },
  );

  app.post(
    '/api/v3/admin/users',
    {
      config,
      schema: {
        summary: 'Create a user and their first API key (admin); the key is in meta.apikey, shown once',
        tags: adminTags,
        requestBody: vtObjectRequestBody(
            'user',
            {
              name: { type: 'string' },
              admin: { type: 'boolean' },
              tier: { type: 'string', description: 'Default "public"' },
              group: { type: 'string' },
              privileges: { type: 'array', items: { type: 'string' } },
              email: { type: 'string' },
              label: { type: 'string', description: 'Label of the first key' },
            },
            ['name'],
          ),
        response: { 200: issuedKeyResponseSchema(userObjectSchema) },
      },
    },
    async (request) => {
      const attributes = postedAttributes(request.body, 'user', createExample);
      onlyAttributes(attributes, ['name', 'admin', 'tier', 'group', 'privileges', 'email', 'label']);
      const name = optionalString(attributes, 'name');
      if (name === undefined) throw new AppError('InvalidArgumentError', '"data.attributes.name" must be a string');
      const created = await services.accounts.createUser(
        {
          name,
          admin: optionalBoolean(attributes, 'admin'),
          tier: optionalString(attributes, 'tier'),
          group: optionalString(attributes, 'group'),
          privileges: optionalStringList(attributes, 'privileges'),
          email: optionalString(attributes, 'email'),
          label: optionalString(attributes, 'label'),
        },
        principalOf(request),
      );
      return { data: userObject(links, created.view), meta: { apikey: created.apiKey, key_id: created.key.keyId } };
    },
  );

  app.patch<IdRoute>(
    '/api/v3/admin/users/:id',
    {
      config,
      schema: {
        summary: "Change a user's status, tier, email or quota overrides (admin)",
        description: 'Attributes left out stay as they are; in quotas, null removes an override.',
        tags: adminTags,
        params: userParams,
        requestBody: vtObjectRequestBody('user', {
            status: { type: 'string', enum: ['active', 'inactive'] },
            tier: { type: 'string' },
            email: { type: ['string', 'null'] },
            quotas: quotasRequestSchema,
          }),
        response: { 200: dataOf(userObjectSchema) },
      },
    },
    async (request) => {
      const attributes = postedAttributes(request.body, 'user', updateExample);
      onlyAttributes(attributes, ['status', 'tier', 'email', 'quotas']);
      const { status, email } = attributes;
      if (status !== undefined && status !== 'active' && status !== 'inactive') {
        throw new AppError('InvalidArgumentError', '"data.attributes.status" must be "active" or "inactive"');
      }
      if (email !== undefined && email !== null && typeof email !== 'string') {
        throw new AppError('InvalidArgumentError', '"data.attributes.email" must be a string or null');
      }
      const view = await services.accounts.updateUser(
        request.params.id,
        {
          ...(status === undefined ? {} : { active: status === 'active' }),
          ...(attributes.tier === undefined ? {} : { tier: optionalString(attributes, 'tier') }),
          ...(email === undefined ? {} : { email }),
          ...(attributes.quotas === undefined ? {} : { quotaOverrides: quotasPatch(attributes.quotas) }),
        },
        principalOf(request),
      );
      return { data: userObject(links, view) };
    },
  );

  const privilegeParams = {
    type: 'object',
    required: ['id', 'privilege'],
    properties: { id: { type: 'string' }, privilege: { type: 'string', description: 'admin, download, private_scanning, intelligence' } },
  };

  app.post<{ Params: { id: string; privilege: string } }>(
    '/api/v3/admin/users/:id/privileges/:privilege',
    {
      config,
      schema: { summary: 'Grant a privilege (admin); no body', tags: adminTags, params: privilegeParams, response: { 200: dataOf(userObjectSchema) } },
    },
    async (request) => ({
      data: userObject(links, await services.accounts.grantPrivilege(request.params.id, request.params.privilege, principalOf(request))),
    }),
  );

  app.delete<{ Params: { id: string; privilege: string } }>(
    '/api/v3/admin/users/:id/privileges/:privilege',
    {
      config,
      schema: {
        summary: 'Revoke a privilege granted to the user (admin); one that comes from the tier stays',
        tags: adminTags,
        params: privilegeParams,
        response: { 200: dataOf(userObjectSchema) },
      },
    },
    async (request) => ({
      data: userObject(links, await services.accounts.revokePrivilege(request.params.id, request.params.privilege, principalOf(request))),
    }),
  );

  // Admin: keys.

  app.get<IdRoute>(
    '/api/v3/admin/users/:id/keys',
    {
      config,
      schema: { summary: "A user's API keys, revoked ones included (admin)", tags: adminTags, params: userParams, response: { 200: collectionOf(apiKeyObjectSchema) } },
    },
    async (request) => {
      const keys = await services.accounts.listKeys(request.params.id, principalOf(request));
      return collection(
        keys.map((k) => apiKeyObject(links, k)),
        undefined,
        links.self(request),
        () => '',
      );
    },
  );

  app.post<IdRoute>(
    '/api/v3/admin/users/:id/keys',
    {
      config,
      schema: {
        summary: 'Create another API key for a user (admin); the key is in meta.apikey, shown once',
        description: `Body optional: ${keyExample}`,
        tags: adminTags,
        params: userParams,
        response: { 200: issuedKeyResponseSchema(apiKeyObjectSchema) },
      },
    },
    async (request) => {
      const attributes = optionalAttributes(request.body, 'api_key', keyExample);
      onlyAttributes(attributes, ['label']);
      const issued = await services.accounts.createKey(request.params.id, { label: optionalString(attributes, 'label') }, principalOf(request));
      return { data: apiKeyObject(links, issued.key), meta: { apikey: issued.apiKey, key_id: issued.key.keyId } };
    },
  );

  app.delete<IdRoute>(
    '/api/v3/admin/keys/:id',
    {
      config,
      schema: { summary: 'Revoke an API key at once (admin)', tags: adminTags, params: keyParams, response: { 200: dataOf(apiKeyObjectSchema) } },
    },
    async (request) => ({ data: apiKeyObject(links, await services.accounts.revokeKey(request.params.id, principalOf(request))) }),
  );

  app.post<IdRoute>(
    '/api/v3/admin/keys/:id/rotate',
    {
      config,
      schema: {
        summary: 'Replace an API key: a new key for the same user, the old one revoked, in one step (admin)',
        description: `Body optional (a new label): ${keyExample}. The new key is in meta.apikey, shown once.`,
        tags: adminTags,
        params: keyParams,
        response: { 200: issuedKeyResponseSchema(apiKeyObjectSchema) },
      },
    },
    async (request) => {
      const attributes = optionalAttributes(request.body, 'api_key', keyExample);
      onlyAttributes(attributes, ['label']);
      const label = optionalString(attributes, 'label');
      const rotated = await services.accounts.rotateKey(request.params.id, label === undefined ? {} : { label }, principalOf(request));
      return { data: apiKeyObject(links, rotated.key), meta: { apikey: rotated.apiKey, key_id: rotated.key.keyId, replaced: rotated.replaced.keyId } };
    },
  );
}
