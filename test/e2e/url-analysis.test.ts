/**
 * URL analysis end to end: a real server fetching a local site through the safe fetcher (allowed
 * by ASSAY_FETCH_ALLOW), the chain, title, EICAR download with ClamAV's verdict and the
 * relationships; and a second server without the allow-list refusing internal targets, with the
 * local site proving no request arrived.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { startDnsServer, type TestDnsServer } from '../support/dns-server.js';
import { api, eicar, startServer, type TestServer } from '../support/server.js';

const run = promisify(execFile);
const sha256 = (s: string | Buffer) => createHash('sha256').update(s).digest('hex');
const form = (url: string) => new URLSearchParams({ url }).toString();
const urlencoded = { 'content-type': 'application/x-www-form-urlencoded' };

/** A small site: a redirect chain to a titled page, an EICAR download, a redirect to the metadata address. */
async function startSite(): Promise<{ origin: string; requests: string[]; close(): Promise<void> }> {
  const requests: string[] = [];
  const server = http.createServer((req, res) => {
    requests.push(req.url ?? '');
    switch (new URL(req.url ?? '/', 'http://site').pathname) {
      case '/start':
        res.writeHead(301, { location: '/hop' }).end();
        return;
      case '/hop':
        res.writeHead(302, { location: `http://127.0.0.1:${(server.address() as AddressInfo).port}/landing` }).end();
        return;
      case '/landing':
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'set-cookie': 'session=abc; Path=/' });
        res.end(
          '<html><head><title>Welcome to the test site</title><meta name="description" content="A page for tests">' +
            '<script>gtag("config", "UA-12345678-1");</script></head>' +
            '<body><a href="https://www.example.org/elsewhere">out</a><a href="/local">in</a></body></html>',
        );
        return;
      case '/eicar.com':
        res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(eicar());
        return;
      case '/openphish.txt':
        // An OpenPhish feed (one URL per line) the lab server imports on its schedule.
        res.writeHead(200, { 'content-type': 'text/plain' }).end(`http://127.0.0.1:${(server.address() as AddressInfo).port}/phish\n`);
        return;
      case '/phish':
        res.writeHead(200, { 'content-type': 'text/html' }).end('<title>Sign in</title><form action="https://collector.example.net/p" method="post"><input type="password" name="p"></form>');
        return;
      case '/to-metadata':
        res.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/' }).end();
        return;
      default:
        res.writeHead(404).end('not here');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

describe('URL analysis end to end', () => {
  let site: Awaited<ReturnType<typeof startSite>>;
  let dns: TestDnsServer;
  let lab: TestServer;
  let locked: TestServer;

  before(async () => {
    site = await startSite();
    dns = await startDnsServer({ 'www.public-looking.example': [{ type: 'A', value: '127.0.0.1' }] });
    [lab, locked] = await Promise.all([
      startServer({ env: { ASSAY_FETCH_ALLOW: '127.0.0.1/32', ASSAY_FEEDS: `openphish=${site.origin}/openphish.txt@1h` } }),
      startServer({ env: { ASSAY_DNS_SERVERS: `127.0.0.1:${dns.port}` } }),
    ]);
  });
  after(async () => {
    await Promise.all([lab?.stop(), locked?.stop()]);
    await Promise.all([site?.close(), dns?.close()]);
  });

  test('a redirect chain to a titled page: the URL object records the chain, the page and the relationships', async () => {
    const client = api(lab, lab.adminKey);
    const submitted = `${site.origin}/start`;
    const posted = await client.post('/urls', form(submitted), urlencoded);
    assert.equal(posted.status, 200, posted.text);
    assert.match(posted.json.data.id, /^u-[0-9a-f]{64}-\d+/);
    const analysis = await client.waitForAnalysis(posted.json.data.id);
    const id = sha256(submitted);
    assert.deepEqual(analysis.meta.url_info, { id, url: submitted });

    const byBase64 = await client.get(`/urls/${Buffer.from(submitted).toString('base64url')}`);
    assert.equal(byBase64.status, 200, byBase64.text);
    const a = byBase64.json.data.attributes;
    assert.equal(byBase64.json.data.id, id);
    assert.equal(a.url, submitted);
    assert.equal(a.last_final_url, `${site.origin}/landing`);
    assert.deepEqual(a.redirection_chain, [submitted, `${site.origin}/hop`, `${site.origin}/landing`]);
    assert.equal(a.last_http_response_code, 200);
    assert.equal(a.title, 'Welcome to the test site');
    assert.deepEqual(a.html_meta.description, ['A page for tests']);
    assert.deepEqual(a.outgoing_links, ['https://www.example.org/elsewhere']);
    assert.equal(a.trackers['Google Analytics'][0].id, 'UA-12345678-1');
    assert.match(a.last_http_response_headers['content-type'], /text\/html/);
    assert.equal(a.last_http_response_content_sha256, sha256(await (await fetch(`${site.origin}/landing`)).text()));
    assert.equal(a.times_submitted, 1);
    assert.ok(a.last_analysis_results['Assay URL heuristics'], 'the heuristics judged it');
    assert.equal(typeof a.last_analysis_date, 'number');

    const redirects = await client.get(`/urls/${id}/redirects_to`);
    assert.equal(redirects.status, 200, redirects.text);
    assert.deepEqual(
      redirects.json.data.map((u: { attributes: { url: string } }) => u.attributes.url).sort(),
      [`${site.origin}/hop`],
    );
    const serving = await client.get(`/urls/${id}/relationships/last_serving_ip_address`);
    assert.deepEqual(serving.json.data, { type: 'ip_address', id: '127.0.0.1' });
    const location = await client.get(`/urls/${id}/network_location`);
    assert.equal(location.json.data.id, '127.0.0.1');
    const contents = await client.get(`/urls/${id}/http_response_contents`);
    assert.equal(contents.json.data[0].id, a.last_http_response_content_sha256);
    if (existsSync('/usr/bin/chromium')) {
      // Chromium rendered the final page, every request it made going through the safe fetcher.
      const shot = await fetch(`${lab.url}/api/v3/urls/${id}/screenshot`, { headers: { 'x-apikey': lab.adminKey } });
      assert.equal(shot.status, 200);
      assert.equal(shot.headers.get('content-type'), 'image/png');
      assert.deepEqual(Buffer.from(await shot.arrayBuffer()).subarray(0, 4), Buffer.from([0x89, 0x50, 0x4e, 0x47]));
      assert.equal(a.last_screenshot.size > 1000, true);
    }
    const resolutions = await client.get('/ip_addresses/127.0.0.1/urls');
    assert.ok(resolutions.json.data.some((u: { id: string }) => u.id === id), 'the address lists the URL');
  });

  test('EICAR served by a site: the downloaded file carries ClamAV\'s verdict, and so does the URL', async () => {
    const client = api(lab, lab.adminKey);
    const submitted = `${site.origin}/eicar.com`;
    const form = new FormData();
    form.append('url', submitted);
    // vt-cli sends multipart: both encodings are accepted.
    const posted = await client.post('/urls', form);
    assert.equal(posted.status, 200, posted.text);
    await client.waitForAnalysis(posted.json.data.id);
    const url = await client.get(`/urls/${sha256(submitted)}`);
    const a = url.json.data.attributes;
    assert.equal(a.last_analysis_results.ClamAV.category, 'malicious');
    assert.equal(a.last_analysis_results.ClamAV.result, 'malware');
    assert.ok(a.last_analysis_stats.malicious >= 1);

    const files = await client.get(`/urls/${sha256(submitted)}/downloaded_files`);
    assert.equal(files.status, 200, files.text);
    assert.equal(files.json.data.length, 1);
    assert.equal(files.json.data[0].id, sha256(eicar()));
    assert.equal(files.json.data[0].attributes.last_analysis_results.ClamAV.category, 'malicious');
    const file = await client.get(`/files/${sha256(eicar())}`);
    assert.equal(file.json.data.attributes.last_analysis_results.ClamAV.category, 'malicious');
  });

  test('without the allow-list: loopback, a public-looking name resolving to 127.0.0.1 and a redirect to the metadata address are refused, and recorded', async () => {
    const client = api(locked, locked.adminKey);
    const before = site.requests.length;
    const targets = [`${site.origin}/landing`, `http://www.public-looking.example:${new URL(site.origin).port}/landing`, `http://169.254.169.254/latest/meta-data/`];
    for (const target of targets) {
      const posted = await client.post('/urls', form(target), urlencoded);
      assert.equal(posted.status, 200, posted.text);
      await client.waitForAnalysis(posted.json.data.id);
      const url = await client.get(`/urls/${sha256(target)}`);
      const a = url.json.data.attributes;
      assert.equal(a.last_fetch_error.reason, 'address-refused', `${target}: ${JSON.stringify(a.last_fetch_error)}`);
      assert.equal(a.last_http_response_code, undefined);
      assert.ok(a.last_analysis_results['Assay URL heuristics'], 'the URL engines still give verdicts');
    }
    assert.equal(site.requests.length, before, 'no request reached the local site');
    assert.ok(dns.queries.some((q) => q.name === 'www.public-looking.example'), 'the name was resolved through the configured DNS server');
  });

  test('a redirect from an allowed site to the metadata address is refused at that hop', async () => {
    const client = api(lab, lab.adminKey);
    const submitted = `${site.origin}/to-metadata`;
    const posted = await client.post('/urls', form(submitted), urlencoded);
    await client.waitForAnalysis(posted.json.data.id);
    const a = (await client.get(`/urls/${sha256(submitted)}`)).json.data.attributes;
    assert.equal(a.last_fetch_error.reason, 'address-refused');
    assert.match(a.last_fetch_error.message, /169\.254\.169\.254/);
    assert.deepEqual(a.redirection_chain, [submitted]);
  });

  test('a feed imported on schedule makes its engine call the listed URL phishing; the heuristics see the off-site password form', async () => {
    const client = api(lab, lab.adminKey);
    const listed = `${site.origin}/phish`;
    const deadline = Date.now() + 60_000;
    let results: Record<string, { category: string; result: string }> = {};
    // The import runs in the background at start-up: rescan until the OpenPhish engine has its data.
    while (Date.now() < deadline) {
      const posted = await client.post('/urls', form(listed), urlencoded);
      await client.waitForAnalysis(posted.json.data.id);
      results = (await client.get(`/urls/${sha256(listed)}`)).json.data.attributes.last_analysis_results;
      if (results.OpenPhish) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    assert.deepEqual({ category: results.OpenPhish?.category, result: results.OpenPhish?.result }, { category: 'malicious', result: 'phishing' });
    assert.match(results['Assay URL heuristics']!.result, /offsite-password-form/);
    assert.notEqual(results['Assay URL heuristics']!.category, 'harmless');
    const other = `${site.origin}/landing`;
    const clean = (await client.get(`/urls/${sha256(other)}`)).json.data.attributes.last_analysis_results;
    assert.ok(!clean.OpenPhish || clean.OpenPhish.category !== 'malicious', 'an unlisted URL is not malicious for the feed');
  });

  test('assay scan url waits and prints the verdicts; assay url prints the report', async () => {
    const target = `${site.origin}/landing?via=cli`;
    const cli = (...args: string[]) =>
      run(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args, '--server', lab.url, '--apikey', lab.adminKey], { timeout: 60_000 });
    const scanned = await cli('scan', 'url', target);
    assert.match(scanned.stdout, /Assay URL heuristics/);
    const report = await cli('url', target);
    assert.match(report.stdout, /Welcome to the test site/);
    const json = JSON.parse((await cli('url', target, '--json')).stdout);
    assert.equal(json.id, sha256(target));
  });

  test('a URL typed without a scheme is fetched as http://, the form its id is made from', async () => {
    const client = api(lab, lab.adminKey);
    const typed = `${new URL(site.origin).host}/landing?typed=bare`;
    const before = site.requests.length;
    const posted = await client.post('/urls', form(typed), urlencoded);
    assert.equal(posted.status, 200, posted.text);
    await client.waitForAnalysis(posted.json.data.id);
    const url = await client.get(`/urls/${sha256(`http://${typed}`)}`);
    assert.equal(url.status, 200, url.text);
    const a = url.json.data.attributes;
    assert.equal(a.last_fetch_error, undefined, JSON.stringify(a.last_fetch_error));
    assert.equal(a.last_http_response_code, 200);
    assert.equal(a.title, 'Welcome to the test site');
    assert.equal(a.last_final_url, `http://${typed}`);
    // The fetch, then Chromium's render for the screenshot when it is installed.
    assert.equal(site.requests[before], '/landing?typed=bare');
  });

  test('bad URLs are refused with InvalidArgumentError', async () => {
    const client = api(lab, lab.adminKey);
    for (const bad of ['', 'javascript:alert(1)', 'http://', `http://example.com/${'a'.repeat(9000)}`, 'http://exa\u0001mple.com/']) {
      const posted = await client.post('/urls', form(bad), urlencoded);
      assert.equal(posted.status, 400, `${JSON.stringify(bad)}: ${posted.text}`);
      assert.equal(posted.json.error.code, 'InvalidArgumentError');
    }
  });
});
