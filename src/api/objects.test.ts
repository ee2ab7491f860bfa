// Attribute rendering rules that keep vt-py working: reserved names and date values.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fullStats, safeAttributes } from './objects.js';

describe('objects', () => {
  it('drops vt-py reserved attribute names', () => {
    assert.deepEqual(safeAttributes({ id: 1, type: 2, relationships: 3, context_attributes: 4, error: 5, ok: 6 }), { ok: 6 });
  });

  it('keeps numeric dates and drops null, string or undefined ones', () => {
    assert.deepEqual(
      safeAttributes({ date: 1, last_login: null, user_since: '2020', creation_date: 5, first_seen_itw_date: null, x_date: Number.NaN, u: undefined, n: null }),
      { date: 1, creation_date: 5, n: null },
    );
  });

  it('always renders the eight stats keys', () => {
    assert.deepEqual(Object.keys(fullStats(null)).length, 8);
    assert.equal(fullStats({ malicious: 2 }).malicious, 2);
    assert.equal(fullStats({ malicious: 2 })['confirmed-timeout'], 0);
  });
});
