// The relationships Assay serves per object type: one list for /metadata, ?relationships= and routing.
import { graphRelationships } from '../app/graph/relationship-catalog.js';
import { AppError } from '../core/errors.js';

export type RelationshipOwner = 'file' | 'analysis' | 'url' | 'domain' | 'ip_address';

export interface RelationshipInfo {
  name: string;
  description: string;
}

/** /metadata shows VT's two keys only; targets and cardinality live in app/graph's catalog. */
const described = (specs: ReadonlyArray<RelationshipInfo>): RelationshipInfo[] => specs.map(({ name, description }) => ({ name, description }));

export const relationshipCatalog: Record<RelationshipOwner, readonly RelationshipInfo[]> = {
  file: [
    { name: 'analyses', description: 'Analyses of the file, newest first.' },
    { name: 'comments', description: 'Comments on the file, newest first.' },
    { name: 'votes', description: 'Votes on the file, newest first.' },
    ...described(graphRelationships.file),
  ],
  analysis: [{ name: 'item', description: 'The file or URL that was analysed.' }],
  url: [{ name: 'analyses', description: 'Analyses of the URL, newest first.' }, ...described(graphRelationships.url)],
  domain: described(graphRelationships.domain),
  ip_address: described(graphRelationships.ip_address),
};

const known = (owner: RelationshipOwner): string[] => relationshipCatalog[owner].map((r) => r.name);

/**
 * An unknown relationship is a 400 InvalidArgumentError, never a 404: VT's own code for it is
 * unconfirmed (vt-api-v3.md §4), and a 404 would read as "no such object" to vt-cli.
 */
export function unknownRelationship(owner: RelationshipOwner, name: string): AppError {
  return new AppError('InvalidArgumentError', `Unknown relationship "${name}" for ${owner} objects; known: ${known(owner).join(', ')}`);
}

/** Parses `?relationships=a,b`; empty entries are ignored, unknown names refused. */
export function parseRelationships(owner: RelationshipOwner, value: string | undefined): string[] {
  if (value === undefined) return [];
  const names = [...new Set(value.split(',').map((n) => n.trim()).filter(Boolean))];
  for (const name of names) if (!known(owner).includes(name)) throw unknownRelationship(owner, name);
  return names;
}
