/**
 * The exiftool analyzer against the `exiftool -j` command (Debian's libimage-exiftool-perl) on files
 * built here: a PE from MinGW, a PDF, a PNG, a JPEG with EXIF, a docx; and files ExifTool chokes on.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { pino } from 'pino';
import { makeTempDir, pdfBytes, pngBytes, zipBytes } from '../../../test/fixtures/analyzers/samples.js';
import type { Analyzer, FileInput } from '../../core/plugin.js';
import { createExiftoolAnalyzer } from './exiftool-analyzer.js';
import { FILE_SYSTEM_TAGS, vtExiftoolAttribute } from './vt-exiftool-tags.js';
import { parseExiftoolJson } from './vt-read-task.js';

const DEBIAN_EXIFTOOL = '/usr/bin/exiftool';
const skipCli = existsSync(DEBIAN_EXIFTOOL) ? false : 'exiftool (libimage-exiftool-perl) is not installed';
const MINGW = 'x86_64-w64-mingw32-gcc';
const IMAGEMAGICK = '/usr/bin/convert';

const never = () => new AbortController().signal;
const input = (p: string): FileInput => ({ path: p, size: 0, md5: '', sha1: '', sha256: path.basename(p), names: [] });

function hasTool(cmd: string, args: string[]): boolean {
  try {
    execFileSync(cmd, args, { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const DOCX = {
  '[Content_Types].xml':
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">' +
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>' +
    '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>' +
    '<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/></Types>',
  '_rels/.rels':
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">' +
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>' +
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/></Relationships>',
  'word/document.xml':
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>Assay</w:t></w:r></w:p></w:body></w:document>',
  'docProps/core.xml':
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" ' +
    'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">' +
    '<dc:title>Quarterly figures</dc:title><dc:creator>Assay Test</dc:creator>' +
    '<dcterms:created xsi:type="dcterms:W3CDTF">2024-03-01T10:00:00Z</dcterms:created></cp:coreProperties>',
};

const PE_C = 'int main(void) { return 42; }\n';

let temp: ReturnType<typeof makeTempDir>;
const files: Record<string, string> = {};
let analyzer: Analyzer;
let debianAnalyzer: Analyzer;

before(async () => {
  temp = makeTempDir('exiftool');
  const write = (name: string, bytes: Buffer | string) => {
    const p = path.join(temp.dir, name);
    writeFileSync(p, bytes);
    files[name] = p;
    return p;
  };
  write('doc.pdf', pdfBytes());
  write('image.png', pngBytes());
  write('report.docx', zipBytes(DOCX));
  if (hasTool(MINGW, ['--version'])) {
    const src = path.join(temp.dir, 'main.c');
    writeFileSync(src, PE_C);
    execFileSync(MINGW, ['-O1', '-o', path.join(temp.dir, 'main.exe'), src]);
    files['main.exe'] = path.join(temp.dir, 'main.exe');
  }
  if (existsSync(IMAGEMAGICK) && !skipCli) {
    const jpeg = path.join(temp.dir, 'photo.jpg');
    execFileSync(IMAGEMAGICK, ['-size', '16x16', 'gradient:red-blue', jpeg]);
    // EXIF written by the reference tool itself, so the values read back are known.
    execFileSync(DEBIAN_EXIFTOOL, ['-q', '-overwrite_original', '-Make=AssayCam', '-Model=Test 1', '-DateTimeOriginal=2024:03:01 10:00:00', '-Artist=Assay', jpeg]);
    files['photo.jpg'] = jpeg;
  }
  analyzer = createExiftoolAnalyzer({ logger: pino({ level: 'silent' }), taskTimeoutMs: 15_000 });
  assert.equal((await analyzer.start()).ready, true);
  if (!skipCli) {
    debianAnalyzer = createExiftoolAnalyzer({ logger: pino({ level: 'silent' }), exiftoolPath: DEBIAN_EXIFTOOL });
    assert.equal((await debianAnalyzer.start()).ready, true);
  }
});

after(async () => {
  await analyzer?.close();
  await debianAnalyzer?.close();
  temp?.remove();
});

/**
 * What the CLI prints for the file in its plain-text form (`-args`: one `-Tag=value` a line, values as
 * ExifTool prints them), less the file-system tags: a reference independent of our JSON handling.
 */
function cliAttribute(file: string): Record<string, string> {
  const tags: Record<string, string> = {};
  for (const line of execFileSync(DEBIAN_EXIFTOOL, ['-args', file], { encoding: 'utf8' }).split('\n')) {
    const m = /^-([^=]+)=(.*)$/.exec(line);
    if (!m || FILE_SYSTEM_TAGS.has(m[1]!) || m[1] === 'Warning' || m[1] === 'Error') continue;
    tags[m[1]!] = m[2]!;
  }
  return tags;
}

const exiftoolOf = async (a: Analyzer, file: string) => (await a.analyze(input(file), never())).attributes.exiftool as Record<string, string> | undefined;

test('driving Debian exiftool through the analyzer gives exactly what `exiftool -args` prints for every built file', { skip: skipCli }, async () => {
  let compared = 0;
  for (const file of Object.values(files)) {
    const ours = await exiftoolOf(debianAnalyzer, file);
    assert.ok(ours, `${path.basename(file)}: no exiftool attribute`);
    assert.deepEqual(ours, cliAttribute(file), path.basename(file));
    compared++;
  }
  assert.ok(compared >= 3);
});

test('the vendored ExifTool agrees with the CLI on every tag both print, and the file-system tags are gone', { skip: skipCli }, async () => {
  for (const file of Object.values(files)) {
    const ours = (await exiftoolOf(analyzer, file))!;
    const cli = cliAttribute(file);
    const shared = Object.keys(ours).filter((k) => k in cli);
    // Newer ExifTool versions add tags; the common ones must read the same.
    assert.ok(shared.length >= Math.min(5, Object.keys(cli).length), `${path.basename(file)}: only ${shared.length} shared tags`);
    for (const k of shared) assert.equal(ours[k], cli[k], `${path.basename(file)} ${k}`);
    for (const k of FILE_SYSTEM_TAGS) assert.equal(k in ours, false, `${path.basename(file)} keeps ${k}`);
    for (const value of Object.values(ours)) assert.equal(typeof value, 'string');
  }
});

test('VT-shaped values for the common types', { skip: skipCli }, async () => {
  const pdf = (await exiftoolOf(analyzer, files['doc.pdf']!))!;
  assert.equal(pdf.FileType, 'PDF');
  assert.equal(pdf.MIMEType, 'application/pdf');
  const png = (await exiftoolOf(analyzer, files['image.png']!))!;
  assert.equal(png.FileType, 'PNG');
  const docx = (await exiftoolOf(analyzer, files['report.docx']!))!;
  assert.equal(docx.FileType, 'DOCX');
  assert.equal(docx.Creator, 'Assay Test');
  assert.equal(docx.Title, 'Quarterly figures');
  if (files['main.exe']) {
    const pe = (await exiftoolOf(analyzer, files['main.exe']))!;
    assert.equal(pe.FileType, 'Win64 EXE');
    assert.equal(pe.MachineType, 'AMD AMD64');
    assert.equal(pe.PEType, 'PE32+');
    assert.match(pe.TimeStamp ?? '', /^\d{4}:\d\d:\d\d \d\d:\d\d:\d\d[+-]\d\d:\d\d$/);
    assert.match(pe.CodeSize ?? '', /^\d+$/);
    // Version numbers keep ExifTool's text ("4.0", not 4), as VT shows them.
    assert.match(pe.OSVersion ?? '', /^\d+\.\d+$/);
    assert.match(pe.ImageVersion ?? '', /^\d+\.\d+$/);
  }
  if (files['photo.jpg']) {
    const jpeg = (await exiftoolOf(analyzer, files['photo.jpg']))!;
    assert.equal(jpeg.Make, 'AssayCam');
    assert.equal(jpeg.Model, 'Test 1');
    assert.equal(jpeg.DateTimeOriginal, '2024:03:01 10:00:00');
  }
});

test('hostile: files ExifTool cannot read give no attribute and the analysis goes on', async () => {
  const p = (name: string, bytes: Buffer) => {
    const file = path.join(temp.dir, name);
    writeFileSync(file, bytes);
    return file;
  };
  const cases = [
    p('empty.bin', Buffer.alloc(0)),
    p('truncated.jpg', Buffer.from([0xff, 0xd8, 0xff, 0xe1, 0xff, 0xff, 0x45, 0x78, 0x69, 0x66, 0, 0])),
    p('truncated.pdf', pdfBytes().subarray(0, 20)),
    // A TIFF whose first IFD points at itself and claims 65535 entries.
    p('loop.tif', Buffer.from([0x49, 0x49, 0x2a, 0x00, 0x08, 0, 0, 0, 0xff, 0xff, 0x00, 0x01, 0x03, 0x00, 0x01, 0, 0, 0, 8, 0, 0, 0, 8, 0, 0, 0])),
    p('zip-bomb-header.zip', Buffer.concat([Buffer.from('PK\x03\x04'), Buffer.alloc(26, 0xff)])),
  ];
  for (const file of cases) {
    const out = await analyzer.analyze(input(file), never());
    const tags = out.attributes.exiftool as Record<string, string> | undefined;
    // Either nothing, or a plain map of strings without the file-system tags: never a throw.
    if (tags) for (const k of FILE_SYSTEM_TAGS) assert.equal(k in tags, false);
  }
  assert.equal((await analyzer.analyze(input(cases[0]!), never())).attributes.exiftool, undefined, 'an empty file has no tags');
  assert.deepEqual(await analyzer.analyze(input(path.join(temp.dir, 'missing.bin')), never()), { attributes: {} });
  // Still answering after the bad files.
  assert.equal((await exiftoolOf(analyzer, files['image.png']!))?.FileType, 'PNG');
});

test('numbers keep their text; strings that look like numbers are untouched', () => {
  const raw = parseExiftoolJson('[{\n  "SourceFile": "/x",\n  "OSVersion": 4.0,\n  "LinkerVersion": 14.10,\n  "Note": "5.0",\n  "Neg": -1.50,\n  "Flag": true,\n  "List": [1.0,2]\n}]\n');
  assert.deepEqual(vtExiftoolAttribute(raw).tags, { OSVersion: '4.0', LinkerVersion: '14.10', Note: '5.0', Neg: '-1.50', Flag: 'true', List: '1, 2' });
  assert.throws(() => parseExiftoolJson('[]'));
  assert.throws(() => parseExiftoolJson('not json'));
});

test('tag and value caps bound what one file adds', () => {
  const raw: Record<string, unknown> = { SourceFile: '/tmp/x', FileName: 'x', Warning: 'odd', Keywords: ['a', 'b'], Count: 7 };
  for (let i = 0; i < 2000; i++) raw[`Tag${i}`] = 'v'.repeat(i === 0 ? 100_000 : 1);
  const { tags, warning } = vtExiftoolAttribute(raw);
  assert.equal(Object.keys(tags).length, 512);
  assert.equal(tags.Keywords, 'a, b');
  assert.equal(tags.Count, '7');
  assert.equal(tags.Tag0!.length, 2048);
  assert.equal(warning, 'odd');
  assert.equal('SourceFile' in tags || 'FileName' in tags, false);
});

/** An "exiftool" that answers its version check and then never answers a read, as one stuck on a file. */
const STUCK_EXIFTOOL = `#!/usr/bin/perl
$| = 1;
my @args;
while (my $line = <STDIN>) {
  chomp $line;
  if ($line =~ /^-execute(\\d*)$/) {
    my $n = $1;
    if (grep { $_ eq '-ver' } @args) { print "13.00\\n{ready$n}\\n"; }
    elsif (grep { $_ eq '-json' } @args) { sleep 3600; }
    else { print "{ready$n}\\n"; }
    @args = ();
  } else { push @args, $line; }
}
`;

test('hostile: an ExifTool that stops answering gives no attribute, a logged reason, and is replaced', async () => {
  const script = path.join(temp.dir, 'stuck-exiftool');
  writeFileSync(script, STUCK_EXIFTOOL, { mode: 0o755 });
  const reasons: string[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => reasons.push(JSON.parse(line).reason) });
  const stuck = createExiftoolAnalyzer({ logger, exiftoolPath: script, taskTimeoutMs: 500 });
  assert.equal((await stuck.start()).ready, true);
  try {
    for (let i = 0; i < 3; i++) assert.deepEqual(await stuck.analyze(input(files['image.png']!), never()), { attributes: {} });
    assert.equal(reasons.length, 3);
    assert.ok(reasons.every((r) => /timeout|no answer/.test(r)), reasons.join('; '));
    // An abort ends the wait at once.
    const aborted = new AbortController();
    const pending = stuck.analyze(input(files['image.png']!), aborted.signal);
    aborted.abort(new Error('deadline'));
    assert.deepEqual(await pending, { attributes: {} });
  } finally {
    await stuck.close();
  }
});
