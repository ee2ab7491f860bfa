// POST /files with the `private` form field (private scanning): how it is read and handed to the use case.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { alice, assertError, assertOk, createTestApp, filePart, multipart, type FormPart, type TestApp } from '../testing/harness.js';

describe('files: the private form field', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp();
  });
  after(async () => {
    await t.close();
  });

  const upload = (parts: FormPart[]) => {
    const body = multipart(parts);
    return t.app.inject({ method: 'POST', url: '/api/v3/files', payload: body.payload, headers: { ...body.headers, ...alice } });
  };

  it('private=true, before or after the file, asks for a private submission', async () => {
    for (const parts of [
      [{ name: 'private', content: 'true' }, filePart('private before')],
      [filePart('private after'), { name: 'private', content: 'true' }],
    ]) {
      assertOk(await upload(parts));
      assert.equal(t.fake.state.submissions.at(-1)!.private, true);
    }
  });

  it('false, 0 and no field at all are public submissions', async () => {
    for (const value of ['false', '0']) {
      assertOk(await upload([filePart(`public ${value}`), { name: 'private', content: value }]));
      assert.equal(t.fake.state.submissions.at(-1)!.private, false);
    }
    assertOk(await upload([filePart('no field')]));
    assert.equal('private' in t.fake.state.submissions.at(-1)!, false);
  });

  it('any other value: 400 InvalidArgumentError, and the upload is not kept', async () => {
    const before = t.fake.state.submissions.length;
    assertError(await upload([filePart('odd flag'), { name: 'private', content: 'maybe' }]), 400, 'InvalidArgumentError', '"private" must be true or false, not "maybe"');
    assert.equal(t.fake.state.submissions.length, before);
    assert.deepEqual(await t.fake.blobs.staged(), []);
  });
});
