/** Assay-Android: the manifest string-pool reader (incl. hostile pools), verdicts, and a real APK built with 7zz. */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';
import { runEngineContract, scratchDir, tempFile, fileInputFor } from '../contract.case.test.js';
import { createAssayAndroidEngine, detectAndroid } from './assay-android-engine.js';
import { judge } from '../heuristics/signal.js';
import { axmlStrings } from './axml-strings.js';

/** A binary XML file with one UTF-16 string pool holding `strings`, as aapt writes AndroidManifest.xml. */
function axml(strings: string[], utf8 = false): Buffer {
  const encoded = strings.map((s) => {
    if (utf8) {
      const b = Buffer.from(s, 'utf8');
      return Buffer.concat([Buffer.from([s.length, b.length]), b, Buffer.from([0])]);
    }
    const len = Buffer.alloc(2);
    len.writeUInt16LE(s.length);
    return Buffer.concat([len, Buffer.from(s, 'utf16le'), Buffer.alloc(2)]);
  });
  const headerSize = 28;
  const offsets = Buffer.alloc(4 * strings.length);
  let at = 0;
  encoded.forEach((e, i) => {
    offsets.writeUInt32LE(at, i * 4);
    at += e.length;
  });
  const data = Buffer.concat(encoded);
  const pool = Buffer.alloc(headerSize);
  pool.writeUInt16LE(0x0001, 0);
  pool.writeUInt16LE(headerSize, 2);
  pool.writeUInt32LE(headerSize + offsets.length + data.length, 4);
  pool.writeUInt32LE(strings.length, 8);
  pool.writeUInt32LE(utf8 ? 0x100 : 0, 16);
  pool.writeUInt32LE(headerSize + offsets.length, 20);
  const head = Buffer.alloc(8);
  head.writeUInt16LE(0x0003, 0);
  head.writeUInt16LE(8, 2);
  const body = Buffer.concat([pool, offsets, data]);
  head.writeUInt32LE(8 + body.length, 4);
  return Buffer.concat([head, body]);
}

const SMS_TROJAN = ['android.permission.SEND_SMS', 'android.permission.RECEIVE_SMS', 'android.permission.RECEIVE_BOOT_COMPLETED', 'android.permission.INTERNET'];

runEngineContract('Assay-Android', createAssayAndroidEngine, { benign: { ...(await tempFile('app.apk', 'PK not really')), typeTag: 'android' } });

describe('AndroidManifest string pool', () => {
  it('reads UTF-16 and UTF-8 pools', () => {
    assert.deepEqual(axmlStrings(axml(SMS_TROJAN)), SMS_TROJAN);
    assert.deepEqual(axmlStrings(axml(['a.b', 'permission'], true)), ['a.b', 'permission']);
  });
  it('survives hostile pools: truncated, a huge count, offsets out of range, not XML', () => {
    const good = axml(SMS_TROJAN);
    for (let n = 0; n < good.length; n += 7) assert.ok(Array.isArray(axmlStrings(good.subarray(0, n))));
    const huge = Buffer.from(good);
    huge.writeUInt32LE(0xffffffff, 8 + 8);
    assert.ok(axmlStrings(huge).length <= 20_000);
    const wild = Buffer.from(good);
    wild.writeUInt32LE(0x7fffffff, 8 + 28);
    assert.ok(Array.isArray(axmlStrings(wild)));
    assert.deepEqual(axmlStrings(Buffer.from('<manifest/>')), []);
  });
});

describe('Assay-Android verdicts', () => {
  it('an SMS trojan permission set is malicious (SMSFraud)', () => {
    const j = judge('Assay.Android', detectAndroid({ manifest: SMS_TROJAN, dex: '', entryNames: [] }));
    assert.deepEqual([j.category, j.result], ['malicious', 'Assay.Android.SMSFraud']);
  });
  it('an app asking for the internet and the camera is undetected', () => {
    assert.equal(judge('X', detectAndroid({ manifest: ['android.permission.INTERNET', 'android.permission.CAMERA'], dex: '', entryNames: [] })).category, 'undetected');
  });

  it('reads a real APK (a ZIP built with 7zz) end to end', async (t) => {
    const dir = await fs.mkdtemp(path.join(scratchDir(), 'apk-'));
    await fs.writeFile(path.join(dir, 'AndroidManifest.xml'), axml(SMS_TROJAN));
    await fs.writeFile(path.join(dir, 'classes.dex'), 'dex\n035\0Ljava/lang/Runtime;\0exec\0');
    const apk = path.join(dir, 'app.apk');
    try {
      execFileSync('7zz', ['a', '-tzip', apk, path.join(dir, 'AndroidManifest.xml'), path.join(dir, 'classes.dex')], { stdio: 'ignore' });
    } catch {
      return t.skip('7zz is not installed (scripts/ensure-system-deps.sh installs it)');
    }
    const engine = createAssayAndroidEngine();
    await engine.start();
    const v = await engine.scan({ ...(await fileInputFor(apk)), typeTag: 'android' }, AbortSignal.timeout(30_000));
    assert.deepEqual([v.category, v.result], ['malicious', 'Assay.Android.SMSFraud']);
  });
});
