/** The day range of GET /users/{id}/api_usage: at most 30 days, within the last 60, dates as YYYYMMDD. */
import { AppError } from '../../core/errors.js';

export const MAX_USAGE_RANGE_DAYS = 30;
export const USAGE_LOOKBACK_DAYS = 60;

const DAY_MS = 86_400_000;

/** Days since the epoch of a YYYYMMDD parameter; InvalidArgumentError unless it is a real date. */
function parseDate(name: string, value: string): number {
  const m = /^(\d{4})(\d{2})(\d{2})$/.exec(value);
  const ms = m ? Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) : NaN;
  if (!m || Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 10).replaceAll('-', '') !== value) {
    throw new AppError('InvalidArgumentError', `${name} must be a date as YYYYMMDD, got "${value}"`);
  }
  return ms / DAY_MS;
}

const isoDay = (dayNumber: number): string => new Date(dayNumber * DAY_MS).toISOString().slice(0, 10);

/**
 * Every day (YYYY-MM-DD) of the requested range, oldest first. Without dates: the 30 days ending
 * today; with only start_date: 30 days from it, up to today; with only end_date: the 30 days ending then.
 */
export function usageDays(today: string, startDate?: string, endDate?: string): string[] {
  const todayN = Date.parse(`${today}T00:00:00Z`) / DAY_MS;
  const start = startDate === undefined ? undefined : parseDate('start_date', startDate);
  const end =
    endDate !== undefined ? parseDate('end_date', endDate) : start !== undefined ? Math.min(start + MAX_USAGE_RANGE_DAYS - 1, todayN) : todayN;
  const from = start ?? end - (MAX_USAGE_RANGE_DAYS - 1);
  if (from > end) throw new AppError('InvalidArgumentError', 'start_date must not be after end_date');
  if (end > todayN) throw new AppError('InvalidArgumentError', 'end_date must not be in the future');
  if (end - from + 1 > MAX_USAGE_RANGE_DAYS) {
    throw new AppError('InvalidArgumentError', `The range may span at most ${MAX_USAGE_RANGE_DAYS} days`);
  }
  if (from <= todayN - USAGE_LOOKBACK_DAYS) {
    throw new AppError('InvalidArgumentError', `The range must lie within the last ${USAGE_LOOKBACK_DAYS} days`);
  }
  return Array.from({ length: end - from + 1 }, (_, i) => isoDay(from + i));
}
