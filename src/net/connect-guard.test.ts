/** The connect guard: every resolved address must pass the policy, and refusals say which address and why. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PluginError } from '../core/plugin.js';
import { AddressPolicy } from './address-policy.js';
import { createConnectGuard } from './connect-guard.js';
import type { HostResolver, ResolvedAddress } from './host-resolver.js';

const never = new AbortController().signal;
const v4 = (address: string): ResolvedAddress => ({ address, family: 4 });
const fixed =
  (answers: Record<string, ResolvedAddress[]>): HostResolver =>
  async (host) => {
    const found = answers[host];
    if (!found) throw Object.assign(new Error(`queryA ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
    return found;
  };

const resolver = fixed({
  'public.example': [v4('93.184.216.34'), { address: '2606:2800:220:1::1', family: 6 }],
  'www.public-looking.example': [v4('127.0.0.1')],
  'mixed.example': [v4('93.184.216.34'), v4('10.0.0.1')],
  'empty.example': [],
});
const guard = createConnectGuard(resolver, new AddressPolicy());

const refusedWith = (flag: string, message: string | RegExp) => (error: unknown) =>
  error instanceof PluginError && error.flag === flag && (typeof message === 'string' ? error.message === message : message.test(error.message));

test('a public name gets its first address', async () => {
  assert.deepEqual(await guard('public.example', never), v4('93.184.216.34'));
});

test('a name resolving to loopback is refused, naming the address and the range', async () => {
  await assert.rejects(
    guard('www.public-looking.example', never),
    refusedWith('address-refused', 'refused: www.public-looking.example resolves to 127.0.0.1 (loopback)'),
  );
});

test('one private address among public ones is enough to refuse', async () => {
  await assert.rejects(guard('mixed.example', never), refusedWith('address-refused', 'refused: mixed.example resolves to 10.0.0.1 (private)'));
});

test('names that do not resolve fail as dns-failed, retryable', async () => {
  await assert.rejects(guard('missing.example', never), (e) => refusedWith('dns-failed', /ENOTFOUND/)(e) && (e as PluginError).retryable);
  await assert.rejects(guard('empty.example', never), refusedWith('dns-failed', /no address/));
});

test('an allow-listed network passes, the rest of the range does not', async () => {
  const lab = createConnectGuard(fixed({ a: [v4('127.0.0.1')], b: [v4('127.0.0.2')] }), new AddressPolicy({ allow: ['127.0.0.1/32'] }));
  assert.deepEqual(await lab('a', never), v4('127.0.0.1'));
  await assert.rejects(lab('b', never), refusedWith('address-refused', /127\.0\.0\.2 \(loopback\)/));
});

test('an abort is passed on as the abort, not as a DNS failure', async () => {
  const controller = new AbortController();
  const hanging: HostResolver = (_host, signal) => new Promise((_resolve, reject) => signal.addEventListener('abort', () => reject(signal.reason)));
  const pending = createConnectGuard(hanging, new AddressPolicy())('x.example', controller.signal);
  controller.abort(new Error('stop'));
  await assert.rejects(pending, /stop/);
});
