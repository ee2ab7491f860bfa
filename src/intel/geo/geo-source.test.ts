/** The geo source on the installed ip-location-db databases: well-known addresses, IPv6, readiness and limits. */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { PluginError, type Readiness } from '../../core/plugin.js';
import { AsnTable } from './asn-table.js';
import { continentOf, knownCountryCount } from './continents.js';
import { GeoSource } from './geo-source.js';
import { runIntelSourceContract } from '../contract.case.test.js';

const signal = () => AbortSignal.timeout(30_000);

describe('GeoSource on the bundled databases', () => {
  const source = new GeoSource();
  let readiness: Readiness;
  before(async () => {
    readiness = await source.start();
    assert.equal(readiness.ready, true, readiness.detail);
  });
  after(() => source.close());

  it('says which databases loaded and credits them', () => {
    const { detail, signatureVersion } = readiness;
    assert.match(detail ?? '', /country: geo-whois-asn-country\.mmdb/);
    assert.match(detail ?? '', /ASN: asn-ipv4-num\.csv \+ asn-ipv6-num\.csv/);
    assert.match(detail ?? '', /CC BY 4\.0/);
    assert.match(signatureVersion ?? '', /^\d{8}$/);
  });

  it('8.8.8.8 is Google, US, North America', async () => {
    const { attributes } = await source.lookup({ kind: 'ip', address: '8.8.8.8' }, signal());
    assert.deepEqual(attributes, { asn: 15169, as_owner: 'Google LLC', country: 'US', continent: 'NA' });
  });

  it('1.1.1.1 is Cloudflare', async () => {
    const { attributes } = await source.lookup({ kind: 'ip', address: '1.1.1.1' }, signal());
    assert.equal(attributes.asn, 13335);
    assert.equal(attributes.as_owner, 'Cloudflare, Inc.');
    assert.equal(typeof attributes.country, 'string');
  });

  it('answers IPv6 addresses', async () => {
    const { attributes } = await source.lookup({ kind: 'ip', address: '2001:4860:4860::8888' }, signal());
    assert.equal(attributes.asn, 15169);
    assert.equal(attributes.country, 'US');
    assert.equal(attributes.continent, 'NA');
  });

  it('a private address has no ASN and no country', async () => {
    const { attributes } = await source.lookup({ kind: 'ip', address: '10.1.2.3' }, signal());
    assert.deepEqual(attributes, {});
  });

  it('refuses domains and non-addresses', async () => {
    await assert.rejects(source.lookup({ kind: 'domain', name: 'example.com' }, signal()), { flag: 'type-unsupported' });
    await assert.rejects(source.lookup({ kind: 'ip', address: '999.1.1.1' }, signal()), (e: unknown) => e instanceof PluginError && e.flag === 'bad-address');
  });
});

describe('AsnTable', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'assay-asn-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('reads quoted owners and finds ranges nested in wider ones', async () => {
    const v4 = path.join(dir, 'v4.csv');
    await writeFile(
      v4,
      [
        '16777216,16777471,13335,"Cloudflare, Inc."',
        '35309568,35313663,201907,"LLC ""SPUTNIK"""',
        '3596550144,3607166975,749,United States Department of Defense (DoD)',
        '3607101440,3607167999,721,DoD Network Information Center',
        '',
      ].join('\n'),
    );
    const table = await AsnTable.load(v4, undefined);
    assert.deepEqual(table.lookup('1.0.0.1'), { asn: 13335, owner: 'Cloudflare, Inc.' });
    assert.deepEqual(table.lookup('2.26.200.1'), { asn: 201907, owner: 'LLC "SPUTNIK"' });
    // 214.96.0.0 lies in the wide DoD block, before the nested one starts.
    assert.equal(table.lookup('214.96.0.0')?.asn, 749);
    assert.equal(table.lookup('215.1.2.3')?.asn, 721);
    assert.equal(table.lookup('9.9.9.9'), undefined);
    assert.equal(table.stats().ipv4Ranges, 4);
  });

  it('refuses a table that is not sorted', async () => {
    const v4 = path.join(dir, 'unsorted.csv');
    await writeFile(v4, '200,300,1,a\n100,150,2,b\n');
    await assert.rejects(AsnTable.load(v4, undefined), /not sorted/);
  });
});

describe('continents', () => {
  it('maps every ISO country code once', () => {
    assert.equal(knownCountryCount(), 252); // 249 ISO 3166-1 codes, XK, and the RIR codes EU and AP
    assert.equal(continentOf('us'), 'NA');
    assert.equal(continentOf('BR'), 'SA');
    assert.equal(continentOf('AU'), 'OC');
    assert.equal(continentOf('ZZ'), undefined);
  });
});

runIntelSourceContract('geo', () => new GeoSource(), { target: { kind: 'ip', address: '8.8.8.8' } });
