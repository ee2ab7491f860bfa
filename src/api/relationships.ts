// The relationships Assay serves per object type: one list for /metadata, ?relationships= and routing.
import { AppError } from '../core/errors.js';

export const relationshipCatalog = {
  file: [{ name: 'analyses', description: 'Analyses of the file, newest first.' }],
  analysis: [{ name: 'item', description: 'The file that was analysed.' }],
} as const;

export type RelationshipOwner = keyof typeof relationshipCatalog;

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
