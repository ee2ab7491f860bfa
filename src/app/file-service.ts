/** Use cases for files: accept a submission, look one up, rescan, download, list its analyses. */
import { AppError } from '../core/errors.js';
import { parseFileHash, type HashKind } from '../core/hashes.js';
import type { FileObject } from '../core/model/file.js';
import type { BlobStore } from '../store/ports/blob-store.js';
import type { Store } from '../store/ports/store.js';
import { hasPrivilege } from './accounts/privileges.js';
import { canSeeAnalysis, canSeeFile, EVERYONE, privateOwnerOf, privateScopesFor, scopesOf } from './accounts/visibility.js';
import type { FileIntake } from './intake/intake.js';
import { receiveForm } from './intake/receive-form.js';
import type { StagedFile } from './intake/staged-file.js';
import type { Principal } from './principal.js';
import { privateFileView } from './private-file-view.js';
import type { AppServices, UploadFields } from './services.js';

export interface FileServiceDeps {
  store: Pick<Store, 'files' | 'analyses' | 'access' | 'votes' | 'changeMarker'>;
  blobs: BlobStore;
  /** Where submissions enter: staging, storing, recording, access and the analysis job. */
  intake: FileIntake;
}

type FileService = AppServices['files'];

export function createFileService(deps: FileServiceDeps): FileService {
  const { store, blobs, intake } = deps;

  /**
   * Recently read files and their owners, by hash, kept while the store says files are unchanged
   * (Store.changeMarker): report look-ups are most of the traffic, and re-reading two tables per
   * request was most of their cost. Where the store cannot tell (PostgreSQL), nothing is kept.
   */
  const recent = new Map<string, { marker: string; file: FileObject; owners: string[] }>();
  const MAX_RECENT = 10_000;

  async function read(kind: HashKind, value: string): Promise<{ file: FileObject; owners: string[] } | undefined> {
    const marker = store.changeMarker('files');
    const key = `${kind}:${value}`;
    const cached = recent.get(key);
    if (cached && marker !== undefined && cached.marker === marker) return cached;
    const file = await store.files.findByHash(kind, value);
    if (!file) return undefined;
    const found = { marker: marker ?? '', file, owners: await store.access.fileOwners(file.sha256) };
    if (marker !== undefined) {
      if (recent.size >= MAX_RECENT) recent.delete(recent.keys().next().value!);
      recent.set(key, found);
    }
    return found;
  }

  /** The file and who may see it; a private file the principal may not see is NotFoundError, exactly as an unknown one. */
  async function findVisible(hash: string, principal: Principal): Promise<{ file: FileObject; owners: string[] }> {
    const parsed = parseFileHash(hash);
    if (!parsed) throw new AppError('InvalidArgumentError', `"${hash}" is not a valid file hash (md5, sha1 or sha256)`);
    const found = await read(parsed.kind, parsed.value);
    if (!found || !canSeeFile(found.owners, principal)) throw new AppError('NotFoundError', `File "${hash}" not found`);
    return found;
  }

  /** The file as the principal sees it: public facts plus those of their own private submissions. */
  async function find(hash: string, principal: Principal): Promise<FileObject> {
    const { file, owners } = await findVisible(hash, principal);
    return privateFileView(store, file, privateScopesFor(owners, principal));
  }

  /**
   * VT's "password to decompress and scan a file contained in a protected ZIP file": every file in
   * the ZIP is stored, recorded under its own name and analysed, with the ZIP as its compressed
   * parent. The ZIP is kept and analysed too, as VT keeps it: its bundled_files and the members'
   * compressed_parents then point at a file one can look up. The first member's analysis id is
   * returned. Refusals (wrong password, damaged, over the limits) happen before anything is stored.
   */
  async function submitContained(zip: StagedFile, fields: UploadFields, password: string, owner: string, submitter: string): Promise<{ analysisId: string }> {
    const members = await intake.unpackZip(zip, password);
    try {
      let first: { analysisId: string } | undefined;
      for (const member of members) {
        const submitted = await intake.submitFile(member.file, owner, { kind: 'archive-member', parentSha256: zip.sha256, name: member.name, submitter });
        first ??= submitted;
      }
      await intake.submitFile(zip, owner, { kind: 'upload', name: fields.name, submitter });
      return { analysisId: first!.analysisId };
    } finally {
      // Members left after a failure; submitted ones are spent already.
      for (const member of members) await intake.discard(member.file);
    }
  }

  async function submitReceived(upload: StagedFile, fields: UploadFields, principal: Principal): Promise<{ analysisId: string }> {
    if (fields.private && !hasPrivilege(principal, 'private_scanning')) {
      throw new AppError('ForbiddenError', 'Private submissions require the private_scanning privilege');
    }
    const owner = fields.private ? privateOwnerOf(principal) : EVERYONE;
    // Without a ZIP to open, the password is ignored and the file is analysed as uploaded, as VT does.
    if (fields.password !== undefined && (await intake.isZip(upload))) return submitContained(upload, fields, fields.password, owner, principal.userId);
    const { analysisId } = await intake.submitFile(upload, owner, { kind: 'upload', name: fields.name, submitter: principal.userId });
    return { analysisId };
  }

  return {
    submit: (readForm, { principal, maxBytes }) => receiveForm(intake, readForm, maxBytes, (upload, fields) => submitReceived(upload, fields, principal)),

    get: (hash, principal) => find(hash, principal),

    async reanalyse(hash, principal) {
      const { file, owners } = await findVisible(hash, principal);
      if (!(await blobs.has(file.sha256))) throw new AppError('NotFoundError', `The content of file "${hash}" is not stored`);
      // A rescan of a private file stays private, to the owner through which the caller sees it.
      const isPublic = owners.length === 0 || owners.includes(EVERYONE);
      const scopes = scopesOf(principal);
      const owner = isPublic ? EVERYONE : (owners.find((o) => o === privateOwnerOf(principal)) ?? owners.find((o) => scopes.includes(o))!);
      return intake.analyseAgain(file, owner);
    },

    async download(hash, principal) {
      if (!hasPrivilege(principal, 'download')) throw new AppError('ForbiddenError', 'Downloading samples requires the download privilege');
      const file = await find(hash, principal);
      if (!(await blobs.has(file.sha256))) throw new AppError('NotFoundError', `The content of file "${hash}" is not stored`);
      const { stream, size } = await blobs.openRead(file.sha256);
      return { stream, size, sha256: file.sha256 };
    },

    async listAnalyses(hash, principal, options) {
      const file = await find(hash, principal);
      const page = await store.analyses.listForItem(file.sha256, options);
      // Others' private analyses are left out, so a page may hold fewer than `limit`; the cursor still pages on.
      const owners = await Promise.all(page.items.map((a) => store.access.analysisOwner(a.id)));
      return { ...page, items: page.items.filter((_, i) => canSeeAnalysis(owners[i], principal)) };
    },
  };
}
