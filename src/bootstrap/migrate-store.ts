/**
 * Moves an embedded instance (SQLite and `<data>/blobs`) to PostgreSQL and/or an S3 bucket: the
 * rows go into a new, migrated PostgreSQL database and the blobs into the bucket (each checked
 * against its sha256). The source is only read. docs/deploy.md says when to run it.
 */
import type { Config } from '../config/config.js';
import { FsBlobStore } from '../store/blob-fs/fs-blob-store.js';
import { copyBlobs, type BlobCopyReport } from '../store/copy-blobs.js';
import { openPostgres } from '../store/postgres/open-postgres.js';
import { copyTables, countRows, type TableCopy } from '../store/sql/copy-tables.js';
import { openSqlite } from '../store/sqlite/open-sqlite.js';
import { openS3BlobStore } from './scale-out.js';

export interface MigrateStoreTargets {
  /** postgres://... of a new, empty database. */
  toDatabase?: string;
  /** s3://bucket/prefix; the S3 settings (endpoint, credentials) come from the configuration. */
  toBlobs?: string;
}

export interface MigrateStoreReport {
  tables?: TableCopy[];
  blobs?: BlobCopyReport;
}

export interface MigrateStoreProgress {
  table?(copy: TableCopy): void;
  blob?(sha256: string, outcome: 'copied' | 'skipped' | 'corrupt'): void;
}

export async function migrateStore(config: Config, targets: MigrateStoreTargets, progress: MigrateStoreProgress = {}): Promise<MigrateStoreReport> {
  if (!targets.toDatabase && !targets.toBlobs) throw new Error('Nothing to do: give --to-database and/or --to-blobs');
  if (targets.toDatabase && config.databaseUrl) throw new Error('The store is on PostgreSQL already; --to-database moves an embedded (SQLite) store');
  if (targets.toBlobs && config.blobUrl) throw new Error('The blobs are in S3 already; --to-blobs moves the local blob directory');
  if (targets.toDatabase && !/^postgres(ql)?:\/\//.test(targets.toDatabase)) throw new Error('--to-database takes a postgres:// URL');
  const report: MigrateStoreReport = {};
  if (targets.toDatabase) {
    const source = await openSqlite(config.sqlitePath);
    const target = await openPostgres(targets.toDatabase);
    try {
      await source.store.migrate();
      await target.store.migrate();
      const tables = await copyTables(source.db, target.db, progress.table);
      const names = tables.map((t) => t.table);
      const [before, after] = await Promise.all([countRows(source.db, names), countRows(target.db, names)]);
      const differ = names.filter((t) => before[t] !== after[t]);
      if (differ.length > 0) throw new Error(`Row counts differ after the copy: ${differ.map((t) => `${t} ${before[t]} → ${after[t]}`).join(', ')}`);
      report.tables = tables;
    } finally {
      await target.store.close();
      await source.store.close();
    }
  }
  if (targets.toBlobs) {
    const source = new FsBlobStore(config.blobDir);
    const target = openS3BlobStore(config, targets.toBlobs);
    try {
      report.blobs = await copyBlobs(source, target, progress.blob);
    } finally {
      await target.close();
    }
  }
  return report;
}
