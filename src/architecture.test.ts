/**
 * The dependency rules of docs/architecture.md, checked on the import graph of src/ (every import,
 * type-only and dynamic ones included, of every module that is not a test or a test helper).
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const SRC = path.dirname(fileURLToPath(import.meta.url));

/** Plugin folders: they get bytes, a path or a narrow request and return data. */
const PLUGINS = ['engines', 'analyzers', 'intel', 'url-engines', 'page-analyzers', 'page-capturers', 'unpackers', 'sandboxes'];
/** Shared infrastructure plugins may use; it imports only core. */
const SHARED = ['threads', 'runtime', 'feeds'];

export interface Edge {
  from: string;
  to: string;
}

/** The part a module belongs to: its first folder under src/ (or the file itself at the top). */
const partOf = (file: string): string => file.split('/')[0]!;

/** What an edge breaks, if anything; `from` and `to` are paths relative to src/. */
export function violation({ from, to }: Edge): string | undefined {
  const a = partOf(from);
  const b = partOf(to);
  if (a === b) return undefined;
  if (a === 'core') return 'core imports only core';
  if (SHARED.includes(a) && b !== 'core') return `${a}/ is shared infrastructure: it imports only core`;
  if (PLUGINS.includes(a) && !['core', ...SHARED].includes(b)) return `plugins import only core and ${SHARED.join(', ')}`;
  if (a === 'app') {
    if (PLUGINS.includes(b)) return 'app gets plugins through bootstrap, never by import';
    if (['api', 'bootstrap', 'cli'].includes(b)) return `app does not import ${b}`;
    // The job catalogue is the one piece of the worker the use cases that enqueue jobs share.
    if (b === 'worker' && to !== 'worker/job-kinds.ts') return 'app imports only worker/job-kinds.ts from the worker';
  }
  if (a === 'api' && (b === 'store' || b === 'queue' || PLUGINS.includes(b))) return 'api talks to AppServices only';
  if (['pipeline', 'store', 'queue'].includes(a) && ['app', 'api', 'worker', 'cli', 'bootstrap'].includes(b)) return `${a} does not import ${b}`;
  if (a === 'pipeline' && PLUGINS.includes(b)) return 'pipeline runs plugins through the host by their core interfaces; bootstrap registers them';
  // The intel cache is a decorator the host puts in front of intel sources: bootstrap wires it, nobody else asks it.
  if (to.startsWith('pipeline/intel-cache/') && a !== 'bootstrap') return 'only bootstrap (and the pipeline) use pipeline/intel-cache';
  if (a === 'worker' && ['api', 'cli', 'bootstrap'].includes(b)) return `worker does not import ${b}`;
  if (a === 'cli' && (['store', 'queue', 'pipeline'].includes(b) || PLUGINS.includes(b))) return 'cli goes through the services bootstrap builds';
  return undefined;
}

const isTestOnly = (file: string): boolean => file.endsWith('.test.ts') || file.split('/').includes('testing');

function modules(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return modules(full);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [full] : [];
  });
}

/** Every relative import of every non-test module, as paths relative to src/. */
function importGraph(): Edge[] {
  const edges: Edge[] = [];
  for (const full of modules(SRC)) {
    const from = path.relative(SRC, full).split(path.sep).join('/');
    if (isTestOnly(from)) continue;
    const info = ts.preProcessFile(readFileSync(full, 'utf8'), true, true);
    for (const { fileName } of info.importedFiles) {
      if (!fileName.startsWith('.')) continue;
      const target = path.relative(SRC, path.resolve(path.dirname(full), fileName)).split(path.sep).join('/').replace(/\.js$/, '.ts');
      if (target.startsWith('..')) continue; // outside src/ (none today)
      edges.push({ from, to: target });
    }
  }
  return edges;
}

test('the checker reads the real graph: bootstrap imports the worker, the host and the intel cache; app the accounts', () => {
  const edges = importGraph();
  assert.ok(edges.length > 500, `only ${edges.length} imports found`);
  assert.ok(edges.some((e) => e.from === 'bootstrap/container.ts' && e.to === 'worker/job-runner.ts'));
  assert.ok(edges.some((e) => e.from === 'app/create-services.ts' && e.to.startsWith('app/accounts/')));
  assert.ok(edges.some((e) => e.from === 'bootstrap/container.ts' && e.to === 'pipeline/plugin-host.ts'));
  assert.ok(edges.some((e) => e.from === 'bootstrap/container.ts' && e.to.startsWith('pipeline/intel-cache/')));
});

test('the rules catch each kind of forbidden import', () => {
  const bad: Edge[] = [
    { from: 'core/plugin.ts', to: 'store/ports/store.ts' },
    { from: 'engines/yara/yara-engine.ts', to: 'store/ports/store.ts' },
    { from: 'url-engines/url-blocklist/blocklist-engine.ts', to: 'pipeline/plugin-host.ts' },
    { from: 'unpackers/seven-zip/seven-zip-unpacker.ts', to: 'queue/queue.ts' },
    { from: 'analyzers/fuzzy/fuzzy-analyzer.ts', to: 'worker/job-runner.ts' },
    { from: 'intel/rdap/rdap-source.ts', to: 'app/services.ts' },
    { from: 'app/feeds/import-feed.ts', to: 'url-engines/url-blocklist/index.ts' },
    { from: 'app/intel-refresh.ts', to: 'intel/index.ts' },
    { from: 'app/create-services.ts', to: 'bootstrap/container.ts' },
    { from: 'app/services.ts', to: 'api/build-app.ts' },
    { from: 'app/file-service.ts', to: 'worker/job-runner.ts' },
    { from: 'api/routes/files.ts', to: 'store/ports/store.ts' },
    { from: 'api/routes/metadata.ts', to: 'engines/clamav/index.ts' },
    { from: 'threads/thread-pool.ts', to: 'app/services.ts' },
    { from: 'pipeline/analyse-url-job.ts', to: 'app/intake/intake.ts' },
    { from: 'pipeline/plugin-host.ts', to: 'engines/clamav/index.ts' },
    { from: 'pipeline/url-pipeline.ts', to: 'url-engines/url-heuristics/index.ts' },
    { from: 'intel/dns/dns-source.ts', to: 'pipeline/intel-cache/cached-source.ts' },
    { from: 'app/network/network-service.ts', to: 'pipeline/intel-cache/cached-intel.ts' },
    { from: 'api/routes/metrics.ts', to: 'pipeline/intel-cache/cached-source.ts' },
    { from: 'cli/commands/with-store.ts', to: 'store/ports/store.ts' },
    { from: 'cli/commands/intel.ts', to: 'intel/index.ts' },
  ];
  assert.deepEqual(bad.filter((e) => violation(e) === undefined), []);
  const fine: Edge[] = [
    { from: 'engines/yara/yara-scan-pool.ts', to: 'threads/thread-pool.ts' },
    { from: 'url-engines/url-blocklist/blocklist-engine.ts', to: 'feeds/registry.ts' },
    { from: 'app/file-service.ts', to: 'worker/job-kinds.ts' },
    { from: 'app/feeds/import-feed.ts', to: 'feeds/index.ts' },
    { from: 'bootstrap/container.ts', to: 'engines/clamav/index.ts' },
    { from: 'worker/handlers/analyse-file.ts', to: 'pipeline/analyse-file-job.ts' },
    { from: 'cli/commands/with-store.ts', to: 'bootstrap/operator.ts' },
    { from: 'bootstrap/container.ts', to: 'pipeline/intel-cache/cached-source.ts' },
    { from: 'bootstrap/container.ts', to: 'pipeline/plugin-registry.ts' },
    { from: 'bootstrap/feed-blocklists.ts', to: 'url-engines/url-blocklist/index.ts' },
    { from: 'pipeline/intel-cache/cached-source.ts', to: 'core/plugin.ts' },
    { from: 'pipeline/file-pipeline.ts', to: 'pipeline/plugin-host.ts' },
    { from: 'worker/handlers/analyse-file.ts', to: 'pipeline/plugin-host.ts' },
    { from: 'app/create-services.ts', to: 'pipeline/network-pipeline.ts' },
  ];
  assert.deepEqual(fine.filter((e) => violation(e) !== undefined), []);
});

test('src/ keeps the dependency rules', () => {
  const broken = importGraph()
    .map((edge) => ({ edge, rule: violation(edge) }))
    .filter((v) => v.rule !== undefined)
    .map((v) => `${v.edge.from} -> ${v.edge.to}: ${v.rule}`);
  assert.deepEqual(broken, []);
});
