/** Public surface of feed import and scheduled refreshes. */
export { createFeedService, feedFormatNames, type FeedFormatName, type FeedService, type FeedServiceDeps } from './feed-service.js';
export {
  DEFAULT_FEED_INTERVAL_MS,
  FEED_RETRY_MS,
  FeedScheduleError,
  FeedScheduler,
  MIN_FEED_INTERVAL_MS,
  parseFeedSchedule,
  systemClock,
  type FeedSchedulerDeps,
  type FeedSchedulerLogger,
  type ScheduledFeed,
  type SchedulerClock,
} from './feed-schedule.js';
export { displaySourceOf, isHttpSource, openFeedSource, type OpenedFeed, type OpenFeedOptions } from './feed-source.js';
export { FeedHttpError, fetchFeed, type FeedFetch, type FetchedFeed } from './fetch-feed.js';
export { FEED_BATCH_SIZE, feedNameOf, importFeed, type ImportFeedDeps, type ImportFeedOptions, type ImportFeedResult } from './import-feed.js';
