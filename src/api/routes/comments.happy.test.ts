// Comments endpoints, successful paths, over the real community service on SQLite: posting on every kind of item, listing, tags, voting, deleting.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { createCommunityTestApp, type CommunityTestApp } from '../testing/community-app.js';
import { admin, alice, assertOk, BASE } from '../testing/harness.js';

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const commentBody = (text: string) => JSON.stringify({ data: { type: 'comment', attributes: { text } } });
const json = { 'content-type': 'application/json' };

describe('comments: happy paths', () => {
  let t: CommunityTestApp;
  before(async () => {
    t = await createCommunityTestApp();
  });
  after(async () => {
    await t.close();
  });

  const post = (url: string, text: string, headers: Record<string, string> = alice) =>
    t.app.inject({ method: 'POST', url, payload: commentBody(text), headers: { ...json, ...headers } });
  const get = (url: string, headers: Record<string, string> = alice) => t.app.inject({ method: 'GET', url, headers });

  it('POST /files/{id}/comments returns the comment, exactly; text as given, html escaped, tags from hashtags', async () => {
    const file = await t.recordFile('commented sample');
    t.clock.ms = 1_700_000_100_000;
    const text = '<script>alert("x")</script> #Phishing kit\nsee #phishing & #C2';
    const res = await post(`/api/v3/files/${file.sha256}/comments`, text);
    assertOk(res);
    const body = res.json() as Json;
    const id = body.data.id as string;
    assert.match(id, new RegExp(`^f-${file.sha256}-[0-9a-f]{8}$`));
    assert.deepEqual(body, {
      data: {
        type: 'comment',
        id,
        links: { self: `${BASE}/api/v3/comments/${id}` },
        attributes: {
          date: 1_700_000_100,
          text,
          html: '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; #Phishing kit<br>see #phishing &amp; #C2',
          tags: ['phishing', 'c2'],
          votes: { positive: 0, negative: 0, abuse: 0 },
        },
      },
    });
    const read = await get(`/api/v3/comments/${id}`);
    assertOk(read);
    assert.deepEqual(read.json(), body);
  });

  it('a file named by md5 or sha1 gets comments under its sha256', async () => {
    const file = await t.recordFile('hash forms');
    const byMd5 = await post(`/api/v3/files/${file.md5.toUpperCase()}/comments`, 'by md5');
    assertOk(byMd5);
    assert.ok((byMd5.json() as Json).data.id.startsWith(`f-${file.sha256}-`));
    const list = await get(`/api/v3/files/${file.sha1}/comments`);
    assertOk(list);
    assert.deepEqual(((list.json() as Json).data as Json[]).map((c) => c.attributes.text), ['by md5']);
  });

  it('URLs, domains and IPs take comments by a valid id, stored under the canonical one', async () => {
    const url = 'https://phish.example/login';
    const cases = [
      { path: `/api/v3/urls/${Buffer.from(url).toString('base64url')}`, canonical: `/api/v3/urls/${sha256(url)}`, prefix: `u-${sha256(url)}-` },
      { path: '/api/v3/domains/Phish.EXAMPLE.', canonical: '/api/v3/domains/phish.example', prefix: 'd-phish.example-' },
      { path: `/api/v3/domains/${encodeURIComponent('bücher.example')}`, canonical: '/api/v3/domains/xn--bcher-kva.example', prefix: 'd-xn--bcher-kva.example-' },
      { path: '/api/v3/ip_addresses/2001:DB8:0:0::7', canonical: '/api/v3/ip_addresses/2001:db8::7', prefix: 'i-2001:db8::7-' },
      { path: '/api/v3/ip_addresses/198.51.100.7', canonical: '/api/v3/ip_addresses/198.51.100.7', prefix: 'i-198.51.100.7-' },
    ];
    for (const c of cases) {
      const res = await post(`${c.path}/comments`, `about ${c.path}`);
      assertOk(res);
      const id = (res.json() as Json).data.id as string;
      assert.ok(id.startsWith(c.prefix), `${id} starts with ${c.prefix}`);
      const list = await get(`${c.canonical}/comments`);
      assertOk(list);
      assert.deepEqual(((list.json() as Json).data as Json[]).map((x) => x.id), [id], c.canonical);
    }
  });

  it('an item\'s comments page newest first, with meta.cursor and an absolute links.next', async () => {
    for (let i = 0; i < 5; i++) {
      t.clock.ms = 1_700_001_000_000 + i * 1000;
      assertOk(await post('/api/v3/domains/paged.example/comments', `comment ${i}`));
    }
    const texts: string[] = [];
    let url: string | undefined = '/api/v3/domains/paged.example/comments?limit=2';
    let pages = 0;
    while (url) {
      const res = await get(url);
      assertOk(res);
      const body = res.json() as Json;
      pages++;
      texts.push(...(body.data as Json[]).map((c) => c.attributes.text));
      assert.equal(body.links.self, `${BASE}${url.replace(BASE, '')}`);
      if (body.links.next) {
        assert.equal(typeof body.meta.cursor, 'string');
        const next = new URL(body.links.next);
        assert.equal(`${next.protocol}//${next.host}`, BASE);
        assert.equal(next.searchParams.get('cursor'), body.meta.cursor);
        assert.equal(next.searchParams.get('limit'), '2');
        url = `${next.pathname}${next.search}`;
      } else {
        assert.deepEqual(body.meta, {}, 'no cursor on the last page');
        url = undefined;
      }
    }
    assert.equal(pages, 3);
    assert.deepEqual(texts, ['comment 4', 'comment 3', 'comment 2', 'comment 1', 'comment 0']);
  });

  it('GET /comments: latest first; filter=tag:x keeps only that hashtag and survives into links.next', async () => {
    for (let i = 0; i < 3; i++) {
      t.clock.ms = 1_700_002_000_000 + i * 2000;
      assertOk(await post('/api/v3/ip_addresses/192.0.2.44/comments', `#Ransomware number ${i}`));
      t.clock.ms += 1000;
      assertOk(await post('/api/v3/ip_addresses/192.0.2.44/comments', `unrelated ${i} #other`));
    }
    const latest = await get('/api/v3/comments?limit=1');
    assertOk(latest);
    assert.equal((latest.json() as Json).data[0].attributes.text, 'unrelated 2 #other');

    const first = await get('/api/v3/comments?filter=tag%3Aransomware&limit=2');
    assertOk(first);
    const page1 = first.json() as Json;
    assert.deepEqual((page1.data as Json[]).map((c) => c.attributes.text), ['#Ransomware number 2', '#Ransomware number 1']);
    const next = new URL(page1.links.next);
    assert.equal(next.searchParams.get('filter'), 'tag:ransomware');
    const second = await get(`${next.pathname}${next.search}`);
    assertOk(second);
    const page2 = second.json() as Json;
    assert.deepEqual((page2.data as Json[]).map((c) => c.attributes.text), ['#Ransomware number 0']);
    assert.equal(page2.links.next, undefined);
    // vt-py's form: cursor and limit on the same path, with its params kept.
    const vtpy = await get(`/api/v3/comments?filter=tag:RANSOMWARE&cursor=${encodeURIComponent(page1.meta.cursor)}&limit=2`);
    assert.deepEqual(((vtpy.json() as Json).data as Json[]).map((c) => c.attributes.text), ['#Ransomware number 0']);
  });

  it('?relationships=author,item inlines descriptors; /relationships/{name} and /item serve them', async () => {
    const file = await t.recordFile('related sample');
    const id = ((await post(`/api/v3/files/${file.sha256}/comments`, 'related')).json() as Json).data.id as string;
    const res = await get(`/api/v3/comments/${id}?relationships=author,item`);
    assertOk(res);
    const self = `${BASE}/api/v3/comments/${id}`;
    assert.deepEqual((res.json() as Json).data.relationships, {
      author: { data: { type: 'user', id: 'u-alice' }, links: { self: `${self}/relationships/author`, related: `${BASE}/api/v3/users/u-alice` } },
      item: { data: { type: 'file', id: file.sha256 }, links: { self: `${self}/relationships/item`, related: `${BASE}/api/v3/files/${file.sha256}` } },
    });
    const list = await get(`/api/v3/files/${file.sha256}/comments?relationships=item`);
    assert.deepEqual(Object.keys((list.json() as Json).data[0].relationships), ['item']);
    const author = await get(`/api/v3/comments/${id}/relationships/author`);
    assertOk(author);
    assert.deepEqual((author.json() as Json).data, { type: 'user', id: 'u-alice' });
    const item = await get(`/api/v3/comments/${id}/item`);
    assertOk(item);
    assert.equal((item.json() as Json).data.id, file.sha256);
    assert.equal((item.json() as Json).data.type, 'file');
  });

  it('/comments/{id}/item of a URL, domain or IP comment is that object', async () => {
    const url = t.fake.seedUrl('https://commented.example/page');
    const cases = [
      { path: `/api/v3/urls/${url.id}`, type: 'url', id: url.id },
      { path: `/api/v3/domains/${encodeURIComponent('bücher.example')}`, type: 'domain', id: 'xn--bcher-kva.example' },
      { path: '/api/v3/ip_addresses/2001:DB8::9', type: 'ip_address', id: '2001:db8::9' },
    ];
    for (const c of cases) {
      const id = ((await post(`${c.path}/comments`, 'about it')).json() as Json).data.id as string;
      const item = await get(`/api/v3/comments/${id}/item`);
      assertOk(item);
      const data = (item.json() as Json).data;
      assert.deepEqual([data.type, data.id], [c.type, c.id]);
    }
  });

  it('POST /comments/{id}/vote counts one vote per user; a later vote replaces the earlier', async () => {
    const id = ((await post('/api/v3/domains/voted.example/comments', 'vote on me')).json() as Json).data.id as string;
    const vote = (verdict: string, headers: Record<string, string>) =>
      t.app.inject({ method: 'POST', url: `/api/v3/comments/${id}/vote`, payload: JSON.stringify({ data: verdict }), headers: { ...json, ...headers } });
    let res = await vote('positive', alice);
    assertOk(res);
    assert.deepEqual(res.json(), { data: { positive: 1, negative: 0, abuse: 0 } });
    res = await vote('abuse', admin);
    assert.deepEqual(res.json(), { data: { positive: 1, negative: 0, abuse: 1 } });
    res = await vote('negative', alice);
    assert.deepEqual(res.json(), { data: { positive: 0, negative: 1, abuse: 1 } });
    const read = await get(`/api/v3/comments/${id}`);
    assert.deepEqual((read.json() as Json).data.attributes.votes, { positive: 0, negative: 1, abuse: 1 });
  });

  it('DELETE /comments/{id}: the author, or an admin, gets 200 {"data":null}; the comment is gone', async () => {
    const own = ((await post('/api/v3/domains/deleted.example/comments', 'mine #gone')).json() as Json).data.id as string;
    const others = ((await post('/api/v3/domains/deleted.example/comments', 'moderated #gone')).json() as Json).data.id as string;
    for (const [id, headers] of [
      [own, alice],
      [others, admin],
    ] as const) {
      const res = await t.app.inject({ method: 'DELETE', url: `/api/v3/comments/${id}`, headers });
      assertOk(res);
      assert.deepEqual(res.json(), { data: null });
      assert.equal((await get(`/api/v3/comments/${id}`)).statusCode, 404);
    }
    const tagged = await get('/api/v3/comments?filter=tag:gone');
    assert.deepEqual((tagged.json() as Json).data, []);
  });
});
