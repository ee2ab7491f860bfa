/** `assay url` run in-process against the fake VirusTotal: the report, redirects, JSON, not-found and usage errors. */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startFakeVtServer, type FakeVtServer } from '../../client/fake-vt-server.js';
import { urlId } from '../../client/vt-client.js';
import { memoryIo } from '../output.js';
import { runLookupUrl } from './lookup-url.js';

const URL_ID = 'e'.repeat(64);
const SUBMITTED = 'http://short.example/x';

const urlObject = {
  type: 'url',
  id: URL_ID,
  links: { self: `http://x/api/v3/urls/${URL_ID}` },
  attributes: {
    url: SUBMITTED,
    last_final_url: 'https://landing.example/login.php',
    title: 'Sign in',
    last_http_response_code: 200,
    redirection_chain: [SUBMITTED, 'https://landing.example/login.php'],
    categories: { 'Assay URL heuristics': 'phishing' },
    threat_names: ['phishing'],
    times_submitted: 2,
    first_submission_date: 1700000000,
    last_submission_date: 1700003600,
    last_analysis_date: 1700003600,
    last_analysis_stats: { harmless: 1, malicious: 1, suspicious: 0, undetected: 1, timeout: 0 },
    last_analysis_results: {
      URLhaus: { engine_name: 'URLhaus', category: 'harmless', result: 'clean', method: 'blacklist' },
      OpenPhish: { engine_name: 'OpenPhish', category: 'malicious', result: 'phishing', method: 'blacklist' },
      'Assay URL heuristics': { engine_name: 'Assay URL heuristics', category: 'undetected', result: 'unrated', method: 'blacklist' },
    },
  },
};

describe('assay url', () => {
  let server: FakeVtServer;
  before(async () => {
    server = await startFakeVtServer();
    server.urls.set(URL_ID, urlObject);
  });
  after(async () => server?.close());

  const flags = () => ['--server', server.url, '--apikey', server.apiKey];

  test('prints final URL, title, status, the redirect chain and each engine', async () => {
    const io = memoryIo();
    assert.equal(await runLookupUrl([URL_ID, ...flags()], io), 0, io.err());
    assert.deepEqual(io.out().split('\n'), [
      `url            ${SUBMITTED}`,
      `id             ${URL_ID}`,
      'final url      https://landing.example/login.php',
      'title          Sign in',
      'status code    200',
      `redirects      1. ${SUBMITTED}`,
      '               2. https://landing.example/login.php',
      'categories     Assay URL heuristics: phishing',
      'threat names   phishing',
      'submissions    2 (first 2023-11-14 22:13:20 UTC, last 2023-11-14 23:13:20 UTC)',
      'last analysis  2023-11-14 23:13:20 UTC',
      'detections     1/3',
      'stats          malicious 1, suspicious 0, undetected 1, harmless 1, timeout 0',
      '',
      'ENGINE                CATEGORY    RESULT',
      'Assay URL heuristics  undetected  unrated',
      'OpenPhish             malicious   phishing',
      'URLhaus               harmless    clean',
      '',
    ]);
  });

  test('a URL is looked up by its vt-py url_id; --json prints the data object', async () => {
    const submitted = 'http://plain.example/';
    const res = await fetch(`${server.url}/api/v3/urls`, {
      method: 'POST',
      headers: { 'x-apikey': server.apiKey, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ url: submitted }).toString(),
    });
    assert.equal(res.status, 200);
    const io = memoryIo();
    const mark = server.requests.length;
    assert.equal(await runLookupUrl([submitted, '--json', ...flags()], io), 0, io.err());
    const data = JSON.parse(io.out()) as { type: string; attributes: { url: string } };
    assert.equal(data.type, 'url');
    assert.equal(data.attributes.url, submitted);
    assert.deepEqual(server.requests.slice(mark), [`GET /api/v3/urls/${urlId(submitted)}`]);
  });

  test('no redirect and a refused fetch read as such', async () => {
    const id = 'f'.repeat(64);
    server.urls.set(id, { type: 'url', id, attributes: { url: 'http://10.0.0.1/', redirection_chain: ['http://10.0.0.1/'], last_fetch_error: 'address not allowed' } });
    const io = memoryIo();
    assert.equal(await runLookupUrl([id, ...flags()], io), 0, io.err());
    assert.match(io.out(), /^redirects +-$/m);
    assert.match(io.out(), /^fetch error +address not allowed$/m);
    assert.match(io.out(), /^detections +0\/0$/m);
    assert.match(io.out(), /^no engine results yet$/m);
  });

  test('an unknown URL exits 1 with NotFoundError; an empty one is a usage error', async () => {
    const io = memoryIo();
    assert.equal(await runLookupUrl(['http://unknown.example/', ...flags()], io), 1);
    assert.match(io.err(), /^assay: NotFoundError: .* not found \(HTTP 404\)$/m);
    const empty = memoryIo();
    assert.equal(await runLookupUrl([' ', ...flags()], empty), 2);
    assert.match(empty.err(), /the URL is empty/);
  });
});
