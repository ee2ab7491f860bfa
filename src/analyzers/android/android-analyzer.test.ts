/**
 * The android analyzer on APKs, DEX files and JARs built here (binary manifests written by
 * testing/axml-encoder.ts, zipped by the fixtures' ZIP writer, a signer certificate from openssl),
 * compared with Debian's androguard and aapt where installed.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { pino } from 'pino';
import { makeTempDir, zipBytes } from '../../../test/fixtures/analyzers/samples.js';
import type { FileInput } from '../../core/plugin.js';
import { createAndroidAnalyzer } from './android-analyzer.js';
import { androguardAvailable, androguardFacts, differences } from './testing/androguard-reference.js';
import { encodeAxml, minimalDex, type XmlNode } from './testing/axml-encoder.js';

const never = () => new AbortController().signal;
const input = (p: string): FileInput => ({ path: p, size: 0, md5: '', sha1: '', sha256: path.basename(p), names: [] });
const skipAndroguard = androguardAvailable() ? false : 'androguard (Debian package) is not installed';
const skipAapt = existsSync('/usr/bin/aapt') ? false : 'aapt is not installed';
const skipOpenssl = (() => {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return false;
  } catch {
    return 'openssl is not installed';
  }
})();

const PKG = 'com.assay.demo';
const action = (name: string): XmlNode => ({ name: 'action', attrs: { name } });
const category = (name: string): XmlNode => ({ name: 'category', attrs: { name } });

export const DEMO_MANIFEST: XmlNode = {
  name: 'manifest',
  attrs: { versionCode: 7, versionName: '1.2.3', package: PKG },
  plain: ['package'],
  children: [
    { name: 'uses-sdk', attrs: { minSdkVersion: 21, targetSdkVersion: 33 } },
    ...['android.permission.INTERNET', 'android.permission.SEND_SMS', 'android.permission.READ_CONTACTS', 'android.permission.BIND_ACCESSIBILITY_SERVICE', `${PKG}.permission.C2D`, 'com.vendor.UNLISTED'].map(
      (name): XmlNode => ({ name: 'uses-permission', attrs: { name } }),
    ),
    { name: 'permission', attrs: { name: `${PKG}.permission.C2D`, protectionLevel: 'signature' } },
    // Outside <application>: Android ignores it, androguard (and so VT) lists it.
    { name: 'receiver', attrs: { name: '.StrayReceiver' } },
    {
      name: 'application',
      children: [
        { name: 'uses-library', attrs: { name: 'org.apache.http.legacy' } },
        {
          name: 'activity',
          attrs: { name: '.MainActivity' },
          children: [{ name: 'intent-filter', children: [action('android.intent.action.MAIN'), category('android.intent.category.LAUNCHER')] }],
        },
        { name: 'activity', attrs: { name: 'Settings' } },
        { name: 'activity', attrs: { name: 'org.other.lib.ExternalActivity' } },
        { name: 'activity-alias', attrs: { name: '.Shortcut' }, children: [{ name: 'intent-filter', children: [action('android.intent.action.VIEW')] }] },
        { name: 'service', attrs: { name: '.SyncService' }, children: [{ name: 'intent-filter', children: [action(`${PKG}.SYNC`)] }] },
        { name: 'receiver', attrs: { name: '.BootReceiver' }, children: [{ name: 'intent-filter', children: [action('android.intent.action.BOOT_COMPLETED')] }] },
        { name: 'provider', attrs: { name: '.DataProvider' } },
      ],
    },
  ],
};

let temp: ReturnType<typeof makeTempDir>;
const files: Record<string, string> = {};
let signer: { subject: string; fingerprint: string } | undefined;
const analyzer = createAndroidAnalyzer({ logger: pino({ level: 'silent' }) });

before(async () => {
  temp = makeTempDir('android');
  const write = (name: string, bytes: Buffer) => {
    const p = path.join(temp.dir, name);
    writeFileSync(p, bytes);
    files[name] = p;
  };
  const members: Record<string, Buffer> = {
    'AndroidManifest.xml': encodeAxml(DEMO_MANIFEST),
    'classes.dex': minimalDex({ strings: 120, types: 30, protos: 12, fields: 8, methods: 45, classes: 6 }),
    'classes2.dex': minimalDex({ strings: 5, types: 2, protos: 1, fields: 0, methods: 3, classes: 1 }, '039'),
    'res/raw/readme.txt': Buffer.from('resources'),
  };
  if (!skipOpenssl) {
    const key = path.join(temp.dir, 'key.pem');
    const cert = path.join(temp.dir, 'cert.pem');
    const p7 = path.join(temp.dir, 'CERT.RSA');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-subj', '/C=ES/O=Assay Test/CN=Assay Signer', '-days', '30', '-keyout', key, '-out', cert], { stdio: 'ignore' });
    execFileSync('openssl', ['crl2pkcs7', '-nocrl', '-certfile', cert, '-outform', 'DER', '-out', p7]);
    members['META-INF/CERT.RSA'] = readFileSync(p7);
    signer = {
      subject: execFileSync('openssl', ['x509', '-in', cert, '-noout', '-subject', '-nameopt', 'RFC2253'], { encoding: 'utf8' }).trim(),
      fingerprint: execFileSync('openssl', ['x509', '-in', cert, '-noout', '-fingerprint', '-sha1'], { encoding: 'utf8' }).trim(),
    };
  }
  write('demo.apk', zipBytes(members));
  write('demo-utf8.apk', zipBytes({ ...members, 'AndroidManifest.xml': encodeAxml(DEMO_MANIFEST, { utf8: true }) }));
  write('demo-obfuscated.apk', zipBytes({ ...members, 'AndroidManifest.xml': encodeAxml(DEMO_MANIFEST, { blankAttributeNames: true }) }));
  write('classes.dex', minimalDex({ strings: 9, types: 4, protos: 2, fields: 1, methods: 5, classes: 2 }));
  write(
    'tool.jar',
    zipBytes({
      'META-INF/MANIFEST.MF': 'Manifest-Version: 1.0\r\nMain-Class: com.assay.tool.Main\r\nCreated-By: Assay tests\r\nImplementation-Title: a very long title that goes on\r\n  and on\r\n\r\nName: com/assay/tool/\r\nSealed: true\r\n',
      'com/assay/tool/Main.class': Buffer.from([0xca, 0xfe, 0xba, 0xbe, 0, 0, 0, 52]),
      'com/assay/tool/util/Helper.class': Buffer.from([0xca, 0xfe, 0xba, 0xbe, 0, 0, 0, 52]),
      'org/lib/Thing.class': Buffer.from([0xca, 0xfe, 0xba, 0xbe, 0, 0, 0, 52]),
    }),
  );
  await analyzer.start();
});

after(async () => {
  await analyzer.close();
  temp?.remove();
});

const androguardOf = async (file: string) => (await analyzer.analyze(input(file), never())).attributes.androguard as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

describe('APKs', () => {
  test('manifest facts, permission levels, components, intent filters and tags', async () => {
    const out = await analyzer.analyze(input(files['demo.apk']!), never());
    assert.deepEqual(out.tags, ['apk', 'android']);
    const a = out.attributes.androguard as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    assert.equal(a.AndroidApplicationInfo, 'APK');
    assert.equal(a.AndroidApplicationError, false);
    assert.equal(a.Package, PKG);
    assert.equal(a.AndroidVersionCode, '7');
    assert.equal(a.AndroidVersionName, '1.2.3');
    assert.equal(a.MinSdkVersion, '21');
    assert.equal(a.TargetSdkVersion, '33');
    assert.equal(a.main_activity, `${PKG}.MainActivity`);
    assert.deepEqual(a.Activities, [`${PKG}.MainActivity`, `${PKG}.Settings`, 'org.other.lib.ExternalActivity']);
    assert.deepEqual(a.Services, [`${PKG}.SyncService`]);
    assert.deepEqual(a.Receivers, [`${PKG}.StrayReceiver`, `${PKG}.BootReceiver`]);
    assert.deepEqual(a.Providers, [`${PKG}.DataProvider`]);
    assert.deepEqual(a.Libraries, ['org.apache.http.legacy']);
    assert.deepEqual(a.Permissions, {
      'android.permission.INTERNET': { permission_type: 'normal' },
      'android.permission.SEND_SMS': { permission_type: 'dangerous' },
      'android.permission.READ_CONTACTS': { permission_type: 'dangerous' },
      'android.permission.BIND_ACCESSIBILITY_SERVICE': { permission_type: 'signature' },
      [`${PKG}.permission.C2D`]: { permission_type: 'signature' },
      'com.vendor.UNLISTED': { permission_type: 'unknown' },
    });
    assert.deepEqual(a.intent_filters, {
      Activities: {
        [`${PKG}.MainActivity`]: { action: ['android.intent.action.MAIN'], category: ['android.intent.category.LAUNCHER'] },
        [`${PKG}.Shortcut`]: { action: ['android.intent.action.VIEW'], category: [] },
      },
      Services: { [`${PKG}.SyncService`]: { action: [`${PKG}.SYNC`], category: [] } },
      Receivers: { [`${PKG}.BootReceiver`]: { action: ['android.intent.action.BOOT_COMPLETED'], category: [] } },
    });
    assert.deepEqual(
      a.dex.map((d: Record<string, unknown>) => [d.file, d.version, d.string_count, d.method_count, d.class_count]),
      [['classes.dex', '035', 120, 45, 6], ['classes2.dex', '039', 5, 3, 1]],
    );
  });

  test('UTF-8 string pools and blanked attribute names (resource map) read the same', async () => {
    const plain = await androguardOf(files['demo.apk']!);
    assert.deepEqual(await androguardOf(files['demo-utf8.apk']!), plain);
    assert.deepEqual(await androguardOf(files['demo-obfuscated.apk']!), plain);
  });

  test('the signer certificate matches openssl', { skip: skipOpenssl }, async () => {
    const cert = (await androguardOf(files['demo.apk']!)).certificate;
    assert.equal(cert.Subject.CN, 'Assay Signer');
    assert.equal(cert.Subject.O, 'Assay Test');
    assert.equal(cert.Subject.C, 'ES');
    assert.deepEqual(cert.Issuer, cert.Subject, 'self-signed');
    assert.match(signer!.subject, /CN=Assay Signer/);
    assert.equal(cert.thumbprint, signer!.fingerprint.split('=')[1]!.replace(/:/g, '').toLowerCase());
    assert.match(cert.validfrom, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
  });

  test('androguard reads the same package, SDKs, permissions and components', { skip: skipAndroguard }, async () => {
    // Not demo-obfuscated.apk: androguard 3.4 does not fall back to the resource map for blanked
    // attribute names and reads nothing but the package; the test above shows ours reads it in full.
    const names = ['demo.apk', 'demo-utf8.apk'];
    const refs = androguardFacts(names.map((n) => files[n]!));
    for (const [i, ref] of refs.entries()) {
      assert.equal(ref.error, undefined, ref.error);
      assert.deepEqual(differences(await androguardOf(files[names[i]!]!), ref), [], names[i]);
    }
  });

  test('aapt reads the same package and permissions', { skip: skipAapt }, async () => {
    const out = execFileSync('aapt', ['dump', 'permissions', files['demo.apk']!], { encoding: 'utf8' });
    const pkg = /^package: (\S+)/m.exec(out)?.[1];
    const perms = [...out.matchAll(/^uses-permission: name='([^']+)'/gm)].map((m) => m[1]);
    const ours = await androguardOf(files['demo.apk']!);
    assert.equal(ours.Package, pkg);
    assert.deepEqual(Object.keys(ours.Permissions).sort(), perms.sort());
  });
});

test('a bare DEX file: its header counts and the dex tag', async () => {
  const out = await analyzer.analyze(input(files['classes.dex']!), never());
  assert.deepEqual(out.tags, ['dex', 'android']);
  const a = out.attributes.androguard as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  assert.equal(a.AndroidApplicationInfo, 'DEX');
  assert.deepEqual(a.dex[0], { file: null, version: '035', file_size: 0x70, string_count: 9, type_count: 4, proto_count: 2, field_count: 1, method_count: 5, class_count: 2 });
});

test('a JAR: main class, manifest, class count and packages', async () => {
  const out = await analyzer.analyze(input(files['tool.jar']!), never());
  assert.deepEqual(out.tags, ['jar', 'java']);
  assert.deepEqual(out.attributes.java_info, {
    main_class: 'com.assay.tool.Main',
    manifest: { 'Manifest-Version': '1.0', 'Main-Class': 'com.assay.tool.Main', 'Created-By': 'Assay tests', 'Implementation-Title': 'a very long title that goes on and on' },
    class_count: 3,
    packages: ['com.assay.tool', 'com.assay.tool.util', 'org.lib'],
  });
});

test('other files give nothing', async () => {
  const zip = path.join(temp.dir, 'plain.zip');
  writeFileSync(zip, zipBytes({ 'a.txt': 'hello' }));
  const text = path.join(temp.dir, 'a.txt');
  writeFileSync(text, 'just text');
  assert.deepEqual(await analyzer.analyze(input(zip), never()), { attributes: {} });
  assert.deepEqual(await analyzer.analyze(input(text), never()), { attributes: {} });
  const notZip = path.join(temp.dir, 'broken.apk');
  writeFileSync(notZip, Buffer.concat([Buffer.from('PK\x03\x04'), Buffer.alloc(100, 0xee)]));
  assert.deepEqual(await analyzer.analyze(input(notZip), never()), { attributes: {} });
});

describe('hostile APKs', () => {
  const write = (name: string, bytes: Buffer) => {
    const p = path.join(temp.dir, name);
    writeFileSync(p, bytes);
    return p;
  };

  test('a manifest that inflates past the limit is refused unread; the APK is still tagged, with the error flag', async () => {
    const bomb = write('bomb.apk', zipBytes({ 'AndroidManifest.xml': Buffer.alloc(40 * 1024 * 1024), 'classes.dex': minimalDex({ strings: 1, types: 1, protos: 0, fields: 0, methods: 0, classes: 0 }) }));
    const out = await analyzer.analyze(input(bomb), never());
    assert.deepEqual(out.tags, ['apk', 'android']);
    const a = out.attributes.androguard as Record<string, unknown>;
    assert.equal(a.AndroidApplicationError, true);
    assert.equal(a.Package, undefined);
  });

  test('a text manifest, or truncated binary one, gives the error flag or what could be read, never a throw', async () => {
    const text = write('text-manifest.apk', zipBytes({ 'AndroidManifest.xml': '<manifest package="x"/>' }));
    assert.equal(((await analyzer.analyze(input(text), never())).attributes.androguard as Record<string, unknown>).AndroidApplicationError, true);
    const full = encodeAxml(DEMO_MANIFEST);
    for (const cut of [9, 40, 200, Math.floor(full.length / 2), full.length - 10]) {
      const p = write(`cut-${cut}.apk`, zipBytes({ 'AndroidManifest.xml': full.subarray(0, cut) }));
      const out = await analyzer.analyze(input(p), never());
      assert.deepEqual(out.tags, ['apk', 'android']);
    }
  });

  test('more entries than the limit: no attribute', async () => {
    const many: Record<string, string> = { 'AndroidManifest.xml': 'x' };
    for (let i = 0; i < 20; i++) many[`res/${i}.txt`] = String(i);
    const p = write('many.apk', zipBytes(many));
    const small = createAndroidAnalyzer({ logger: pino({ level: 'silent' }), archiveLimits: { maxEntries: 10, maxMemberBytes: 1024, maxTotalBytes: 4096 } });
    await small.start();
    assert.deepEqual(await small.analyze(input(p), never()), { attributes: {} });
  });

  test('a signature file that is not PKCS#7 gives no certificate', async () => {
    const p = write('badsig.apk', zipBytes({ 'AndroidManifest.xml': encodeAxml(DEMO_MANIFEST), 'META-INF/CERT.RSA': Buffer.from([0x30, 0x84, 0xff, 0xff, 0xff, 0xff, 0x06]) }));
    const a = (await analyzer.analyze(input(p), never())).attributes.androguard as Record<string, unknown>;
    assert.equal(a.Package, PKG);
    assert.equal(a.certificate, undefined);
  });
});

test('junk after the end of the ZIP (which breaks strict readers) is read past, as Android and androguard do', async () => {
  const apk = Buffer.concat([zipBytes({ 'AndroidManifest.xml': encodeAxml(DEMO_MANIFEST) }), Buffer.alloc(5000, 0x41)]);
  const p = path.join(temp.dir, 'junk-tail.apk');
  writeFileSync(p, apk);
  const a = (await analyzer.analyze(input(p), never())).attributes.androguard as Record<string, unknown>;
  assert.equal(a.Package, PKG);
  if (!skipAndroguard) assert.deepEqual(differences(a, androguardFacts([p])[0]!), []);
});
