/** Client configuration: flags over environment, defaults, validation messages, frozen result. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ClientConfigError, DEFAULT_SERVER, loadClientConfig, requireApiKey } from './client-config.js';

test('defaults to the local server and no key', () => {
  const config = loadClientConfig({}, {});
  assert.deepEqual(config, { server: DEFAULT_SERVER });
  assert.ok(Object.isFrozen(config));
  assert.throws(() => requireApiKey(config), (e: unknown) => e instanceof ClientConfigError && /--apikey.*ASSAY_API_KEY/.test(e.message));
});

test('flags win over ASSAY_SERVER / ASSAY_API_KEY; empty values count as absent', () => {
  const env = { ASSAY_SERVER: 'http://env-host:9000', ASSAY_API_KEY: 'env-key' };
  assert.deepEqual(loadClientConfig({}, env), { server: 'http://env-host:9000', apiKey: 'env-key' });
  assert.deepEqual(loadClientConfig({ server: 'https://flag-host/', apikey: 'flag-key' }, env), { server: 'https://flag-host', apiKey: 'flag-key' });
  assert.deepEqual(loadClientConfig({ server: '', apikey: '' }, { ASSAY_SERVER: '', ASSAY_API_KEY: '' }), { server: DEFAULT_SERVER });
  assert.equal(requireApiKey(loadClientConfig({}, env)), 'env-key');
});

test('a server that is not an absolute http(s) URL is refused with the flag and variable named', () => {
  for (const server of ['localhost:8080', 'ftp://host', 'not a url']) {
    assert.throws(
      () => loadClientConfig({ server }, {}),
      (e: unknown) => e instanceof ClientConfigError && e.message.includes('--server / ASSAY_SERVER'),
    );
  }
  assert.equal(loadClientConfig({}, { ASSAY_SERVER: 'http://[::1]:8080//' }).server, 'http://[::1]:8080');
});
