/**
 * The windows quotas are counted in, as VirusTotal counts them: the UTC minute, hour, day and
 * month, fixed (aligned to the UTC clock) rather than sliding; docs/auth.md says why.
 */

export type QuotaWindow = 'minute' | 'hour' | 'day' | 'month';

export interface WindowSpan {
  window: QuotaWindow;
  /** Names the window in counter keys: 202501311259 (minute), 2025013112, 20250131, 202501. */
  id: string;
  /** Unix seconds: the window holds start <= t < end. */
  start: number;
  end: number;
}

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

/** Unix seconds of a UTC date; Date.UTC carries overflow (minute 60, month 12) into the next unit. */
const at = (y: number, mo: number, day = 1, h = 0, mi = 0): number => Date.UTC(y, mo, day, h, mi) / 1000;

/** Every request asks for the same few windows within a second; they are computed once per second. */
let memoSecond = Number.NaN;
const memo = new Map<QuotaWindow, WindowSpan>();

/** The window of kind `window` that holds `now` (Unix seconds). */
export function windowAt(window: QuotaWindow, now: number): WindowSpan {
  const second = Math.floor(now);
  if (second !== memoSecond) {
    memoSecond = second;
    memo.clear();
  }
  let span = memo.get(window);
  if (!span) memo.set(window, (span = computeWindow(window, second)));
  return span;
}

function computeWindow(window: QuotaWindow, now: number): WindowSpan {
  const d = new Date(Math.floor(now) * 1000);
  const [y, mo, day, h, mi] = [d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate(), d.getUTCHours(), d.getUTCMinutes()];
  const ymd = `${pad(y, 4)}${pad(mo + 1)}${pad(day)}`;
  switch (window) {
    case 'minute':
      return { window, id: `${ymd}${pad(h)}${pad(mi)}`, start: at(y, mo, day, h, mi), end: at(y, mo, day, h, mi + 1) };
    case 'hour':
      return { window, id: `${ymd}${pad(h)}`, start: at(y, mo, day, h), end: at(y, mo, day, h + 1) };
    case 'day':
      return { window, id: ymd, start: at(y, mo, day), end: at(y, mo, day + 1) };
    case 'month':
      return { window, id: `${pad(y, 4)}${pad(mo + 1)}`, start: at(y, mo, 1), end: at(y, mo + 1, 1) };
  }
}

/** The UTC day of `now` (Unix seconds) as YYYY-MM-DD, the form api_usage reports days in. */
export function utcDay(now: number): string {
  const { id } = windowAt('day', now);
  return `${id.slice(0, 4)}-${id.slice(4, 6)}-${id.slice(6, 8)}`;
}
