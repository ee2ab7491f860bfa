// The relationships routes serve, wired to services and renderers: analyses of files and URLs, and app/graph's catalog for URLs, domains and IPs.
import { graphRelationships, type GraphOwner } from '../app/graph/relationship-catalog.js';
import type { RelatedObject } from '../app/graph/graph-service.js';
import type { AppServices } from '../app/services.js';
import type { Analysis } from '../core/model/analysis.js';
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
