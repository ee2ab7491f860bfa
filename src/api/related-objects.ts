// Renders what a relationship of a file, URL, domain or IP points to (app/graph's RelatedObject) as full objects or descriptors, with their schemas.
import type { RelatedObject } from '../app/graph/graph-service.js';
import type { Descriptor, Links, VtObject } from './envelope.js';
import { relatedNetworkObject, resolutionObject, sslCertObject, whoisObject, domainObjectSchema, ipAddressObjectSchema, resolutionObjectSchema, sslCertObjectSchema, whoisObjectSchema } from './network-objects.js';
import { descriptor, fileObject } from './objects.js';
import { descriptorSchema, fileObjectSchema } from './schemas.js';
import { submissionObject, submissionObjectSchema } from './submission-objects.js';
import { unseenUrlObject, urlObject, urlObjectSchema } from './url-objects.js';

type Schema = Record<string, unknown>;

export function relatedObject(links: Links, item: RelatedObject): VtObject {
  switch (item.type) {
    case 'file':
      return fileObject(links, item.file);
    case 'url':
      return item.url ? urlObject(links, { url: item.url, votes: item.votes }) : unseenUrlObject(links, item.id, item.votes);
    case 'domain':
    case 'ip_address':
      return relatedNetworkObject(links, item.type, item.id, item.object, item.votes);
    case 'resolution':
      return resolutionObject(links, item.resolution);
    case 'whois':
      return whoisObject(links, item.history);
    case 'ssl_cert':
      return sslCertObject(links, item.history);
    case 'submission':
      return submissionObject(links, item.submission);
  }
}



export const relatedDescriptor = (item: RelatedObject): Descriptor => descriptor(item.type, item.id);

const objectSchemas: Record<string, Schema> = {
  file: fileObjectSchema,
  url: urlObjectSchema,
  domain: domainObjectSchema,
  ip_address: ipAddressObjectSchema,
  resolution: resolutionObjectSchema,
  whois: whoisObjectSchema,
  ssl_cert: sslCertObjectSchema,
  submission: submissionObjectSchema,
};

const schemaOf = (type: string): Schema => objectSchemas[type] ?? { type: 'object' };

/** The schema of a catalog target: one type, or `domain|ip_address` for either. */
export function relatedObjectSchema(target: string): Schema {
  const schemas = target.split('|').map(schemaOf);
  return schemas.length === 1 ? schemas[0]! : { oneOf: schemas };
}

export function relatedDescriptorSchema(target: string): Schema {
  const types = target.split('|');
  return descriptorSchema(types.length === 1 ? types[0]! : types);
}
