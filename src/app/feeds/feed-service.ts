/** The feeds use cases as one service: threat feeds, passive DNS and popularity lists into the store, and the feeds imported. Admins only. */
import { AppError } from '../../core/errors.js';
import type { FeedInfo } from '../../core/model/feed.js';
import { feedFormats, type FeedFormatName } from '../../feeds/index.js';
import type { Store } from '../../store/ports/store.js';
import type { Principal } from '../principal.js';
import { importFeed, type ImportFeedOptions, type ImportFeedResult } from './import-feed.js';
import { importPassiveDns, type ImportPassiveDnsOptions, type ImportPassiveDnsResult } from './import-passive-dns.js';
import { importPopularity, type ImportPopularityOptions, type ImportPopularityResult } from './import-popularity.js';

export type { FeedFormatName };

/** The threat-feed formats `importFeed` reads, by name. */
export const feedFormatNames = Object.keys(feedFormats) as FeedFormatName[];

export interface FeedService {
  /** A threat feed into the blocklist entries; a re-import of the same feed replaces it whole. */
  importFeed(options: ImportFeedOptions, principal: Principal): Promise<ImportFeedResult>;
  /** Passive-DNS JSON lines into resolutions. */
  importPassiveDns(options: ImportPassiveDnsOptions, principal: Principal): Promise<ImportPassiveDnsResult>;
  /** A top-sites list into popularity ranks. */
  importPopularity(options: ImportPopularityOptions, principal: Principal): Promise<ImportPopularityResult>;
  list(principal: Principal): Promise<FeedInfo[]>;
}

export interface FeedServiceDeps {
  store: Pick<Store, 'feeds' | 'resolutions' | 'popularity'>;
  now: () => number;
  /** Where downloaded feeds are spooled before import; default the system's temporary directory. */
  spoolDir?: string;
}

function requireAdmin(principal: Principal): void {
  if (!principal.isAdmin) throw new AppError('ForbiddenError', 'Importing and listing feeds requires an admin');
}

export function createFeedService(deps: FeedServiceDeps): FeedService {
  const spool = deps.spoolDir === undefined ? {} : { spoolDir: deps.spoolDir };
  return {
        async importFeed(options, principal) {
      requireAdmin(principal);
      return importFeed(deps, { ...spool, ...options });
    },
    async importPassiveDns(options, principal) {
      requireAdmin(principal);
      return importPassiveDns(deps, { ...spool, ...options });
    },
    async importPopularity(options, principal) {
      requireAdmin(principal);
      return importPopularity(deps, { ...spool, ...options });
    },
    async list(principal) {
      requireAdmin(principal);
      return deps.store.feeds.list();
    },
  };
}
