/** `assay migrate-store`: copies an embedded store to PostgreSQL and its blobs to S3 (docs/deploy.md). */
import type { Command } from 'commander';
import { migrateStore } from '../../bootstrap/migrate-store.js';
import { loadConfig } from '../../config/config.js';
import { serverOptions, type ServerFlags, toConfigInput } from './server-options.js';

export function registerMigrateStore(program: Command): void {
  serverOptions(
    program
      .command('migrate-store')
      .description('copy the embedded store (SQLite, <data>/blobs) into PostgreSQL and/or an S3 bucket; stop the server first')
      .option('--to-database <url>', 'postgres://... of a new, empty database')
      .option('--to-blobs <url>', 's3://bucket/prefix (endpoint and credentials: ASSAY_S3_ENDPOINT, AWS_*)'),
  ).action(async (flags: ServerFlags & { toDatabase?: string; toBlobs?: string }) => {
    const config = loadConfig(toConfigInput(flags));
    let blobs = 0;
    const report = await migrateStore(
      config,
      { toDatabase: flags.toDatabase, toBlobs: flags.toBlobs },
      {
        table: ({ table, rows }) => process.stdout.write(`table ${table}: ${rows} rows\n`),
        blob: (sha256, outcome) => {
          if (outcome === 'corrupt') process.stderr.write(`blob ${sha256}: content does not match its sha256; not copied\n`);
          if (++blobs % 1000 === 0) process.stdout.write(`${blobs} blobs...\n`);
        },
      },
    );
    if (report.tables) process.stdout.write(`database: ${report.tables.reduce((n, t) => n + t.rows, 0)} rows in ${report.tables.length} tables copied, counts checked\n`);
    if (report.blobs) {
      const b = report.blobs;
      process.stdout.write(`blobs: ${b.copied} copied (${b.bytes} bytes), ${b.skipped} already there, ${b.corrupt.length} corrupt\n`);
      if (b.corrupt.length > 0) process.exitCode = 1;
    }
  });
}
