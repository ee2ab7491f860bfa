/** The page capturer contract every capturer's test runs (runPageCapturerContract) over the real component. Not a test on its own. */
import assert from 'node:assert/strict';
import type { PageCapturer } from '../core/plugin.js';
import { runPluginContract } from '../pipeline/testing/plugin-contract.js';

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

export interface CapturerFixtures {
  /** A page the capturer can render (its test's own server, known once the server listens). */
  url: () => string;
}

export function runPageCapturerContract(name: string, makeCapturer: () => PageCapturer | Promise<PageCapturer>, fixtures: CapturerFixtures): void {
  runPluginContract({
    kind: 'page-capturer',
    name,
    makePlugin: makeCapturer,
    subject: { kind: 'url' },
    call: (capturer, signal) => capturer.capture(fixtures.url(), signal),
    check: (shot: { png: Buffer; refusedRequests: number }) => {
      assert.deepEqual(shot.png.subarray(0, 8), PNG_SIGNATURE);
      assert.ok(Number.isInteger(shot.refusedRequests) && shot.refusedRequests >= 0);
    },
    timeoutMs: 60_000,
  });
}
