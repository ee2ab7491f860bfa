// Domain and IP address endpoints, failures: invalid names and addresses, unknown relationships, bad pages.
import { after, before, describe, it } from 'node:test';
import { alice, assertError, createTestApp, type TestApp } from '../testing/harness.js';

describe('domains and ip_addresses: errors', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp();
  });
  after(async () => {
    await t.close();
  });

  const get = (url: string) => t.app.inject({ method: 'GET', url, headers: alice });
  const post = (url: string) => t.app.inject({ method: 'POST', url, headers: alice });

  it('a domain with characters no name holds, or an address as a domain: 400 InvalidArgumentError everywhere', async () => {
    for (const name of ['bad$name.example', 'exa%20mple.com', 'a..example', `${'a'.repeat(64)}.example`, '192.0.2.1', '1.2.3']) {
      assertError(await get(`/api/v3/domains/${name}`), 400, 'InvalidArgumentError', /not a valid domain name/);
      assertError(await post(`/api/v3/domains/${name}/analyse`), 400, 'InvalidArgumentError');
      assertError(await get(`/api/v3/domains/${name}/subdomains`), 400, 'InvalidArgumentError');
      assertError(await get(`/api/v3/domains/${name}/relationships/parent`), 400, 'InvalidArgumentError');
    }
  });

  it('an invalid address: 400 InvalidArgumentError everywhere', async () => {
    for (const address of ['256.1.1.1', '01.2.3.4', 'example.com', 'fe80::1%25eth0', '1.2.3']) {
      assertError(await get(`/api/v3/ip_addresses/${address}`), 400, 'InvalidArgumentError', /not a valid IP address/);
      assertError(await post(`/api/v3/ip_addresses/${address}/analyse`), 400, 'InvalidArgumentError');
      assertError(await get(`/api/v3/ip_addresses/${address}/resolutions`), 400, 'InvalidArgumentError');
    }
  });

  it('an unknown relationship: 400 InvalidArgumentError in every form; domain-only names are unknown for addresses', async () => {
    assertError(await get('/api/v3/domains/example.com/mx_records'), 400, 'InvalidArgumentError', /Unknown relationship "mx_records" for domain objects/);
    assertError(await get('/api/v3/domains/example.com/relationships/mx_records'), 400, 'InvalidArgumentError');
    assertError(await get('/api/v3/domains/example.com?relationships=parent,mx_records'), 400, 'InvalidArgumentError', /Unknown relationship "mx_records"/);
    assertError(await get('/api/v3/ip_addresses/192.0.2.1/parent'), 400, 'InvalidArgumentError', /Unknown relationship "parent" for ip_address objects/);
    assertError(await get('/api/v3/ip_addresses/192.0.2.1/relationships/subdomains'), 400, 'InvalidArgumentError');
    assertError(await get('/api/v3/ip_addresses/192.0.2.1?relationships=siblings'), 400, 'InvalidArgumentError');
  });

  it('a bad cursor or limit: 400 InvalidArgumentError', async () => {
    assertError(await get('/api/v3/domains/example.com/subdomains?cursor=garbage'), 400, 'InvalidArgumentError', 'Invalid cursor');
    assertError(await get('/api/v3/ip_addresses/192.0.2.1/urls?limit=-1'), 400, 'InvalidArgumentError');
  });
});
