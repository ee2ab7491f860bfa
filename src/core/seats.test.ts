/** Seats: never more calls at once than seats, in order, and a wait given up on abort takes no seat. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Seats } from './seats.js';

describe('Seats', () => {
  it('runs at most `size` calls at once and all of them in the end', async () => {
    const seats = new Seats(3);
    let running = 0;
    let most = 0;
    const done = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        seats.use(AbortSignal.timeout(10_000), async () => {
          most = Math.max(most, ++running);
          await new Promise((resolve) => setImmediate(resolve));
          running--;
          return i;
        }),
      ),
    );
    assert.equal(most, 3);
    assert.deepEqual(done, Array.from({ length: 20 }, (_, i) => i));
    assert.equal(seats.busy, 0);
  });

  it('a waiter whose signal aborts leaves with the reason and takes no seat; a throwing call gives its seat back', async () => {
    const seats = new Seats(1);
    let release!: () => void;
    const holding = seats.use(AbortSignal.timeout(10_000), () => new Promise<void>((resolve) => (release = resolve)));
    const controller = new AbortController();
    const waiting = seats.use(controller.signal, async () => 'ran');
    controller.abort(new Error('gave up'));
    await assert.rejects(waiting, /gave up/);
    release();
    await holding;
    await assert.rejects(seats.use(AbortSignal.timeout(10_000), async () => { throw new Error('boom'); }), /boom/);
    assert.equal(await seats.use(AbortSignal.timeout(10_000), async () => 'next'), 'next');
    assert.equal(seats.busy, 0);
  });

  it('refuses a size that is not a positive integer', () => {
    assert.throws(() => new Seats(0));
    assert.throws(() => new Seats(1.5));
  });
});
