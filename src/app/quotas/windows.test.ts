// UTC quota windows: ids, bounds, and the carries at hour, day, month and year ends.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { utcDay, windowAt } from './windows.js';

const s = (iso: string): number => Date.parse(iso) / 1000;
const iso = (seconds: number): string => new Date(seconds * 1000).toISOString();

describe('quota windows', () => {
  it('each window holds its instant, named and bounded in UTC', () => {
    const now = s('2024-02-29T23:59:59.900Z');
    const spans = (['minute', 'hour', 'day', 'month'] as const).map((w) => windowAt(w, now));
    assert.deepEqual(
      spans.map((w) => [w.window, w.id, iso(w.start), iso(w.end)]),
      [
        ['minute', '202402292359', '2024-02-29T23:59:00.000Z', '2024-03-01T00:00:00.000Z'],
        ['hour', '2024022923', '2024-02-29T23:00:00.000Z', '2024-03-01T00:00:00.000Z'],
        ['day', '20240229', '2024-02-29T00:00:00.000Z', '2024-03-01T00:00:00.000Z'],
        ['month', '202402', '2024-02-01T00:00:00.000Z', '2024-03-01T00:00:00.000Z'],
      ],
    );
  });

  it('a window starts exactly at its boundary and the year carries over', () => {
    assert.equal(windowAt('minute', s('2025-01-01T00:00:00Z')).id, '202501010000');
    assert.equal(iso(windowAt('month', s('2024-12-31T12:00:00Z')).end), '2025-01-01T00:00:00.000Z');
    assert.equal(iso(windowAt('day', s('2024-12-31T12:00:00Z')).end), '2025-01-01T00:00:00.000Z');
  });

  it('utcDay is the UTC date, whatever the local time zone', () => {
    assert.equal(utcDay(s('2025-03-10T23:59:59Z')), '2025-03-10');
    assert.equal(utcDay(s('2025-03-11T00:00:00Z')), '2025-03-11');
  });
});
