// An in-memory AppServices for API tests; uploads go through the real receiver into a temp directory.
import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import type { AppServices, PluginCallStats, PluginStatus } from '../../app/services.js';
import type { Principal } from '../../app/principal.js';
import { receiveForm } from '../../app/intake/receive-form.js';
import { receiveUpload } from '../../app/intake/receive-upload.js';
import { takeBlob, type StagedFile } from '../../app/intake/staged-file.js';
import { TempBlobStore } from '../../app/intake/testing/temp-blob-store.js';
import { AppError } from '../../core/errors.js';
import { parseFileHash } from '../../core/hashes.js';
import { fileAnalysisId } from '../../core/ids.js';
import { emptyStats, statsOf, type EngineResult } from '../../core/verdict.js';
import type { Analysis } from '../../core/model/analysis.js';
import type { FileObject } from '../../core/model/file.js';
import { pageOf } from './fake-pages.js';
import { createFakeNetworkServices, emptyNetworkState, type FakeNetworkServices, type FakeNetworkState } from './fake-network-services.js';

export const principals = {
  admin: { userId: 'u-admin', name: 'admin', isAdmin: true, tier: 'premium', privileges: [], groupId: null },
  alice: { userId: 'u-alice', name: 'alice', isAdmin: false, tier: 'public', privileges: [], groupId: null },
} satisfies Record<string, Principal>;

export const apiKeys = { admin: 'admin-key-0000000000', alice: 'alice-key-0000000000', inactive: 'inactive-key-000000' };

export interface FakeState {
  files: Map<string, FileObject>;
  contents: Map<string, Buffer>;
  analyses: Map<string, Analysis>;
  tokens: Map<string, { principal: Principal; used: boolean }>;
  admitted: Array<{ userId: string; group: string }>;
  /** Admissions whose in-flight slot the API released (once per request, when it ended). */
  released: number;
  submissions: Array<{ sha256: string; name?: string; password?: string; private?: boolean; userId: string }>;
  /** Users whose next admit is refused with QuotaExceededError. */
  overQuota: Set<string>;
  ready: boolean;
  plugins: PluginStatus[];
  pluginCalls: PluginCallStats[];
  now: number;
  /** URLs, domains, IPs, resolutions and relationships (fake-network-services.ts). */
  network: FakeNetworkState;
}

export interface FakeServices extends AppServices, Pick<FakeNetworkServices, 'seedUrl' | 'seedNetworkObject' | 'seedRelated'> {
  state: FakeState;
  blobs: TempBlobStore;
  /** Adds a file with an analysis per result set (oldest first); returns the file. */
  seedFile(content: Buffer, options?: { name?: string; analyses?: EngineResult[][]; attributes?: Record<string, unknown> }): FileObject;
  close(): Promise<void>;
}

export const engineResult = (engine: string, category: EngineResult['category'], result: string | null = null): EngineResult => ({
  engine_name: engine,
  category,
  result,
  method: 'blacklist',
  engine_version: '1.0',
  engine_update: '20240101',
});

const digest = (algorithm: string, content: Buffer): string => createHash(algorithm).update(content).digest('hex');

export async function createFakeServices(): Promise<FakeServices> {
  const blobs = await TempBlobStore.create('assay-api-test-');
  const intake = {
    fromStream: (body: Readable, options: { maxBytes: number }) => receiveUpload(body, { maxBytes: options.maxBytes, blobs }),
    discard: async (file: StagedFile) => {
      const staged = takeBlob(file);
      if (staged) await blobs.discard(staged);
    },
  };
  const state: FakeState = {
    files: new Map(),
    contents: new Map(),
    analyses: new Map(),
    tokens: new Map(),
    admitted: [],
    released: 0,
    submissions: [],
    overQuota: new Set(),
    ready: true,
    now: 1_700_000_000,
    network: emptyNetworkState(),
    pluginCalls: [],
    plugins: [
      {
        kind: 'engine',
        manifest: { name: 'ClamAV', version: '0.1.0', description: 'ClamAV daemon', accepts: { kinds: ['file'] }, timeoutMs: 30_000, needsNetwork: false },
        readiness: { ready: true, engineVersion: '1.4.1', signatureVersion: '27000', engineUpdate: '20240101' },
      },
      {
        kind: 'engine',
        manifest: { name: 'YARA', version: '0.1.0', description: 'YARA rules', accepts: { kinds: ['file'] }, timeoutMs: 10_000, needsNetwork: false },
        readiness: { ready: false, detail: 'no rules compiled', signatureVersion: 'rules-3f2a' },
      },
      {
        kind: 'url-engine',
        manifest: { name: 'URLhaus', version: '0.1.0', description: 'URLhaus feed', accepts: { kinds: ['url', 'domain', 'ip'] }, timeoutMs: 1_000, needsNetwork: false },
        readiness: { ready: true, engineUpdate: '20240102' },
      },
      {
        kind: 'intel-source',
        manifest: { name: 'rdap', version: '0.1.0', description: 'RDAP registration data', accepts: { kinds: ['domain', 'ip'] }, timeoutMs: 10_000, needsNetwork: true },
        readiness: { ready: false, detail: 'network access is off' },
      },
      {
        kind: 'analyzer',
        manifest: { name: 'filetype', version: '0.1.0', description: 'Magika and libmagic', accepts: { kinds: ['file'] }, timeoutMs: 5_000, needsNetwork: false },
        readiness: { ready: true },
      },
    ],
  };
  let analysisSeq = 0;
  const network = createFakeNetworkServices(state.network, { analyses: state.analyses, now: () => state.now, nextSeq: () => analysisSeq++ });

  function findFile(hash: string): FileObject {
    const parsed = parseFileHash(hash);
    if (!parsed) throw new AppError('InvalidArgumentError', `"${hash}" is not a valid file hash (md5, sha1 or sha256)`);
    const file = [...state.files.values()].find((f) => f[parsed.kind] === parsed.value);
    if (!file) throw new AppError('NotFoundError', `File "${hash}" not found`);
    return file;
  }

  function createAnalysis(file: FileObject, results: EngineResult[] | null): Analysis {
    const date = state.now + analysisSeq;
    const id = fileAnalysisId(file.md5, date, String(analysisSeq++));
    const analysis: Analysis = {
      id,
      itemType: 'file',
      itemId: file.sha256,
      status: results ? 'completed' : 'queued',
      date,
      results: results ?? [],
      stats: results ? statsOf(results) : emptyStats(),
      completedAt: results ? date : null,
    };
    state.analyses.set(id, analysis);
    if (results) {
      file.lastAnalysisId = id;
      file.lastAnalysisDate = date;
      file.lastAnalysisResults = results;
      file.lastAnalysisStats = analysis.stats;
    }
    return analysis;
  }

  function recordFile(hashes: { md5: string; sha1: string; sha256: string }, size: number, name?: string): FileObject {
    const existing = state.files.get(hashes.sha256);
    if (existing) {
      existing.timesSubmitted += 1;
      existing.lastSubmissionDate = state.now;
      if (name && !existing.names.includes(name)) existing.names.push(name);
      return existing;
    }
    const file: FileObject = {
      ...hashes,
      size,
      names: name ? [name] : [],
      timesSubmitted: 1,
      firstSubmissionDate: state.now,
      lastSubmissionDate: state.now,
      attributes: {},
      tags: [],
      lastAnalysisId: null,
      lastAnalysisDate: null,
      lastAnalysisResults: null,
      lastAnalysisStats: null,
      reputation: 0,
      totalVotes: { harmless: 0, malicious: 0 },
    };
    state.files.set(file.sha256, file);
    return file;
  }

  const services: FakeServices = {
    state,
    blobs,
    auth: {
      async authenticate(apiKey) {
        if (apiKey === undefined) throw new AppError('AuthenticationRequiredError', 'X-Apikey header is missing');
        if (apiKey === apiKeys.admin) return principals.admin;
        if (apiKey === apiKeys.alice) return principals.alice;
        if (apiKey === apiKeys.inactive) throw new AppError('UserNotActiveError', 'User is not active');
        throw new AppError('WrongCredentialsError', 'Wrong API key');
      },
      async admit(principal, endpointGroup) {
        if (state.overQuota.has(principal.userId)) {
          throw new AppError('QuotaExceededError', 'Quota exceeded', { headers: { 'retry-after': '60' } });
        }
        state.admitted.push({ userId: principal.userId, group: endpointGroup });
        return () => {
          state.released += 1;
        };
      },
    },
    files: {
      // The real receiver and form handling (staging, limits, discarding), with the recording faked.
      submit: (readForm, { principal, maxBytes }) =>
        receiveForm(intake, readForm, maxBytes, async (upload, { name, password, private: isPrivate }) => {
          const staged = takeBlob(upload)!;
          await blobs.commit(staged, upload.sha256);
          state.contents.set(upload.sha256, await buffer((await blobs.openRead(upload.sha256)).stream));
          const file = recordFile(upload, upload.size, name);
          state.submissions.push({ sha256: file.sha256, name, password, userId: principal.userId, ...(isPrivate === undefined ? {} : { private: isPrivate }) });
          return { analysisId: createAnalysis(file, null).id };
        }),
      async get(hash) {
        return findFile(hash);
      },
      async reanalyse(hash) {
        return { analysisId: createAnalysis(findFile(hash), null).id };
      },
      async download(hash, principal) {
        if (!principal.isAdmin && !principal.privileges.includes('download')) throw new AppError('ForbiddenError', 'Downloads need the download privilege');
        const file = findFile(hash);
        const content = state.contents.get(file.sha256) ?? Buffer.alloc(0);
        return { stream: Readable.from([content]), size: content.length, sha256: file.sha256 };
      },
      async listAnalyses(hash, _principal, page) {
        const file = findFile(hash);
        return pageOf([...state.analyses.values()].filter((a) => a.itemType === 'file' && a.itemId === file.sha256).sort((a, b) => b.date - a.date), page);
      },
    },
    analyses: {
      async get(id) {
        const analysis = state.analyses.get(id);
        if (!analysis) throw new AppError('NotFoundError', `Analysis "${id}" not found`);
        if (analysis.itemType === 'url') return { analysis, item: { type: 'url', url: network.urlView(analysis.itemId) } };
        return { analysis, item: { type: 'file', file: state.files.get(analysis.itemId)! } };
      },
    },
    uploads: {
      async createToken(principal) {
        const token = randomBytes(32).toString('hex');
        state.tokens.set(token, { principal, used: false });
        return { token, expiresAt: state.now + 3600 };
      },
      async checkToken(token) {
        const entry = state.tokens.get(token);
        if (!entry || entry.used) throw new AppError('NotFoundError', 'Unknown or used upload URL');
        return entry.principal;
      },
      async consumeToken(token) {
        const entry = state.tokens.get(token);
        if (!entry || entry.used) throw new AppError('NotFoundError', 'Unknown or used upload URL');
        entry.used = true;
        return entry.principal;
      },
      async releaseToken(token) {
        const entry = state.tokens.get(token);
        if (entry) entry.used = false;
      },
    },
    quotas: {
      // Public-tier figures; every admission counts in every window, on the fake clock's day.
      async overall(user) {
        const userId = typeof user === 'string' ? user : user.userId;
        const used = state.admitted.filter((a) => a.userId === userId).length;
        const entry = (allowed: number) => ({ user: { allowed, used } });
        return { api_requests_hourly: entry(240), api_requests_daily: entry(500), api_requests_monthly: entry(15_500) };
      },
      async apiUsage(userId) {
        const total: Record<string, number> = {};
        for (const a of state.admitted) if (a.userId === userId) total[a.group] = (total[a.group] ?? 0) + 1;
        return { daily: { [new Date(state.now * 1000).toISOString().slice(0, 10)]: { ...total } }, total };
      },
    },
    urls: network.urls,
    network: network.network,
    graph: network.graph,
    seedUrl: network.seedUrl,
    seedNetworkObject: network.seedNetworkObject,
    seedRelated: network.seedRelated,
    plugins: { list: () => state.plugins, calls: () => state.pluginCalls },
    health: { ready: () => state.ready },
    // Account routes are tested over the real service on SQLite (src/api/testing/accounts-app.ts); here any call fails loudly.
    accounts: new Proxy({} as AppServices['accounts'], {
      get: (_target, name) => async () => {
        throw new Error(`accounts.${String(name)} is not faked; see src/api/testing/accounts-app.ts`);
      },
    }),
    // Community routes are tested over the real service on SQLite (routes/comments.*.test.ts); here any call fails loudly.
    community: new Proxy({} as AppServices['community'], {
      get: (_target, name) => async () => {
        throw new Error(`community.${String(name)} is not faked; see src/api/testing/community-app.ts`);
      },
    }),
    seedFile(content, options = {}) {
      const hashes = { md5: digest('md5', content), sha1: digest('sha1', content), sha256: digest('sha256', content) };
      const file = recordFile(hashes, content.length, options.name);
      Object.assign(file.attributes, options.attributes ?? {});
      state.contents.set(file.sha256, content);
      for (const results of options.analyses ?? []) createAnalysis(file, results);
      return file;
    },
    async close() {
      await blobs.destroy();
    },
  };
  return services;
}
