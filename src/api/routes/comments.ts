// /api/v3 comments: on files, URLs, domains and IPs; the latest (by tag); one comment, deleting it, voting on it.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { communityCollections, type CommunityCollection } from '../../core/community-ids.js';
import { AppError } from '../../core/errors.js';
import type { Comment } from '../../core/model/community.js';
import type { Page } from '../../core/model/page.js';
import { endpointGroups, principalOf } from '../auth.js';
import {
  commentObject,
  commentObjectSchema,
  commentRelationship,
  commentRelationshipNames,
  commentVotesSchema,
  communityItemParams,
  type CommentRelationship,
} from '../community-objects.js';
import { collection } from '../envelope.js';
import { postedAttributes, postedString, stringAttribute } from '../json-body.js';
import { networkObject, domainObjectSchema, ipAddressObjectSchema } from '../network-objects.js';
import { fileObject } from '../objects.js';
import { pageSize } from '../params.js';
import { collectionOf, dataOf, fileObjectSchema, idParams, jsonRequestBody, pageQuery, vtObjectRequestBody } from '../schemas.js';
import { urlObject, urlObjectSchema } from '../url-objects.js';
import type { RouteDeps } from './route-deps.js';

interface CommentRoute {
  Params: { id: string };
}
interface ListQuery {
  Querystring: { limit?: number; cursor?: string; relationships?: string };
}

const tags = ['comments'];
const config = { endpointGroup: endpointGroups.comments };
const commentParams = idParams('Comment id, e.g. f-<sha256>-<8 hex>');

const POST_COMMENT_EXAMPLE = '{"data": {"type": "comment", "attributes": {"text": "..."}}}';
const VOTE_EXAMPLE = '{"data": "positive"}';

const relationshipsQueryProperty = {
  type: 'string',
  description: `Comma-separated relationships to include: ${commentRelationshipNames.join(', ')}`,
};
const listQuery = {
  ...pageQuery,
  properties: { ...(pageQuery.properties as Record<string, unknown>), relationships: relationshipsQueryProperty },
};
const latestQuery = {
  ...listQuery,
  properties: {
    ...listQuery.properties,
    filter: { type: 'string', maxLength: 256, description: 'tag:<tag> gives only comments with that hashtag' },
  },
};

function parseCommentRelationships(value: string | undefined): CommentRelationship[] {
  if (value === undefined) return [];
  const names = [...new Set(value.split(',').map((n) => n.trim()).filter(Boolean))];
  for (const name of names) {
    if (!(commentRelationshipNames as readonly string[]).includes(name)) {
      throw new AppError('InvalidArgumentError', `Unknown relationship "${name}" for comment objects; known: ${commentRelationshipNames.join(', ')}`);
    }
  }
  return names as CommentRelationship[];
}

const requestBody = vtObjectRequestBody('comment', { text: { type: 'string', minLength: 1 } }, ['text']);

export async function commentRoutes(app: FastifyInstance, { services, links }: RouteDeps): Promise<void> {
  /** A page of comments as a VT collection, with the relationships asked for inlined in each. */
  function commentPage(request: FastifyRequest<ListQuery>, page: Page<Comment>, limit: number, wanted: CommentRelationship[]) {
    return collection(
      page.items.map((c) => commentObject(links, c, wanted)),
      page.cursor,
      links.self(request),
      (cursor) => links.next(request, cursor, limit),
    );
  }

  for (const [itemCollection, type] of Object.entries(communityCollections) as Array<[CommunityCollection, string]>) {
    app.get<CommentRoute & ListQuery>(
      `/api/v3/${itemCollection}/:id/comments`,
      {
        config,
        schema: {
          summary: `Comments on a ${type}, newest first`,
          tags,
          params: communityItemParams[itemCollection],
          querystring: listQuery,
          response: { 200: collectionOf(commentObjectSchema) },
        },
      },
      async (request) => {
        // Checked before the lookup, so a bad name is refused even for an unknown item.
        const wanted = parseCommentRelationships(request.query.relationships);
        const limit = pageSize(request.query.limit);
        const page = await services.community.listComments(itemCollection, request.params.id, principalOf(request), {
          limit,
          cursor: request.query.cursor,
        });
        return commentPage(request, page, limit, wanted);
      },
    );

    app.post<CommentRoute>(
      `/api/v3/${itemCollection}/:id/comments`,
      {
        config,
        schema: {
          summary: `Comment on a ${type}; #hashtags become tags`,
          tags,
          params: communityItemParams[itemCollection],
          requestBody,
          response: { 200: dataOf(commentObjectSchema) },
        },
      },
      async (request) => {
        const text = stringAttribute(postedAttributes(request.body, 'comment', POST_COMMENT_EXAMPLE), 'text');
        const comment = await services.community.addComment(itemCollection, request.params.id, text, principalOf(request));
        return { data: commentObject(links, comment) };
      },
    );
  }

  app.get<ListQuery & { Querystring: { filter?: string } }>(
    '/api/v3/comments',
    {
      config,
      schema: { summary: 'The latest comments; filter=tag:<tag> for one hashtag', tags, querystring: latestQuery, response: { 200: collectionOf(commentObjectSchema) } },
    },
    async (request) => {
      const wanted = parseCommentRelationships(request.query.relationships);
      const limit = pageSize(request.query.limit);
      const page = await services.community.latestComments({ limit, cursor: request.query.cursor, filter: request.query.filter }, principalOf(request));
      return commentPage(request, page, limit, wanted);
    },
  );

  app.get<CommentRoute & { Querystring: { relationships?: string } }>(
    '/api/v3/comments/:id',
    {
      config,
      schema: {
        summary: 'Get a comment',
        tags,
        params: commentParams,
        querystring: { type: 'object', properties: { relationships: relationshipsQueryProperty } },
        response: { 200: dataOf(commentObjectSchema) },
      },
    },
    async (request) => {
      const wanted = parseCommentRelationships(request.query.relationships);
      const comment = await services.community.getComment(request.params.id, principalOf(request));
      return { data: commentObject(links, comment, wanted) };
    },
  );

  app.delete<CommentRoute>(
    '/api/v3/comments/:id',
    {
      config,
      schema: {
        summary: 'Delete a comment (its author or an admin)',
        description: 'Answers 200 with {"data": null}: VT clients accept only 200, and vt-go parses any body as JSON.',
        tags,
        params: commentParams,
        response: { 200: { type: 'object', required: ['data'], properties: { data: { type: 'null' } } } },
      },
    },
    async (request) => {
      await services.community.deleteComment(request.params.id, principalOf(request));
      return { data: null };
    },
  );

  app.post<CommentRoute>(
    '/api/v3/comments/:id/vote',
    {
      config: { endpointGroup: endpointGroups.votes },
      schema: {
        summary: 'Vote on a comment: positive, negative or abuse; a later vote replaces your earlier one',
        tags,
        params: commentParams,
        requestBody: jsonRequestBody({ type: 'object', required: ['data'], properties: { data: { type: 'string', enum: ['positive', 'negative', 'abuse'] } } }),
        response: { 200: dataOf(commentVotesSchema) },
      },
    },
    async (request) => {
      const verdict = postedString(request.body, VOTE_EXAMPLE);
      return { data: await services.community.voteOnComment(request.params.id, verdict, principalOf(request)) };
    },
  );

  const relationshipResponse = {
    200: {
      type: 'object',
      required: ['data', 'links'],
      properties: {
        data: { type: 'object', required: ['type', 'id'], properties: { type: { type: 'string' }, id: { type: 'string' } } },
        links: { type: 'object', properties: { self: { type: 'string' }, related: { type: 'string' } } },
      },
    },
  };
  for (const name of commentRelationshipNames) {
    app.get<CommentRoute>(
      `/api/v3/comments/:id/relationships/${name}`,
      {
        config,
        schema: { summary: `Descriptor of the comment's ${name}`, tags, params: commentParams, response: relationshipResponse },
      },
      async (request) => {
        const comment = await services.community.getComment(request.params.id, principalOf(request));
        const { data, links: entryLinks } = commentRelationship(links, comment, name);
        return { data, links: entryLinks };
      },
    );
  }

  app.get<CommentRoute>(
    '/api/v3/comments/:id/item',
    {
      config,
      schema: {
        summary: 'The file, URL, domain or IP address a comment is about',
        description: 'NotFoundError for a URL that was commented on but never submitted.',
        tags,
        params: commentParams,
        response: { 200: dataOf({ oneOf: [fileObjectSchema, urlObjectSchema, domainObjectSchema, ipAddressObjectSchema] }) },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      const { itemType, itemId } = await services.community.getComment(request.params.id, principal);
      switch (itemType) {
        case 'file':
          return { data: fileObject(links, await services.files.get(itemId, principal)) };
        case 'url':
          return { data: urlObject(links, await services.urls.get(itemId, principal)) };
        case 'domain':
        case 'ip_address':
          return { data: networkObject(links, await services.network.get(itemType, itemId, principal)) };
      }
    },
  );
}
