/** `assay hashes import|list` on a SQLite store in a temp data directory, in-process. */
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { memoryIo } from '../output.js';
import { runHashesImport, runHashesList } from './hashes.js';

describe('assay hashes', () => {
  let dir: string;
  let data: string;

  before(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'assay-hashes-cli-'));
    data = path.join(dir, 'data');
  });
  after(async () => fs.rm(dir, { recursive: true, force: true }));

  test('import prints the list, its kind, the hashes stored and the malformed lines skipped', async () => {
    const file = path.join(dir, 'bad.txt');
    await fs.writeFile(file, `# abuse.ch export\n${'a'.repeat(64)}\n${'b'.repeat(32)} Emotet\nnot a hash\n`);
    const io = memoryIo();
    assert.equal(await runHashesImport(['plain', file, '--name', 'Bad', '--data', data], io), 0, io.err());
    assert.deepEqual(io.out().split('\n'), ['list     Bad (known-bad, plain)', 'hashes   2', 'skipped  1 malformed lines', `source   ${file}`, '']);
  });

  test('--known-good imports an allow-list, and list shows both', async () => {
    const file = path.join(dir, 'good.txt');
    await fs.writeFile(file, `${'c'.repeat(64)}\n`);
    const io = memoryIo();
    assert.equal(await runHashesImport(['plain', file, '--name', 'Ours', '--known-good', '--data', data], io), 0, io.err());
    const listed = memoryIo();
    assert.equal(await runHashesList(['--json', '--data', data], listed), 0, listed.err());
    assert.deepEqual((JSON.parse(listed.out()) as Array<{ name: string; kind: string; entries: number }>).map((l) => [l.name, l.kind, l.entries]), [['Bad', 'known-bad', 2], ['Ours', 'known-good', 1]]);
  });

  test('an unknown format or a missing --name is a usage error', async () => {
    const io = memoryIo();
    assert.notEqual(await runHashesImport(['nsrl', path.join(dir, 'x'), '--name', 'X', '--data', data], io), 0);
    const io2 = memoryIo();
    assert.notEqual(await runHashesImport(['plain', path.join(dir, 'x'), '--data', data], io2), 0);
  });
});
