// VT's submission object: one accepted submission of a file, as the `submissions` relationship lists it.
import type { Submission } from '../core/model/submission.js';
import { pathSegment, type Links, type VtObject } from './envelope.js';
import { objectSchema } from './schemas.js';

/** VT's submission object; Assay records no submitter location, so country and city are null. */
export function submissionObject(links: Links, submission: Submission): VtObject {
  return {
    type: 'submission',
    id: submission.id,
    links: { self: links.api(`/submissions/${pathSegment(submission.id)}`) },
    attributes: {
      date: submission.date,
      interface: submission.interface,
      country: null,
      city: null,
      name: submission.name,
      source_key: submission.sourceKey,
    },
  };
}

export const submissionObjectSchema = objectSchema('submission', {
  type: 'object',
  required: ['date', 'interface'],
  properties: {
    date: { type: 'integer', description: 'Unix seconds' },
    interface: { type: 'string', description: '`api` (uploads and members of uploaded ZIPs) or `url` (bodies the URL job downloaded)' },
    country: { type: ['string', 'null'], description: 'Always null: not recorded' },
    city: { type: ['string', 'null'], description: 'Always null: not recorded' },
    name: { type: ['string', 'null'], description: 'The name it was submitted under' },
    source_key: { type: ['string', 'null'], description: 'Anonymised token of the submitter (8 hex)' },
  },
});
