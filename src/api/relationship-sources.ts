// The relationships routes serve, wired to services and renderers: analyses of files and URLs, comments and votes of files, and app/graph's catalog for files, URLs, domains and IPs.
import { graphRelationships, type GraphOwner } from '../app/graph/relationship-catalog.js';
import type { RelatedObject } from '../app/graph/graph-service.js';
import type { AppServices } from '../app/services.js';
import type { Analysis } from '../core/model/analysis.js';
import type { Comment, Vote } from '../core/model/community.js';
import { commentObject, commentObjectSchema, voteObject, voteObjectSchema } from './community-objects.js';
import type { Links } from './envelope.js';
import { analysisObject, descriptor } from './objects.js';
import { relatedDescriptor, relatedDescriptorSchema, relatedObject, relatedObjectSchema } from './related-objects.js';
import type { Relationship } from './relationship-routes.js';
import { analysisObjectSchema, descriptorSchema } from './schemas.js';

/** `analyses` of a file or URL, newest first; `list` is the owner's service call. */
export const analysesRelationship = (links: Links, description: string, list: Relationship<Analysis>['list']): Relationship<Analysis> => ({
  name: 'analyses',
  description,
  oneToOne: false,
  objectSchema: analysisObjectSchema,
  descriptorSchema: descriptorSchema('analysis'),
  list,
  object: (analysis) => analysisObject(links, analysis),
  descriptor: (analysis) => descriptor('analysis', analysis.id),
});

/** Every relationship app/graph has for the owner type, read through services.graph. */
export const graphRelationshipsOf = (owner: GraphOwner, services: AppServices, links: Links): Array<Relationship<RelatedObject>> =>
  graphRelationships[owner].map((spec) => ({
    name: spec.name,
    description: spec.description,
    oneToOne: spec.oneToOne,
    objectSchema: relatedObjectSchema(spec.target),
    descriptorSchema: relatedDescriptorSchema(spec.target),
    list: (id, principal, page) => services.graph.list(owner, id, spec.name, principal, page),
    object: (item) => relatedObject(links, item),
    descriptor: relatedDescriptor,
  }));

/**
 * A file's `comments` and `votes` as relationships: descriptors and ?relationships= from here, the
 * full objects from the community routes (GET /files/{id}/comments and /votes), which own that path.
 */
export const fileCommunityRelationships = (services: AppServices, links: Links): [Relationship<Comment>, Relationship<Vote>] => [
  {
    name: 'comments',
    description: 'Comments on the file, newest first.',
    oneToOne: false,
    fullFormElsewhere: true,
    objectSchema: commentObjectSchema,
    descriptorSchema: descriptorSchema('comment'),
    list: (id, principal, page) => services.community.listComments('files', id, principal, page),
    object: (comment) => commentObject(links, comment),
    descriptor: (comment) => descriptor('comment', comment.id),
  },
  {
    name: 'votes',
    description: 'Votes on the file, newest first.',
    oneToOne: false,
    fullFormElsewhere: true,
    objectSchema: voteObjectSchema,
    descriptorSchema: descriptorSchema('vote'),
    list: (id, principal, page) => services.community.listVotes('files', id, principal, page),
    object: (vote) => voteObject(links, vote),
    descriptor: (vote) => descriptor('vote', vote.id),
  },
];
