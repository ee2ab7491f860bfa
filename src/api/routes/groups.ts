// /api/v3/groups/{id}: a group, for its members and admins; /api/v3/admin/groups: creating groups, members and quota overrides.
import type { FastifyInstance } from 'fastify';
import { AppError } from '../../core/errors.js';
import { groupObject, groupObjectSchema, onlyAttributes, optionalString, postedUserDescriptors, quotasPatch, quotasRequestSchema } from '../account-objects.js';
import { endpointGroups, principalOf } from '../auth.js';
import { collection } from '../envelope.js';
import { postedAttributes } from '../json-body.js';
import { collectionOf, dataOf, idParams, jsonRequestBody, vtObjectRequestBody } from '../schemas.js';
import type { RouteDeps } from './route-deps.js';

interface IdRoute {
  Params: { id: string };
}

const config = { endpointGroup: endpointGroups.groups };
const adminTags = ['admin'];
const groupParams = idParams('Group id (its name)');

const createExample = '{"data": {"type": "group", "attributes": {"name": "soc", "quotas": {"requests_per_day": 20000}}}}';
const updateExample = '{"data": {"type": "group", "attributes": {"quotas": {"requests_per_minute": 100, "requests_per_month": null}}}}';

const groupBody = (required: string[]) => vtObjectRequestBody('group', { name: { type: 'string' }, quotas: quotasRequestSchema }, required);

export async function groupRoutes(app: FastifyInstance, { services, links }: RouteDeps): Promise<void> {
  app.get<IdRoute>(
    '/api/v3/groups/:id',
    {
      config,
      schema: {
        summary: 'Get a group: its name, quota limits and members (members and admins only)',
        tags: ['groups'],
        params: groupParams,
        response: { 200: dataOf(groupObjectSchema) },
      },
    },
    async (request) => ({ data: groupObject(links, await services.accounts.getGroup(request.params.id, principalOf(request))) }),
  );

  app.get(
    '/api/v3/admin/groups',
    { config, schema: { summary: 'List groups (admin)', tags: adminTags, response: { 200: collectionOf(groupObjectSchema) } } },
    async (request) => {
      const groups = await services.accounts.listGroups(principalOf(request));
      return collection(
        groups.map((g) => groupObject(links, g)),
        undefined,
        links.self(request),
        () => '',
      );
    },
  );

  app.post(
    '/api/v3/admin/groups',
    {
      config,
      schema: {
        summary: 'Create a group, optionally with quota limits its members share (admin)',
        tags: adminTags,
        requestBody: groupBody(['name']),
        response: { 200: dataOf(groupObjectSchema) },
      },
    },
    async (request) => {
      const attributes = postedAttributes(request.body, 'group', createExample);
      onlyAttributes(attributes, ['name', 'quotas']);
      const name = optionalString(attributes, 'name');
      if (name === undefined) throw new AppError('InvalidArgumentError', '"data.attributes.name" must be a string');
      const view = await services.accounts.createGroup(
        { name, ...(attributes.quotas === undefined ? {} : { quotaOverrides: quotasPatch(attributes.quotas) }) },
        principalOf(request),
      );
      return { data: groupObject(links, view) };
    },
  );

  app.patch<IdRoute>(
    '/api/v3/admin/groups/:id',
    {
      config,
      schema: {
        summary: "Change a group's quota limits (admin); in quotas, null removes a limit",
        tags: adminTags,
        params: groupParams,
        requestBody: groupBody([]),
        response: { 200: dataOf(groupObjectSchema) },
      },
    },
    async (request) => {
      const attributes = postedAttributes(request.body, 'group', updateExample);
      onlyAttributes(attributes, ['quotas']);
      const patch = attributes.quotas === undefined ? {} : quotasPatch(attributes.quotas);
      return { data: groupObject(links, await services.accounts.setGroupQuota(request.params.id, patch, principalOf(request))) };
    },
  );

  app.post<IdRoute>(
    '/api/v3/admin/groups/:id/members',
    {
      config,
      schema: {
        summary: 'Add users to a group (admin); a user is in at most one group',
        description: 'Body: {"data": [{"type": "user", "id": "alice"}]}. A member of another group is refused with AlreadyExistsError.',
        tags: adminTags,
        params: groupParams,
        requestBody: jsonRequestBody({ type: 'object', required: ['data'], properties: { data: { type: 'array', items: { type: 'object', required: ['id'], properties: { type: { const: 'user' }, id: { type: 'string' } } } } } }),
        response: { 200: dataOf(groupObjectSchema) },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      const [first, ...rest] = postedUserDescriptors(request.body);
      // One at a time: each addition is checked on its own, and those before a refusal stay made.
      let view = await services.accounts.addMember(request.params.id, first!, principal);
      for (const userId of rest) view = await services.accounts.addMember(request.params.id, userId, principal);
      return { data: groupObject(links, view) };
    },
  );

  app.delete<{ Params: { id: string; user: string } }>(
    '/api/v3/admin/groups/:id/members/:user',
    {
      config,
      schema: {
        summary: 'Remove a user from a group (admin)',
        tags: adminTags,
        params: { type: 'object', required: ['id', 'user'], properties: { id: { type: 'string' }, user: { type: 'string' } } },
        response: { 200: dataOf(groupObjectSchema) },
      },
    },
    async (request) => ({
      data: groupObject(links, await services.accounts.removeMember(request.params.id, request.params.user, principalOf(request))),
    }),
  );
}
