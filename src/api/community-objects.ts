// Renders comments and votes as VirusTotal objects, with the schemas openapi.json documents for them.
import { commentHtml } from '../core/comment-text.js';
import { collectionOf, type CommunityCollection, type CommunityItemType } from '../core/community-ids.js';
import type { Comment, Vote } from '../core/model/community.js';
import { pathSegment, type Descriptor, type Links, type RelationshipEntry, type VtObject } from './envelope.js';
import { descriptor, safeAttributes } from './objects.js';
import { idParams } from './schemas.js';

/** The relationships a comment has: who wrote it and what it is about. */
export const commentRelationshipNames = ['author', 'item'] as const;
export type CommentRelationship = (typeof commentRelationshipNames)[number];

export const commentLink = (links: Links, id: string): string => links.api(`/comments/${pathSegment(id)}`);
export const voteLink = (links: Links, id: string): string => links.api(`/votes/${pathSegment(id)}`);

/** The item's own URL: /files/{sha256}, /urls/{id}, /domains/{name}, /ip_addresses/{ip}. */
export const itemLink = (links: Links, type: CommunityItemType, id: string): string => links.api(`/${collectionOf(type)}/${pathSegment(id)}`);

export function commentAttributes(comment: Comment): Record<string, unknown> {
  return safeAttributes({
    date: comment.date,
    text: comment.text,
    html: commentHtml(comment.text),
    tags: comment.tags,
    votes: comment.votes,
  });
}

export function commentRelationshipData(comment: Comment, name: CommentRelationship): Descriptor {
  return name === 'author' ? descriptor('user', comment.authorId) : descriptor(comment.itemType, comment.itemId);
}

/** `related` is the related object itself: the item's URL, and the author's /users/{id}. */
export function commentRelationship(links: Links, comment: Comment, name: CommentRelationship): RelationshipEntry {
  return {
    data: commentRelationshipData(comment, name),
    links: {
      self: `${commentLink(links, comment.id)}/relationships/${name}`,
      related: name === 'author' ? links.api(`/users/${pathSegment(comment.authorId)}`) : itemLink(links, comment.itemType, comment.itemId),
    },
  };
}

export function commentObject(links: Links, comment: Comment, relationships: readonly CommentRelationship[] = []): VtObject {
  const object: VtObject = {
    type: 'comment',
    id: comment.id,
    links: { self: commentLink(links, comment.id) },
    attributes: commentAttributes(comment),
  };
  if (relationships.length > 0) {
    object.relationships = Object.fromEntries(relationships.map((name) => [name, commentRelationship(links, comment, name)]));
  }
  return object;
}

export const voteObject = (links: Links, vote: Vote): VtObject => ({
  type: 'vote',
  id: vote.id,
  links: { self: voteLink(links, vote.id) },
  attributes: safeAttributes({ date: vote.date, verdict: vote.verdict, value: vote.value }),
});

type Schema = Record<string, unknown>;

const linksSchema: Schema = { type: 'object', required: ['self'], properties: { self: { type: 'string', format: 'uri' } } };

const votesSchema: Schema = {
  type: 'object',
  required: ['positive', 'negative', 'abuse'],
  properties: { positive: { type: 'integer' }, negative: { type: 'integer' }, abuse: { type: 'integer' } },
};

export const commentObjectSchema: Schema = {
  type: 'object',
  required: ['type', 'id', 'links', 'attributes'],
  properties: {
    type: { const: 'comment' },
    id: { type: 'string', description: 'f-<sha256>-<8 hex>, u-<url id>-<8 hex>, d-<domain>-<8 hex> or i-<ip>-<8 hex>' },
    links: linksSchema,
    attributes: {
      type: 'object',
      required: ['date', 'text', 'html', 'tags', 'votes'],
      properties: {
        date: { type: 'integer', description: 'Unix seconds' },
        text: { type: 'string', description: 'As submitted' },
        html: { type: 'string', description: 'The text HTML-escaped, line breaks as <br>' },
        tags: { type: 'array', items: { type: 'string' }, description: 'Hashtags of the text, lowercased' },
        votes: votesSchema,
      },
    },
    relationships: { type: 'object', description: 'author and item, when asked for with ?relationships=.' },
  },
};

export const voteObjectSchema: Schema = {
  type: 'object',
  required: ['type', 'id', 'links', 'attributes'],
  properties: {
    type: { const: 'vote' },
    id: { type: 'string', description: 'f-<sha256>-v<8 hex> (u-, d-, i- for other items)' },
    links: linksSchema,
    attributes: {
      type: 'object',
      required: ['date', 'verdict', 'value'],
      properties: {
        date: { type: 'integer', description: 'Unix seconds' },
        verdict: { type: 'string', enum: ['harmless', 'malicious'] },
        value: { type: 'integer', description: 'What the vote adds to the reputation: +1 or -1' },
      },
    },
  },
};

export const commentVotesSchema = votesSchema;

/** The `:id` of /{collection}/{id}/comments and /votes. */
export const communityItemParams: Record<CommunityCollection, Schema> = {
  files: idParams('md5, sha1 or sha256 of the file'),
  urls: idParams('sha256 of the URL, or the URL in unpadded base64url'),
  domains: idParams('Domain name (unicode names are stored in punycode)'),
  ip_addresses: idParams('IPv4 or IPv6 address'),
};
