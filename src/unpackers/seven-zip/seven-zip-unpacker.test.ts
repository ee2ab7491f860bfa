// SevenZipUnpacker against the real 7zz (Debian 7zip) on archives made here, plus stub "7zz"
// scripts for what a real archive cannot easily do (outgrow its declared size, hang).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { UnpackError, type UnpackOptions } from '../../core/unpacker.js';
import { SevenZipUnpacker } from './seven-zip-unpacker.js';
import { handMadeZip, setLocalFlags } from './testing/hand-made-zip.js';

const run = promisify(execFile);
const MB = 1024 * 1024;

/** `7zz a` in `cwd`; the archive name is relative to it. */
async function zip(cwd: string, archive: string, members: string[], switches: string[]): Promise<string> {
  await run('7zz', ['a', '-bd', '-y', '-tzip', ...switches, archive, ...members], { cwd });
  return path.join(cwd, archive);
}

/** Renames a ZIP entry in place (local header and central directory); names must have the same length. */
function renameEntry(archive: Buffer, from: string, to: string): Buffer {
  assert.equal(from.length, to.length);
  const text = archive.toString('latin1');
  assert.equal(text.split(from).length - 1, 2, 'the name appears once in each header');
  return Buffer.from(text.replaceAll(from, to), 'latin1');
}

async function exists(p: string): Promise<boolean> {
  return readdir(path.dirname(p)).then((names) => names.includes(path.basename(p)));
}

/** Whether a process with this id exists (signal 0 only checks). */
function isRunning(pid: number): boolean {
  assert.ok(pid > 0, 'the stub recorded its process id');
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function rejectsWith(promise: Promise<unknown>, reason: UnpackError['reason']): Promise<UnpackError> {
  const error = await promise.then(
    () => assert.fail(`expected UnpackError ${reason}`),
    (e: unknown) => e,
  );
  assert.ok(error instanceof UnpackError, `expected UnpackError, got ${String(error)}`);
  assert.equal(error.reason, reason, error.message);
  return error;
}

describe('SevenZipUnpacker', () => {
  let tmp: string;
  let src: string;
  let count = 0;
  const hello = Buffer.from('hello, archive\n');
  const blob = randomBytes(300 * 1024);
  const unpacker = new SevenZipUnpacker();

  /** A fresh destination path inside its own parent, so the test can see everything written beside it. */
  async function dest(): Promise<{ parent: string; destDir: string }> {
    const parent = path.join(tmp, `out-${++count}`);
    await mkdir(parent);
    return { parent, destDir: path.join(parent, 'dest') };
  }
  const limits = (destDir: string, more: Partial<UnpackOptions> = {}): UnpackOptions => ({
    password: 'infected',
    destDir,
    maxTotalBytes: 10 * MB,
    maxEntries: 32,
    ...more,
  });

  before(async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), 'assay-7z-'));
    src = path.join(tmp, 'src');
    await mkdir(path.join(src, 'd'), { recursive: true });
    await writeFile(path.join(src, 'hello.txt'), hello);
    await writeFile(path.join(src, 'd', 'blob.bin'), blob);
    for (const method of ['AES256', 'ZipCrypto']) {
      // 7zz stores `d/blob.bin` before `hello.txt`; renaming the latter to `aaaaa.txt` (names are
      // not encrypted) makes archive order differ from name order.
      const made = await zip(src, `../${method}-made.zip`, ['hello.txt', 'd'], ['-pinfected', `-mem=${method}`]);
      await writeFile(path.join(tmp, `${method}.zip`), renameEntry(await readFile(made), 'hello.txt', 'aaaaa.txt'));
    }
  });
  after(async () => {
    await rm(tmp, { recursive: true, force: true });
  });

  it('reports ready with the 7-Zip version', async () => {
    assert.equal(unpacker.status().ready, false, 'not ready before start()');
    const status = await unpacker.start();
    assert.deepEqual(unpacker.status(), status);
    assert.equal(status.ready, true, status.detail);
    assert.match(status.engineVersion ?? '', /^\d+\.\d+$/);
  });

  for (const method of ['AES256', 'ZipCrypto']) {
    it(`unpacks a ${method} ZIP byte-exact with the right password, in archive order`, async () => {
      const archive = path.join(tmp, `${method}.zip`);
      const { destDir } = await dest();
      const files = await unpacker.unpack(archive, limits(destDir));
      assert.deepEqual(
        files.map((f) => [f.name, f.size]),
        [
          ['d/blob.bin', blob.length],
          ['aaaaa.txt', hello.length],
        ],
      );
      for (const f of files) assert.equal(path.relative(destDir, f.path), f.name);
      assert.deepEqual(await readFile(files[0]!.path), blob);
      assert.deepEqual(await readFile(files[1]!.path), hello);
      await rm(destDir, { recursive: true });
    });

    it(`refuses a ${method} ZIP with the wrong password and leaves nothing`, async () => {
      const archive = path.join(tmp, `${method}.zip`);
      const { parent, destDir } = await dest();
      await rejectsWith(unpacker.unpack(archive, limits(destDir, { password: 'wrong' })), 'wrong_password');
      assert.deepEqual(await readdir(parent), []);
    });
  }

  it('refuses by declared size before extracting anything', async () => {
    const archive = await zip(src, '../big.zip', ['d'], ['-pinfected']);
    // A stub that logs each 7zz command (l or x) and then runs the real one.
    const log = path.join(tmp, 'calls.log');
    const logging = path.join(tmp, 'logging-7zz');
    await writeFile(logging, `#!/bin/sh\necho "$1" >> '${log}'\nexec 7zz "$@"\n`);
    await chmod(logging, 0o755);
    const { parent, destDir } = await dest();
    const error = await rejectsWith(
      new SevenZipUnpacker({ command: logging }).unpack(archive, limits(destDir, { maxTotalBytes: 1000 })),
      'too_large',
    );
    assert.match(error.message, /declares 307200 bytes/);
    assert.equal((await readFile(log, 'utf8')).trim(), 'l');
    assert.deepEqual(await readdir(parent), []);
  });

  it('refuses too many entries before extracting', async () => {
    const many = path.join(tmp, 'many');
    await mkdir(many);
    const names = ['f0.txt', 'f1.txt', 'f2.txt', 'f3.txt', 'f4.txt'];
    for (const name of names) await writeFile(path.join(many, name), `file ${name}`);
    const archive = await zip(many, '../many.zip', names, ['-pinfected']);
    const { parent, destDir } = await dest();
    await rejectsWith(unpacker.unpack(archive, limits(destDir, { maxEntries: 3 })), 'too_many_entries');
    assert.deepEqual(await readdir(parent), []);
    // At the limit it is fine.
    const files = await unpacker.unpack(archive, limits(destDir, { maxEntries: 5 }));
    assert.equal(files.length, 5);
    await rm(destDir, { recursive: true });
  });

  it('keeps a `../evil` entry inside destDir', async () => {
    // Made as `zz/evil`, then renamed in the local header and the central directory (same length).
    const work = path.join(tmp, 'evil-src');
    await mkdir(path.join(work, 'zz'), { recursive: true });
    await writeFile(path.join(work, 'zz', 'evil'), 'escaped?');
    const made = await readFile(await zip(work, 'evil.zip', ['zz/evil'], ['-pinfected', '-mem=ZipCrypto']));
    const archive = path.join(tmp, 'evil.zip');
    await writeFile(archive, renameEntry(made, 'zz/evil', '../evil'));

    const { parent, destDir } = await dest();
    const files = await unpacker.unpack(archive, limits(destDir));
    assert.deepEqual(
      files.map((f) => f.name),
      ['evil'],
    );
    assert.ok(files[0]!.path.startsWith(destDir + path.sep));
    assert.deepEqual(await readdir(parent), ['dest']);
    assert.equal(await exists(path.join(tmp, 'evil')), false);
    await rm(destDir, { recursive: true });
  });

  it('refuses an archive with a symbolic link, before extracting', async () => {
    const work = path.join(tmp, 'link-src');
    await mkdir(work);
    await writeFile(path.join(work, 'plain.txt'), 'plain');
    await symlink('/etc/passwd', path.join(work, 'link'));
    const archive = await zip(work, '../link.zip', ['plain.txt', 'link'], ['-pinfected', '-snl']);
    const { parent, destDir } = await dest();
    await rejectsWith(unpacker.unpack(archive, limits(destDir)), 'unsafe_entry');
    assert.deepEqual(await readdir(parent), []);
  });

  it('calls an entry whose local header flags lie damaged, not "wrong password", when the password is right', async () => {
    // 7zz made it with the right password; then the data-descriptor flag is set in the local header only.
    const work = path.join(tmp, 'lying-src');
    await mkdir(work);
    await writeFile(path.join(work, 'inner.txt'), 'hello\n'.repeat(500));
    for (const method of ['ZipCrypto', 'AES256']) {
      const made = await readFile(await zip(work, `../lying-${method}-made.zip`, ['inner.txt'], ['-pinfected', `-mem=${method}`]));
      const archive = path.join(tmp, `lying-${method}.zip`);
      await writeFile(archive, setLocalFlags(made, 0, 0x0008));
      const { parent, destDir } = await dest();
      const error = await rejectsWith(unpacker.unpack(archive, limits(destDir)), 'corrupt');
      assert.match(error.message, /damaged.*inconsistent.*"inner\.txt".*flags/);
      assert.deepEqual(await readdir(parent), []);
      // The untouched archive unpacks with the same password: it was the headers, not the password.
      const fine = await dest();
      assert.equal((await unpacker.unpack(path.join(tmp, `lying-${method}-made.zip`), limits(fine.destDir))).length, 1);
    }
  });

  it('records Windows paths (`dir\\evil.exe`, `C:\\x\\y.exe`, `..\\up.exe`) as plain files under their base names', async () => {
    const archive = path.join(tmp, 'windows-names.zip');
    await writeFile(
      archive,
      handMadeZip([
        { name: 'dir\\evil.exe', data: 'MZ evil' },
        { name: 'C:\\x\\y.exe', data: 'MZ y', deflate: true },
        { name: '..\\up.exe', data: 'MZ up' },
        { name: 'plain.txt', data: 'plain' },
      ]),
    );
    const { parent, destDir } = await dest();
    const files = await unpacker.unpack(archive, limits(destDir, { password: undefined }));
    assert.deepEqual(
      files.map((f) => f.name),
      ['evil.exe', 'y.exe', 'up.exe', 'plain.txt'],
    );
    assert.deepEqual(await Promise.all(files.map((f) => readFile(f.path, 'utf8'))), ['MZ evil', 'MZ y', 'MZ up', 'plain']);
    for (const f of files) assert.ok(f.path.startsWith(destDir + path.sep), f.path);
    assert.deepEqual(await readdir(parent), ['dest']);
    await rm(destDir, { recursive: true });
  });

  it('unpacks the other members of an archive with a name over 255 bytes, and that one under a shortened name', async () => {
    const long = `${'n'.repeat(300)}.exe`;
    const longInDir = `d/${'é'.repeat(200)}.txt`;
    const archive = path.join(tmp, 'long-names.zip');
    await writeFile(
      archive,
      handMadeZip([
        { name: 'first.txt', data: 'first' },
        { name: long, data: 'long one', deflate: true },
        { name: longInDir, data: 'long in a directory' },
        { name: 'last.txt', data: 'last' },
      ]),
    );
    const { destDir } = await dest();
    const files = await unpacker.unpack(archive, limits(destDir, { password: undefined }));
    const byContent = new Map(await Promise.all(files.map(async (f) => [await readFile(f.path, 'utf8'), f.name] as const)));
    assert.deepEqual([...byContent.keys()].sort(), ['first', 'last', 'long in a directory', 'long one']);
    assert.equal(byContent.get('first'), 'first.txt');
    assert.equal(byContent.get('last'), 'last.txt');
    const shortened = byContent.get('long one')!;
    assert.ok(long.startsWith(shortened.replace(/~\.exe$/, '')) && shortened.endsWith('~.exe'), shortened);
    const inDir = byContent.get('long in a directory')!;
    assert.match(inDir, /^d\/é+~\.txt$/);
    for (const part of [...shortened.split('/'), ...inDir.split('/')]) assert.ok(Buffer.byteLength(part) <= 255, part);
    await rm(destDir, { recursive: true });
  });

  it('holds a long-named entry to the size limit too', async () => {
    const archive = path.join(tmp, 'long-bomb.zip');
    await writeFile(archive, handMadeZip([{ name: `${'b'.repeat(300)}.bin`, data: Buffer.alloc(3 * MB), deflate: true }]));
    const { parent, destDir } = await dest();
    // Declared honestly, the listing's check refuses it; declared as 10 bytes, 7zz stops at the lie or the byte count at the limit.
    await rejectsWith(unpacker.unpack(archive, limits(destDir, { password: undefined, maxTotalBytes: MB })), 'too_large');
    const lying = handMadeZip([{ name: `${'b'.repeat(300)}.bin`, data: Buffer.alloc(3 * MB), deflate: true }]);
    const central = lying.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
    lying.writeUInt32LE(10, central + 24);
    lying.writeUInt32LE(10, 22);
    await writeFile(archive, lying);
    const error = await unpacker.unpack(archive, limits(destDir, { password: undefined, maxTotalBytes: MB })).then(() => undefined, (e: unknown) => e);
    assert.ok(error instanceof UnpackError && ['too_large', 'corrupt'].includes(error.reason), String(error));
    assert.deepEqual(await readdir(parent), []);
  });

  it('calls bytes that are not a ZIP corrupt', async () => {
    const archive = path.join(tmp, 'garbage.zip');
    await writeFile(archive, Buffer.concat([Buffer.from('PK\x03\x04'), randomBytes(200)]));
    const { parent, destDir } = await dest();
    const error = await rejectsWith(unpacker.unpack(archive, limits(destDir)), 'corrupt');
    assert.doesNotMatch(error.message, new RegExp(tmp), 'no server path in the client message');
    assert.deepEqual(await readdir(parent), []);
  });

  it('unpacks an unencrypted ZIP too, and one without a password', async () => {
    const archive = await zip(src, '../plain.zip', ['hello.txt'], []);
    const { destDir } = await dest();
    const files = await unpacker.unpack(archive, limits(destDir, { password: undefined }));
    assert.deepEqual(await readFile(files[0]!.path), hello);
    await rm(destDir, { recursive: true });
  });

  describe('with a stub 7zz', () => {
    async function stub(name: string, script: string): Promise<string> {
      const file = path.join(tmp, name);
      await writeFile(file, `#!/bin/sh\n${script}\n`);
      await chmod(file, 0o755);
      return file;
    }

    it('kills an extraction that writes more than it declared', async () => {
      // Declares 10 bytes, writes 5 MB, then lingers past the unpack's time limit: only the watchdog
      // can make it too_large (the limit would make it a timeout).
      const command = await stub(
        'liar-7zz',
        `case "$1" in
l) printf -- '----------\\nPath = big.bin\\nFolder = -\\nSize = 10\\nAttributes =  -rw-r--r--\\n\\n' ;;
x) for a in "$@"; do case "$a" in -o*) out="\${a#-o}";; esac; done
   echo $$ > '${tmp}/liar.pid'; head -c 5000000 /dev/zero > "$out/big.bin"; exec sleep 600 ;;
esac`,
      );
      const { parent, destDir } = await dest();
      await rejectsWith(
        new SevenZipUnpacker({ command, watchIntervalMs: 50, timeoutMs: 30_000 }).unpack(path.join(tmp, 'plain.zip'), limits(destDir, { maxTotalBytes: 1000 })),
        'too_large',
      );
      assert.equal(isRunning(Number(await readFile(path.join(tmp, 'liar.pid'), 'utf8'))), false, 'killed by the watchdog, not left to run');
      assert.deepEqual(await readdir(parent), []);
    });

    it('measures a file whose name is not UTF-8 while watching the extraction', async () => {
      // Such a name read as text names no file; the watchdog must still count its bytes.
      const command = await stub(
        'liar-7zz-bytes',
        `case "$1" in
l) printf -- '----------\\nPath = big.bin\\nFolder = -\\nSize = 10\\nAttributes =  -rw-r--r--\\n\\n' ;;
x) for a in "$@"; do case "$a" in -o*) out="\${a#-o}";; esac; done
   echo $$ > '${tmp}/liar-bytes.pid'; head -c 5000000 /dev/zero > "$out/$(printf 'big\\377.bin')"; exec sleep 600 ;;
esac`,
      );
      const { parent, destDir } = await dest();
      await rejectsWith(
        new SevenZipUnpacker({ command, watchIntervalMs: 50, timeoutMs: 30_000 }).unpack(path.join(tmp, 'plain.zip'), limits(destDir, { maxTotalBytes: 1000 })),
        'too_large',
      );
      assert.equal(isRunning(Number(await readFile(path.join(tmp, 'liar-bytes.pid'), 'utf8'))), false, 'killed by the watchdog, not left to run');
      assert.deepEqual(await readdir(parent), []);
    });

    it('kills a run past its time limit', async () => {
      const command = await stub('slow-7zz', `echo $$ > '${tmp}/slow.pid'; exec sleep 30`);
      const { parent, destDir } = await dest();
      const error = await rejectsWith(new SevenZipUnpacker({ command, timeoutMs: 300 }).unpack(path.join(tmp, 'plain.zip'), limits(destDir)), 'timeout');
      // The limit given, not the default, ended it, and the child is gone.
      assert.match(error.message, /within 300 ms/);
      assert.equal(isRunning(Number(await readFile(path.join(tmp, 'slow.pid'), 'utf8'))), false);
      assert.deepEqual(await readdir(parent), []);
    });

    it('stops when the caller aborts, with the caller\'s reason', async () => {
      const command = await stub('slow-7zz-2', 'exec sleep 30');
      const { parent, destDir } = await dest();
      const controller = new AbortController();
      setTimeout(() => controller.abort(new Error('shutting down')), 100);
      await assert.rejects(
        new SevenZipUnpacker({ command }).unpack(path.join(tmp, 'plain.zip'), limits(destDir, { signal: controller.signal })),
        /shutting down/,
      );
      assert.deepEqual(await readdir(parent), []);
    });

    it('refuses a symlink that appears on extraction though the listing showed none', async () => {
      const command = await stub(
        'sneaky-7zz',
        `case "$1" in
l) printf -- '----------\\nPath = a\\nFolder = -\\nSize = 1\\nAttributes =  -rw-r--r--\\n\\n' ;;
x) for a in "$@"; do case "$a" in -o*) out="\${a#-o}";; esac; done; ln -s /etc/passwd "$out/a" ;;
esac`,
      );
      const { parent, destDir } = await dest();
      await rejectsWith(new SevenZipUnpacker({ command }).unpack(path.join(tmp, 'plain.zip'), limits(destDir)), 'unsafe_entry');
      assert.deepEqual(await readdir(parent), []);
    });
  });

  it('is not ready, and refuses as unavailable, when 7zz is missing', async () => {
    const missing = new SevenZipUnpacker({ command: path.join(tmp, 'no-such-7zz') });
    const status = await missing.start();
    assert.equal(status.ready, false);
    assert.match(status.detail ?? '', /not installed.*7zip/);
    const { parent, destDir } = await dest();
    await rejectsWith(missing.unpack(path.join(tmp, 'plain.zip'), limits(destDir)), 'unavailable');
    assert.deepEqual(await readdir(parent), []);
  });
});
