/**
 * An object type's relationships in VT's three forms (vt-api-v3 §4): /{coll}/{id}/{rel} with full
 * objects, /{coll}/{id}/relationships/{rel} with descriptors, and the entries ?relationships= adds
 * to the object. One-to-one relationships give a single object or descriptor, or null.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Principal } from '../app/principal.js';
import type { Page } from '../core/model/page.js';
import { principalOf, type EndpointGroup } from './auth.js';
import { collection, pathSegment, type Descriptor, type Links, type RelationshipEntry, type VtObject } from './envelope.js';
import { DEFAULT_PAGE_SIZE, pageSize } from './params.js';
import { unknownRelationship, type RelationshipOwner } from './relationships.js';
import { collectionOf, pageQuery } from './schemas.js';

type Schema = Record<string, unknown>;

/** One relationship: how to read a page of it and how to render what it holds. */
export interface Relationship<T> {
  name: string;
  description: string;
  oneToOne: boolean;
  /**
   * The full-object form (`/{coll}/{id}/{rel}`) is another route's (files' comments and votes are
   * community routes): only the descriptor form and ?relationships= are served from here.
   */
  fullFormElsewhere?: boolean;
  /** openapi.json: the related objects and their descriptors. */
  objectSchema: Schema;
  descriptorSchema: Schema;
  /** `id` as the path gives it (or the object's canonical id, for ?relationships=). */
  list(id: string, principal: Principal, page: { limit: number; cursor?: string }): Promise<Page<T>>;
  // Method syntax on purpose: it lets relationships over different item types share one list.
  object(item: T): VtObject;
  descriptor(item: T): Descriptor;
}

/** The relationships of one collection and how its routes are counted and documented. */
export interface RelationshipSet {
  owner: RelationshipOwner;
  /** Path segment of the collection: files, urls, domains, ip_addresses. */
  collection: string;
  endpointGroup: EndpointGroup;
  tags: string[];
  params: Schema;
  relationships: ReadonlyArray<Relationship<unknown>>;
}

interface RelationshipRoute {
  Params: { id: string };
  Querystring: { limit?: number; cursor?: string };
}

const nullable = (schema: Schema): Schema => ({ oneOf: [schema, { type: 'null' }] });

const oneToOneLinksSchema: Schema = { type: 'object', properties: { self: { type: 'string' }, related: { type: 'string' } } };

/** Registers both forms of every relationship of the set, and refuses other names with 400 (not 404). */
export function registerRelationshipRoutes(app: FastifyInstance, set: RelationshipSet, links: Links): void {
  const config = { endpointGroup: set.endpointGroup };
  const base = `/api/v3/${set.collection}/:id`;

  for (const rel of set.relationships) {
    const fullSchema = rel.oneToOne
      ? { type: 'object', required: ['data'], properties: { data: nullable(rel.objectSchema) } }
      : collectionOf(rel.objectSchema);
    const descriptorsSchema = rel.oneToOne
      ? { type: 'object', required: ['data', 'links'], properties: { data: nullable(rel.descriptorSchema), links: oneToOneLinksSchema } }
      : collectionOf(rel.descriptorSchema);
    // One-to-one relationships are not paged: no limit or cursor to document.
    const querystring = rel.oneToOne ? {} : { querystring: pageQuery };

    if (!rel.fullFormElsewhere) app.get<RelationshipRoute>(
      `${base}/${rel.name}`,
      { config, schema: { summary: rel.description, tags: set.tags, params: set.params, ...querystring, response: { 200: fullSchema } } },
      async (request) => {
        if (rel.oneToOne) return { data: await single(rel, request, (item) => rel.object(item)) };
        return page(rel, request, (item) => rel.object(item));
      },
    );

    app.get<RelationshipRoute>(
      `${base}/relationships/${rel.name}`,
      {
        config,
        schema: { summary: `Descriptors: ${rel.description}`, tags: set.tags, params: set.params, ...querystring, response: { 200: descriptorsSchema } },
      },
      async (request) => {
        if (!rel.oneToOne) return page(rel, request, (item) => rel.descriptor(item));
        const object = links.api(`/${set.collection}/${pathSegment(request.params.id)}`);
        const data = await single(rel, request, (item) => rel.descriptor(item));
        return { data, links: { self: `${object}/relationships/${rel.name}`, related: `${object}/${rel.name}` } };
      },
    );
  }

  // Relationships VT has and Assay does not: refused by name (see relationships.ts), not a 404.
  const refuse = async (request: FastifyRequest<{ Params: { relationship: string } }>) => {
    throw unknownRelationship(set.owner, request.params.relationship);
  };
  const hidden = { config, schema: { hide: true } };
  app.get(`${base}/:relationship`, hidden, refuse);
  app.get(`${base}/relationships/:relationship`, hidden, refuse);

  async function single<T, R>(rel: Relationship<T>, request: FastifyRequest<RelationshipRoute>, render: (item: T) => R): Promise<R | null> {
    const found = await rel.list(request.params.id, principalOf(request), { limit: 1 });
    const item = found.items[0];
    return item === undefined ? null : render(item);
  }

  async function page<T, R>(rel: Relationship<T>, request: FastifyRequest<RelationshipRoute>, render: (item: T) => R) {
    const limit = pageSize(request.query.limit);
    const found = await rel.list(request.params.id, principalOf(request), { limit, cursor: request.query.cursor });
    const body = collection(found.items.map(render), found.cursor, links.self(request), (cursor) => links.next(request, cursor, limit));
    if (request.query.cursor === undefined && isEmpty(found)) body.meta = { count: 0 };
    return body;
  }
}

/**
 * The `relationships` map of an object for the names asked for: the first page of descriptors, with
 * meta.cursor and links.next when there is more. `self` is the object's own link.
 */
export async function inlineRelationships(
  set: RelationshipSet,
  self: string,
  id: string,
  principal: Principal,
  wanted: readonly string[],
): Promise<Record<string, RelationshipEntry>> {
  const chosen = wanted.flatMap((name) => set.relationships.filter((rel) => rel.name === name));
  const entries = await Promise.all(
    chosen.map(async (rel): Promise<[string, RelationshipEntry]> => {
      const entryLinks = { self: `${self}/relationships/${rel.name}`, related: `${self}/${rel.name}` };
      const found = await rel.list(id, principal, { limit: rel.oneToOne ? 1 : DEFAULT_PAGE_SIZE });
      if (rel.oneToOne) {
        const item = found.items[0];
        return [rel.name, { data: item === undefined ? null : rel.descriptor(item), links: entryLinks }];
      }
      const entry: RelationshipEntry = { data: found.items.map((item) => rel.descriptor(item)), links: entryLinks };
      if (isEmpty(found)) entry.meta = { count: 0 };
      if (found.cursor && found.items.length > 0) {
        entry.meta = { cursor: found.cursor };
        entry.links.next = `${entryLinks.self}?${new URLSearchParams({ cursor: found.cursor, limit: String(DEFAULT_PAGE_SIZE) })}`;
      }
      return [rel.name, entry];
    }),
  );
  return Object.fromEntries(entries);
}

/**
 * A first page with nothing and no more to come: VT's empty relationship, `meta: {count: 0}`. Other
 * pages carry no count: a page filtered for visibility cannot tell the total cheaply.
 */
const isEmpty = (page: Page<unknown>): boolean => page.items.length === 0 && !page.cursor;
