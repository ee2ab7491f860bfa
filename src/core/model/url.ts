/** A URL object, known by the sha256 of its canonical form. */
import type { SubmittedItem } from './submitted-item.js';

/** Its vote totals live in the community tables (vote_totals) and the app adds them when rendering. */
export interface UrlObject extends SubmittedItem {
  /** sha256 hex of the canonical URL. */
  id: string;
  /** As first submitted (VT's `url`). */
  url: string;
  canonicalUrl: string;
}
