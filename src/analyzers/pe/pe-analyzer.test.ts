// The pe analyzer as the pipeline drives it: manifest, readiness, worker threads, abort and close.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import type { Analyzer, FileInput } from '../../core/plugin.js';
import { PluginError } from '../../core/plugin.js';
import { analyzePe } from './analyze-pe.js';
import { createPeAnalyzer } from './pe-analyzer.js';
import { PeWorkspace } from './testing/build-pe.js';

const input = (p: string): FileInput => ({ path: p, size: 0, md5: '', sha1: '', sha256: 'x', names: [] });
const never = (): AbortSignal => new AbortController().signal;

describe('pe analyzer plugin', () => {
  const ws = new PeWorkspace();
  let analyzer: Analyzer;
  let exe = '';
  before(async () => {
    exe = ws.compile('a.exe', { 'main.c': '#include <windows.h>\nint main(void) { return IsDebuggerPresent(); }' });
    analyzer = createPeAnalyzer({ logger: pino({ level: 'silent' }), threads: 1 });
  });
  after(async () => {
    await analyzer.close();
    ws.close();
  });

  it('takes only PE type tags', () => {
    assert.deepEqual(analyzer.manifest.accepts.typeTags, ['peexe', 'pedll']);
  });

  it('gives the same attributes and tags from its worker thread as analyzePe in process', async () => {
    assert.equal((await analyzer.start()).ready, true);
    const out = await analyzer.analyze(input(exe), never());
    const direct = analyzePe(ws.read(exe));
    assert.deepEqual(out.attributes, JSON.parse(JSON.stringify(direct.attributes)));
    assert.deepEqual(out.tags, direct.tags);
    assert.ok(out.tags?.includes('detect-debug-environment'));
  });

  it('adds nothing for a file that is not a PE, and fails clearly for a missing file', async () => {
    const text = ws.file('notes.txt', 'MZ but nothing else');
    assert.deepEqual(await analyzer.analyze(input(text), never()), { attributes: {} });
    await assert.rejects(analyzer.analyze(input(`${ws.dir}/missing.exe`), never()), (err) => err instanceof PluginError && err.flag === 'file_unreadable');
  });

  it('honours an aborted signal', async () => {
    const controller = new AbortController();
    controller.abort(new Error('deadline'));
    await assert.rejects(analyzer.analyze(input(exe), controller.signal), /deadline/);
  });

  it('refuses work after close', async () => {
    await analyzer.close();
    await assert.rejects(analyzer.analyze(input(exe), never()), (err) => err instanceof PluginError && err.flag === 'not_ready');
  });
});
