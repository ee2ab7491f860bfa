/**
 * File relationships through the routes, over the real services on SQLite and a real 7zz: every VT
 * name answers; bundled_files / compressed_parents from password-ZIP uploads, submissions, itw_*
 * from the URL job's edges, embedded_* edges, comments and votes; private items stay hidden.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { addMember, createGroup, createUser, type AccountDeps } from '../../app/accounts/index.js';
import { createServices } from '../../app/create-services.js';
import { HashPool } from '../../app/intake/hash-pool.js';
import { createIntake } from '../../app/intake/intake.js';
import { TempBlobStore } from '../../app/intake/testing/temp-blob-store.js';
import { graphRelationships } from '../../app/graph/relationship-catalog.js';
import { loadConfig } from '../../config/config.js';
import { urlIdOf } from '../../core/url-ids.js';
import type { JobQueue } from '../../queue/queue.js';
import type { Store } from '../../store/ports/store.js';
import { openSqlite } from '../../store/sqlite/open-sqlite.js';
import { SevenZipUnpacker } from '../../unpackers/seven-zip/seven-zip-unpacker.js';
import { buildApp } from '../build-app.js';
import { relationshipCatalog } from '../relationships.js';
import { BASE, multipart } from '../testing/harness.js';

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

const sha256 = (b: string | Buffer) => createHash('sha256').update(b).digest('hex');
const md5 = (b: string | Buffer) => createHash('md5').update(b).digest('hex');
const tiers = { public: { privileges: [] }, premium: { privileges: ['download', 'private_scanning'] } };

/** VT's file relationship names (vt-api-v3.md §4, from vt-cli's generated pages). */
const VT_FILE_RELATIONSHIPS = [
  'analyses', 'behaviours', 'bundled_files', 'carbonblack_children', 'carbonblack_parents', 'collections', 'comments',
  'compressed_parents', 'contacted_domains', 'contacted_ips', 'contacted_urls', 'dropped_files', 'email_attachments',
  'email_parents', 'embedded_domains', 'embedded_ips', 'embedded_urls', 'execution_parents', 'graphs', 'itw_domains',
  'itw_ips', 'itw_urls', 'memory_pattern_domains', 'memory_pattern_ips', 'memory_pattern_urls', 'overlay_children',
  'overlay_parents', 'pcap_children', 'pcap_parents', 'pe_resource_children', 'pe_resource_parents', 'related_references',
  'related_threat_actors', 'screenshots', 'sigma_analysis', 'similar_files', 'submissions', 'urls_for_embedded_js',
  'user_votes', 'votes',
];

const skip7zz = (() => {
  try {
    execFileSync('7zz', ['i'], { stdio: 'ignore' });
    return false;
  } catch {
    return '7zz (7zip) is not installed';
  }
})();

describe('file relationships', { skip: skip7zz }, () => {
  let store: Store;
  let blobs: TempBlobStore;
  let hashPool: HashPool;
  let app: FastifyInstance;
  let work: string;
  const keys: Record<string, { 'x-apikey': string }> = {};
  let clock = 1_700_000_000_000;

  before(async () => {
    work = mkdtempSync(path.join(tmpdir(), 'assay-file-rel-'));
    store = (await openSqlite(':memory:')).store;
    await store.migrate();
    blobs = await TempBlobStore.create('assay-file-rel-blobs-');
    hashPool = new HashPool();
    const now = () => clock;
    const queue = { enqueue: async () => 'job', onEnqueued: () => {} } as unknown as JobQueue;
    const unpacker = new SevenZipUnpacker({ timeoutMs: 60_000 });
    await unpacker.start();
    const intake = createIntake({
      store,
      blobs,
      queue,
      hashPool,
      unpacker,
      unpackLimits: { maxTotalBytes: 1024 * 1024, maxEntries: 8 },
      workDir: path.join(blobs.root, 'work'),
      now,
    });
    const services = createServices({ store, blobs, queue, intake, uploadUrlTtlMs: 60_000, now, isReady: () => true, tiers });
    const deps: AccountDeps = { store, now, tiers };
    await createGroup(deps, { name: 'soc' });
    // Premium: the public tier's 4 requests a minute would throttle the test, not what it checks.
    for (const [name, input] of Object.entries({ alice: { tier: 'premium' }, bob: { tier: 'premium' }, carol: { tier: 'premium' } })) {
      keys[name] = { 'x-apikey': (await createUser(deps, { name, ...input })).apiKey };
    }
    await addMember(deps, 'soc', 'alice');
    await addMember(deps, 'soc', 'carol');
    const config = loadConfig({ dataDir: blobs.root }, {});
    app = await buildApp({ services, config, logger: false, publicBaseUrl: () => `${BASE}/` });
  });

  after(async () => {
    await app?.close();
    await store?.close();
    await blobs?.destroy();
    await hashPool?.close();
    rmSync(work, { recursive: true, force: true });
  });

  const get = async (url: string, who = 'bob') => {
    const res = await app.inject({ method: 'GET', url: `/api/v3${url}`, headers: keys[who] });
    return { status: res.statusCode, json: res.json() as Json };
  };

  function zipOf(name: string, files: Record<string, string>): Buffer {
    const dir = mkdtempSync(path.join(work, 'zip-'));
    for (const [file, content] of Object.entries(files)) writeFileSync(path.join(dir, file), content);
    execFileSync('7zz', ['a', '-bd', '-y', '-tzip', '-pinfected', name, ...Object.keys(files)], { cwd: dir, stdio: 'ignore' });
    return readFileSync(path.join(dir, name));
  }

  async function upload(content: Buffer | string, filename: string, who: string, fields: Record<string, string> = {}) {
    const body = multipart([{ name: 'file', filename, content }, ...Object.entries(fields).map(([name, value]) => ({ name, content: value }))]);
    const res = await app.inject({ method: 'POST', url: '/api/v3/files', payload: body.payload, headers: { ...body.headers, ...keys[who] } });
    assert.equal(res.statusCode, 200, res.body);
    clock += 1000;
  }

  it('lists every relationship name VT documents for files, in /metadata order, and nothing VT lacks', () => {
    assert.deepEqual(relationshipCatalog.file.map((r) => r.name).sort(), [...VT_FILE_RELATIONSHIPS].sort());
  });

  it('a password ZIP: the ZIP is kept, bundled_files lists its members, each member has the ZIP as compressed parent', async () => {
    const members = { 'a.txt': `first member ${Date.now()}\n`, 'b.txt': `second member ${Date.now()}\n` };
    const zip = zipOf('pair.zip', members);
    await upload(zip, 'pair.zip', 'bob', { password: 'infected' });

    const zipObject = await get(`/files/${sha256(zip)}`);
    assert.equal(zipObject.status, 200, 'the ZIP is a file now');
    assert.deepEqual(zipObject.json.data.attributes.names, ['pair.zip']);

    const full = await get(`/files/${sha256(zip)}/bundled_files`);
    assert.equal(full.status, 200);
    assert.deepEqual(full.json.data.map((f: Json) => f.id).sort(), Object.values(members).map(sha256).sort());
    assert.equal(full.json.data[0].type, 'file');
    assert.ok(full.json.data[0].attributes.names.length === 1);

    // Paged with limit and cursor, as vt-py's iterator reads them.
    const seen: string[] = [];
    let url = `/files/${md5(zip)}/relationships/bundled_files?limit=1`;
    for (let i = 0; i < 5 && url; i++) {
      const page = await get(url);
      assert.equal(page.status, 200);
      seen.push(...page.json.data.map((d: Json) => { assert.deepEqual(Object.keys(d).sort(), ['id', 'type']); return d.id; }));
      url = page.json.meta.cursor ? `/files/${md5(zip)}/relationships/bundled_files?limit=1&cursor=${encodeURIComponent(page.json.meta.cursor)}` : '';
    }
    assert.deepEqual(seen.sort(), Object.values(members).map(sha256).sort());

    for (const content of Object.values(members)) {
      const parents = await get(`/files/${sha256(content)}/compressed_parents`);
      assert.deepEqual(parents.json.data.map((f: Json) => f.id), [sha256(zip)]);
      const inline = await get(`/files/${sha256(content)}?relationships=compressed_parents,bundled_files`);
      assert.deepEqual(inline.json.data.relationships.compressed_parents.data, [{ type: 'file', id: sha256(zip) }]);
      assert.deepEqual(inline.json.data.relationships.bundled_files.data, []);
      assert.deepEqual(inline.json.data.relationships.bundled_files.meta, { count: 0 });
    }
  });

  it("submissions: VT's submission objects, newest first; a private one only to its owner's group", async () => {
    const content = `submitted three times ${Date.now()}\n`;
    await upload(content, 'first.bin', 'bob');
    await upload(content, 'secret-name.bin', 'alice', { private: 'true' });
    await upload(content, 'third.bin', 'carol');

    const forBob = await get(`/files/${sha256(content)}/submissions`);
    assert.equal(forBob.status, 200);
    assert.deepEqual(forBob.json.data.map((s: Json) => s.attributes.name), ['third.bin', 'first.bin']);
    const first = forBob.json.data[1];
    assert.equal(first.type, 'submission');
    assert.match(first.id, new RegExp(`^f-${sha256(content)}-\\d+-[0-9a-f]{4}$`));
    assert.equal(first.attributes.interface, 'api');
    assert.equal(first.attributes.country, null);
    assert.equal(first.attributes.city, null);
    assert.match(first.attributes.source_key, /^[0-9a-f]{8}$/);
    assert.ok(Number.isInteger(first.attributes.date));
    assert.notEqual(forBob.json.data[0].attributes.source_key, first.attributes.source_key, 'one key per submitter');

    // alice and carol share the group that owns the private submission.
    for (const member of ['alice', 'carol']) {
      const names = (await get(`/files/${sha256(content)}/submissions`, member)).json.data.map((s: Json) => s.attributes.name);
      assert.deepEqual(names, ['third.bin', 'secret-name.bin', 'first.bin']);
    }
    const descriptors = await get(`/files/${sha256(content)}/relationships/submissions?limit=1`);
    assert.equal(descriptors.json.data.length, 1);
    assert.ok(descriptors.json.meta.cursor);
  });

  it('a private ZIP: its members and their parent are hidden from others; a public copy of a member shows no private parent', async () => {
    const shared = `also uploaded publicly ${Date.now()}\n`;
    const hidden = `only in the private zip ${Date.now()}\n`;
    const zip = zipOf('private.zip', { 'shared.txt': shared, 'hidden.txt': hidden });
    await upload(zip, 'private.zip', 'alice', { password: 'infected', private: 'true' });
    await upload(shared, 'shared.txt', 'bob');

    assert.equal((await get(`/files/${sha256(zip)}/bundled_files`, 'bob')).status, 404);
    assert.equal((await get(`/files/${sha256(zip)}/relationships/bundled_files`, 'bob')).status, 404);
    assert.equal((await get(`/files/${sha256(hidden)}/compressed_parents`, 'bob')).status, 404);
    const publicCopy = await get(`/files/${sha256(shared)}/compressed_parents`, 'bob');
    assert.equal(publicCopy.status, 200);
    assert.deepEqual(publicCopy.json.data, []);

    assert.deepEqual((await get(`/files/${sha256(shared)}/compressed_parents`, 'carol')).json.data.map((f: Json) => f.id), [sha256(zip)]);
    const members = (await get(`/files/${sha256(zip)}/bundled_files`, 'carol')).json.data.map((f: Json) => f.id).sort();
    assert.deepEqual(members, [sha256(shared), sha256(hidden)].sort());
    // The public copy's submissions show bob's upload to bob, and the private member submission only to the group.
    assert.deepEqual((await get(`/files/${sha256(shared)}/submissions`, 'bob')).json.data.map((s: Json) => s.attributes.name), ['shared.txt']);
    assert.equal((await get(`/files/${sha256(shared)}/submissions`, 'carol')).json.data.length, 2);
  });

  it('itw_urls, itw_domains and itw_ips read the URL job\'s downloaded_files edges backwards; embedded_* list their edges', async () => {
    const body = `served by a url ${Date.now()}\n`;
    await upload(body, 'payload.bin', 'bob');
    const url = 'http://downloads.example.test/payload.bin';
    const urlId = urlIdOf(url);
    const at = Math.floor(clock / 1000);
    const edge = (fromType: 'url' | 'domain' | 'ip_address', fromId: string, name: string, toType: 'file' | 'url' | 'domain' | 'ip_address', toId: string) => ({
      fromType, fromId, name, toType, toId, source: 'url-fetch', at,
    });
    await store.relations.upsert([
      edge('url', urlId, 'downloaded_files', 'file', sha256(body)),
      edge('domain', 'downloads.example.test', 'downloaded_files', 'file', sha256(body)),
      edge('ip_address', '192.0.2.7', 'downloaded_files', 'file', sha256(body)),
    ]);
    const file = sha256(body);
    await store.relations.upsert([
      { fromType: 'file', fromId: file, name: 'embedded_urls', toType: 'url', toId: urlIdOf('http://c2.example.test/gate.php'), source: 'indicators', at },
      { fromType: 'file', fromId: file, name: 'embedded_domains', toType: 'domain', toId: 'c2.example.test', source: 'indicators', at },
      { fromType: 'file', fromId: file, name: 'embedded_ips', toType: 'ip_address', toId: '198.51.100.9', source: 'indicators', at },
    ]);

    const rels = (await get(`/files/${file}?relationships=itw_urls,itw_domains,itw_ips,embedded_urls,embedded_domains,embedded_ips`)).json.data.relationships;
    assert.deepEqual(rels.itw_urls.data, [{ type: 'url', id: urlId }]);
    assert.deepEqual(rels.itw_domains.data, [{ type: 'domain', id: 'downloads.example.test' }]);
    assert.deepEqual(rels.itw_ips.data, [{ type: 'ip_address', id: '192.0.2.7' }]);
    assert.deepEqual(rels.embedded_urls.data, [{ type: 'url', id: urlIdOf('http://c2.example.test/gate.php') }]);
    assert.deepEqual(rels.embedded_domains.data, [{ type: 'domain', id: 'c2.example.test' }]);
    assert.deepEqual(rels.embedded_ips.data, [{ type: 'ip_address', id: '198.51.100.9' }]);
    const full = await get(`/files/${file}/itw_urls`);
    assert.equal(full.json.data[0].type, 'url');
    assert.equal(full.json.data[0].id, urlId);
  });

  it('every VT name answers in both forms; those without data are the empty list with count 0; other names are 400', async () => {
    const content = `plain file ${Date.now()}\n`;
    await upload(content, 'plain.txt', 'bob');
    const file = sha256(content);
    for (const spec of graphRelationships.file) {
      if (spec.name === 'submissions') continue;
      for (const form of [`/files/${file}/${spec.name}`, `/files/${file}/relationships/${spec.name}`]) {
        const res = await get(form);
        assert.equal(res.status, 200, `${form}: ${JSON.stringify(res.json)}`);
        assert.deepEqual(res.json.data, [], form);
        assert.deepEqual(res.json.meta, { count: 0 }, form);
        assert.equal(res.json.links.self, `${BASE}/api/v3${form}`);
      }
    }
    const inline = await get(`/files/${file}?relationships=${VT_FILE_RELATIONSHIPS.join(',')}`);
    assert.equal(inline.status, 200);
    assert.deepEqual(Object.keys(inline.json.data.relationships).sort(), [...VT_FILE_RELATIONSHIPS].sort());
    for (const name of ['not_a_relationship', 'communicating_files', 'resolutions']) {
      assert.equal((await get(`/files/${file}/${name}`)).status, 400, name);
      assert.equal((await get(`/files/${file}/relationships/${name}`)).status, 400, name);
      assert.equal((await get(`/files/${file}?relationships=${name}`)).status, 400, name);
    }
    assert.equal((await get(`/files/${'0'.repeat(64)}/bundled_files`)).status, 404);
  });

  it('comments and votes as relationships: descriptors and inline, the full objects from the community routes', async () => {
    const content = `commented file ${Date.now()}\n`;
    await upload(content, 'c.txt', 'bob');
    const file = sha256(content);
    const comment = await app.inject({ method: 'POST', url: `/api/v3/files/${file}/comments`, headers: keys.bob, payload: { data: { type: 'comment', attributes: { text: 'looks fine #ok' } } } });
    assert.equal(comment.statusCode, 200, comment.body);
    const vote = await app.inject({ method: 'POST', url: `/api/v3/files/${file}/votes`, headers: keys.bob, payload: { data: { type: 'vote', attributes: { verdict: 'harmless' } } } });
    assert.equal(vote.statusCode, 200, vote.body);
    const commentId = (comment.json() as Json).data.id;
    const voteId = (vote.json() as Json).data.id;
    assert.deepEqual((await get(`/files/${file}/relationships/comments`)).json.data, [{ type: 'comment', id: commentId }]);
    assert.deepEqual((await get(`/files/${file}/relationships/votes`)).json.data, [{ type: 'vote', id: voteId }]);
    const inline = (await get(`/files/${file}?relationships=comments,votes`)).json.data.relationships;
    assert.deepEqual(inline.comments.data, [{ type: 'comment', id: commentId }]);
    assert.deepEqual(inline.votes.data, [{ type: 'vote', id: voteId }]);
    assert.equal((await get(`/files/${file}/comments`)).json.data[0].attributes.text, 'looks fine #ok');
  });
});
