/**
 * Accounts end to end: `assay user|key|group` run as separate processes on the data directory of a
 * running server, as an operator would, and their effect seen through that server's API.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { api, startServer, type TestServer } from '../support/server.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

// Limits out of the way (quotas are tested elsewhere); `premium` keeps granting downloads.
const tiers = JSON.stringify({
  public: { requestsPerMinute: null, requestsPerDay: null, requestsPerMonth: null, privileges: [] },
  premium: { requestsPerMinute: null, requestsPerDay: null, requestsPerMonth: null, privileges: ['download'] },
});

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
  /** The last line of stdout: where commands that make a key print it. */
  last: string;
}

describe('accounts through the CLI, seen by a running server', () => {
  let server: TestServer;

  const cli = (...args: string[]) =>
    new Promise<CliResult>((resolve, reject) => {
      execFile(
        process.execPath,
        ['--import', 'tsx', 'src/cli/main.ts', ...args, '--data', server.dataDir],
        { cwd: root, env: { ...process.env, ASSAY_TIERS: tiers, ASSAY_LOG_LEVEL: 'warn' } },
        (error, stdout, stderr) => {
          const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
          if (code === -1) return reject(error);
          resolve({ code, stdout, stderr, last: stdout.trim().split('\n').at(-1) ?? '' });
        },
      );
    });
  const ok = async (...args: string[]) => {
    const result = await cli(...args);
    assert.equal(result.code, 0, `assay ${args.join(' ')}: ${result.stderr}`);
    return result;
  };
  /** Key ids by label from `assay key list`. */
  const keyIds = async (user: string): Promise<Record<string, { id: string; status: string }>> => {
    const { stdout } = await ok('key', 'list', user);
    const [, ...rows] = stdout.trim().split('\n');
    return Object.fromEntries(rows.map((r) => r.split(/\s{2,}/)).map(([id, label, status]) => [label!, { id: id!, status: status! }]));
  };
  const errorCode = async (key: string, p = '/users/carol') => {
    const res = await api(server, key).get(p);
    return res.status === 200 ? 200 : `${res.status} ${res.json?.error?.code}`;
  };

  let laptopKey: string;

  before(async () => {
    server = await startServer({ env: { ASSAY_TIERS: tiers } });
  });
  after(async () => server?.stop());

  test('user create prints a working key last; user list shows the user', async () => {
    const created = await ok('user', 'create', 'carol', '--label', 'laptop', '--email', 'carol@example.org');
    laptopKey = created.last;
    assert.match(laptopKey, /^[0-9a-f]{64}$/);
    assert.match(created.stderr, /created user "carol", tier public, key k_[0-9a-f]{8}/);
    const me = await api(server, laptopKey).get(`/users/${laptopKey}`);
    assert.equal(me.status, 200, me.text);
    assert.equal(me.json.data.id, 'carol');
    assert.equal(me.json.data.attributes.apikey, laptopKey);
    assert.equal(me.json.data.attributes.status, 'active');
    assert.equal(typeof me.json.data.attributes.last_login, 'number');

    const { stdout } = await ok('user', 'list');
    const lines = stdout.trim().split('\n');
    assert.match(lines[0]!, /^NAME\s+TIER\s+STATUS\s+ADMIN\s+GROUP\s+PRIVILEGES\s+LAST LOGIN$/);
    assert.match(lines.find((l) => l.startsWith('carol '))!, /^carol\s+public\s+active\s+no\s+-\s+-\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC$/);
    assert.ok(lines.some((l) => /^admin\s+public\s+active\s+yes\s/.test(l)), 'the bootstrap admin is listed');
  });

  test('user disable: the key gets UserNotActiveError; enable: it works again', async () => {
    await ok('user', 'disable', 'carol');
    assert.equal(await errorCode(laptopKey), '401 UserNotActiveError');
    await ok('user', 'enable', 'carol');
    assert.equal(await errorCode(laptopKey), 200);
  });

  test('key create adds a second working key; key revoke ends it with WrongCredentialsError', async () => {
    const ciKey = (await ok('key', 'create', 'carol', '--label', 'ci')).last;
    assert.match(ciKey, /^[0-9a-f]{64}$/);
    assert.equal(await errorCode(ciKey), 200);
    const ids = await keyIds('carol');
    assert.deepEqual(Object.keys(ids).sort(), ['ci', 'laptop']);
    const { stdout } = await ok('key', 'list', 'carol');
    assert.equal(stdout.includes(ciKey) || stdout.includes(laptopKey), false, 'keys are never shown again');

    await ok('key', 'revoke', ids.ci!.id);
    assert.equal(await errorCode(ciKey), '401 WrongCredentialsError');
    assert.equal(await errorCode(laptopKey), 200, 'the other key is untouched');
    assert.equal((await keyIds('carol')).ci!.status, 'revoked');
  });

  test('key rotate prints a new key; the old one fails at once, the new one works', async () => {
    const old = (await keyIds('carol')).laptop!.id;
    const rotated = await ok('key', 'rotate', old);
    assert.match(rotated.last, /^[0-9a-f]{64}$/);
    assert.equal(await errorCode(laptopKey), '401 WrongCredentialsError');
    assert.equal(await errorCode(rotated.last), 200);
    laptopKey = rotated.last;
    const again = await cli('key', 'rotate', old);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /^assay: InvalidArgumentError: API key "k_[0-9a-f]{8}" is revoked/m);
  });

  test('downloads follow the download privilege, granted directly or by the tier', async () => {
    const admin = api(server, server.adminKey);
    const body = `cli download ${Date.now()}`;
    const up = await admin.upload(body, 'dl.txt');
    assert.equal(up.status, 200, up.text);
    const download = `/files/${sha256(body)}/download`;
    assert.equal(await errorCode(laptopKey, download), '403 ForbiddenError');
    await ok('user', 'grant', 'carol', 'download');
    const res = await api(server, laptopKey).get(download);
    assert.equal(res.status, 200);
    assert.equal(res.text, body);
    await ok('user', 'revoke', 'carol', 'download');
    assert.equal(await errorCode(laptopKey, download), '403 ForbiddenError');
    await ok('user', 'set-tier', 'carol', 'premium');
    assert.equal(await errorCode(laptopKey, download), 200);
    const me = await api(server, laptopKey).get('/users/carol');
    assert.deepEqual(me.json.data.attributes.privileges, { download: { granted: true, inherited_from: 'premium' } });
  });

  test('group create and add: the member sees the group and its share of the quotas', async () => {
    await ok('group', 'create', 'soc', '--per-day', '1000');
    await ok('group', 'add', 'soc', 'carol');
    const group = await api(server, laptopKey).get('/groups/soc');
    assert.equal(group.status, 200, group.text);
    assert.deepEqual(group.json.data.attributes.quotas, { requests_per_day: 1000 });
    assert.deepEqual(group.json.data.attributes.members, ['carol']);
    const quotas = await api(server, laptopKey).get('/users/carol/overall_quotas');
    assert.equal(quotas.status, 200, quotas.text);
    assert.equal(quotas.json.data.api_requests_daily.group.allowed, 1000);
    assert.equal(quotas.json.data.api_requests_daily.group.inherited_from, 'soc');
  });

  test('mistakes: an unknown user exits 1 with the VT code; a bad limit is a usage error (exit 2)', async () => {
    const unknown = await cli('user', 'disable', 'nobody');
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /^assay: NotFoundError: User "nobody" not found$/m);
    const badLimit = await cli('group', 'create', 'g', '--per-day', '0');
    assert.equal(badLimit.code, 2);
    assert.match(badLimit.stderr, /expected a positive integer/);
  });
});
