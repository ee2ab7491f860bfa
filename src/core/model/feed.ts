/** Imported URL feeds (blocklists): what was imported, and one listed URL or host. */

export interface FeedInfo {
  /** The engine name in last_analysis_results, e.g. `URLhaus`, `OpenPhish`, or the user's name for a plain list. */
  name: string;
  format: string;
  entries: number;
  /** Unix seconds: when imported, and the feed's own date (the newest entry's date, else import time). */
  importedAt: number;
  feedDate: number;
  /** Where it came from (path or URL), for scheduled refreshes. */
  source: string | null;
}

export interface FeedEntry {
  /** sha256 of the canonical URL; empty for a host-only entry. */
  urlId: string;
  /** Lower-case punycode host, for domain and IP reports. */
  host: string;
  /** The feed's label for it (URLhaus threat, PhishTank target...) or null. */
  threat: string | null;
  /** Unix seconds, when the feed gives one. */
  addedAt: number | null;
}
