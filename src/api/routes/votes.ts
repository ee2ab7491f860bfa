// /api/v3 votes: harmless or malicious verdicts on files, URLs, domains and IPs (one per user and object), and one vote by id.
import type { FastifyInstance } from 'fastify';
import { communityCollections, type CommunityCollection } from '../../core/community-ids.js';
import { endpointGroups, principalOf } from '../auth.js';
import { communityItemParams, voteObject, voteObjectSchema } from '../community-objects.js';
import { collection } from '../envelope.js';
import { postedAttributes, stringAttribute } from '../json-body.js';
import { pageSize } from '../params.js';
import { collectionOf, dataOf, idParams, pageQuery, vtObjectRequestBody } from '../schemas.js';
import type { RouteDeps } from './route-deps.js';

interface VoteRoute {
  Params: { id: string };
}

const tags = ['votes'];
const config = { endpointGroup: endpointGroups.votes };

const POST_VOTE_EXAMPLE = '{"data": {"type": "vote", "attributes": {"verdict": "malicious"}}}';

const requestBody = vtObjectRequestBody('vote', { verdict: { type: 'string', enum: ['harmless', 'malicious'] } }, ['verdict']);

export async function voteRoutes(app: FastifyInstance, { services, links }: RouteDeps): Promise<void> {
  for (const [itemCollection, type] of Object.entries(communityCollections) as Array<[CommunityCollection, string]>) {
    app.get<VoteRoute & { Querystring: { limit?: number; cursor?: string } }>(
      `/api/v3/${itemCollection}/:id/votes`,
      {
        config,
        schema: {
          summary: `Votes on a ${type}, newest first`,
          tags,
          params: communityItemParams[itemCollection],
          querystring: pageQuery,
          response: { 200: collectionOf(voteObjectSchema) },
        },
      },
      async (request) => {
        const limit = pageSize(request.query.limit);
        const page = await services.community.listVotes(itemCollection, request.params.id, principalOf(request), {
          limit,
          cursor: request.query.cursor,
        });
        return collection(
          page.items.map((v) => voteObject(links, v)),
          page.cursor,
          links.self(request),
          (cursor) => links.next(request, cursor, limit),
        );
      },
    );

    app.post<VoteRoute>(
      `/api/v3/${itemCollection}/:id/votes`,
      {
        config,
        schema: {
          summary: `Vote on a ${type}: harmless or malicious, once per user; moves total_votes and reputation`,
          tags,
          params: communityItemParams[itemCollection],
          requestBody,
          response: { 200: dataOf(voteObjectSchema) },
        },
      },
      async (request) => {
        const verdict = stringAttribute(postedAttributes(request.body, 'vote', POST_VOTE_EXAMPLE), 'verdict');
        const vote = await services.community.addVote(itemCollection, request.params.id, verdict, principalOf(request));
        return { data: voteObject(links, vote) };
      },
    );
  }

  app.get<VoteRoute>(
    '/api/v3/votes/:id',
    {
      config,
      schema: { summary: 'Get a vote', tags, params: idParams('Vote id, e.g. f-<sha256>-v<8 hex>'), response: { 200: dataOf(voteObjectSchema) } },
    },
    async (request) => ({ data: voteObject(links, await services.community.getVote(request.params.id, principalOf(request))) }),
  );
}
