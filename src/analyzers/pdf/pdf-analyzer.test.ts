/** The pdf analyzer as the pipeline drives it (worker threads, abort, close), and over the PDFs installed on this system against pdfinfo. */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { pino } from 'pino';
import type { FileInput } from '../../core/plugin.js';
import { PluginError } from '../../core/plugin.js';
import { makeTempDir } from '../../../test/fixtures/analyzers/samples.js';
import { analyzePdf } from './analyze-pdf.js';
import { createPdfAnalyzer, type PdfAnalyzer } from './pdf-analyzer.js';
import { basicObjects, buildPdf, streamBody } from './testing/pdf-builder.js';
import { pdfinfo, referenceToolsSkip as skip } from './testing/reference-tools.js';

const logger = pino({ level: 'silent' });
const input = (p: string): FileInput => ({ path: p, size: 0, md5: '', sha1: '', sha256: path.basename(p), names: [], typeTag: 'pdf' });
const never = () => new AbortController().signal;

let temp: ReturnType<typeof makeTempDir>;
let analyzer: PdfAnalyzer;
let withFile: string;
const payload = Buffer.from('embedded payload, harmless\n'.repeat(20));

before(async () => {
  temp = makeTempDir('pdf-analyzer');
  const objects = basicObjects(1, '/OpenAction 10 0 R /Names <</EmbeddedFiles <</Names [(a.txt) 11 0 R]>>>>');
  objects.push({ num: 10, body: '<</S /JavaScript /JS (app.alert\\(1\\))>>' });
  objects.push({ num: 11, body: '<</Type /Filespec /F (../../a.txt) /EF <</F 12 0 R>>>>' });
  objects.push({ num: 12, body: streamBody('/Type /EmbeddedFile', payload) });
  withFile = path.join(temp.dir, 'with-file.pdf');
  writeFileSync(withFile, buildPdf(objects, { trailer: '/Root 1 0 R' }));
  analyzer = createPdfAnalyzer({ logger, threads: 1 });
  const readiness = await analyzer.start();
  assert.equal(readiness.ready, true, readiness.detail);
});

after(async () => {
  await analyzer.close();
  temp.remove();
});

test('the manifest takes PDFs only (type tag pdf) and bounds their size', () => {
  assert.equal(analyzer.manifest.name, 'pdf');
  assert.deepEqual(analyzer.manifest.accepts.typeTags, ['pdf']);
  assert.ok((analyzer.manifest.accepts.maxBytes ?? 0) > 0);
});

test('analyze() gives pdf_info and tags from the worker, equal to the in-process report', async () => {
  const out = await analyzer.analyze(input(withFile), never());
  const direct = analyzePdf(readFileSync(withFile));
  assert.deepEqual(out.attributes.pdf_info, direct.pdfInfo);
  assert.deepEqual(out.tags, ['js-embedded', 'autoaction', 'file-embedded']);
});

test('extractChildren() gives the embedded file under its last path component', async () => {
  const children = await analyzer.extractChildren(input(withFile), never());
  assert.equal(children.length, 1);
  assert.equal(children[0]!.name, 'a.txt');
  assert.ok(children[0]!.bytes.equals(payload));
});

test('an unreadable path is a PluginError; an aborted signal rejects', async () => {
  await assert.rejects(analyzer.analyze(input(path.join(temp.dir, 'missing.pdf')), never()), (e: unknown) => e instanceof PluginError && e.flag === 'file_unreadable');
  const controller = new AbortController();
  controller.abort(new Error('stop'));
  await assert.rejects(analyzer.analyze(input(withFile), controller.signal), /stop/);
  // The pool still answers afterwards.
  assert.ok((await analyzer.analyze(input(withFile), never())).attributes.pdf_info);
});

test('every PDF under /usr/share parses, and its page count equals pdfinfo\'s', { skip }, () => {
  const files = execFileSync('sh', ['-c', "find /usr/share -name '*.pdf' -type f -size -3M 2>/dev/null | sort | head -60"]).toString().split('\n').filter(Boolean);
  let compared = 0;
  const differences: string[] = [];
  for (const file of files) {
    const report = analyzePdf(readFileSync(file));
    const reference = pdfinfo(file);
    if (reference.pages === undefined) continue;
    compared++;
    if (report.pdfInfo.num_pages !== reference.pages) differences.push(`${file}: ${String(report.pdfInfo.num_pages)} vs pdfinfo ${reference.pages}`);
  }
  assert.deepEqual(differences, []);
  if (files.length > 0) assert.ok(compared > 0, 'pdfinfo read none of the files');
});
