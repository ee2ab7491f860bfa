/** `assay key create|list|revoke|rotate`: API keys by their public id, on the store as its operator. */
import type { Command } from 'commander';
import { dateOrDash, note, out, storeCommand, table, withAccounts } from './account-store.js';
import type { ServerFlags } from './server-options.js';

export function registerKey(program: Command): void {
  const key = program.command('key').description('manage API keys (directly on the store; no API key needed)');

  storeCommand(key, 'create <user>', 'create another key for a user and print it as the last line (stored hashed, shown once)')
    .option('--label <label>', 'what the key is for, shown in `assay key list`')
    .action(async (user: string, flags: ServerFlags & { label?: string }) => {
      await withAccounts(flags, async (accounts, operator) => {
        const issued = await accounts.createKey(user, { label: flags.label }, operator);
        note(`created key ${issued.key.keyId} for user "${issued.key.userId}"`);
        out(issued.apiKey);
      });
    });

  storeCommand(key, 'list <user>', "list a user's keys by public id (the keys themselves are not stored)").action(async (user: string, flags: ServerFlags) => {
    await withAccounts(flags, async (accounts, operator) => {
      const keys = await accounts.listKeys(user, operator);
      table(
        keys.map((k) => [k.keyId, k.label ?? '-', k.revokedAt === null ? 'active' : 'revoked', dateOrDash(k.createdAt), dateOrDash(k.lastUsedAt), dateOrDash(k.revokedAt)]),
        ['KEY ID', 'LABEL', 'STATUS', 'CREATED', 'LAST USED', 'REVOKED'],
      );
    });
  });

  storeCommand(key, 'revoke <key-id>', 'revoke a key at once: requests with it get WrongCredentialsError').action(async (keyId: string, flags: ServerFlags) => {
    await withAccounts(flags, async (accounts, operator) => {
      const revoked = await accounts.revokeKey(keyId, operator);
      note(`key ${revoked.keyId} of user "${revoked.userId}" revoked (${dateOrDash(revoked.revokedAt)})`);
    });
  });

  storeCommand(key, 'rotate <key-id>', 'replace a key: print a new one as the last line, and revoke the old one, in one step')
    .option('--label <label>', 'label of the new key (default: the old one\'s)')
    .action(async (keyId: string, flags: ServerFlags & { label?: string }) => {
      await withAccounts(flags, async (accounts, operator) => {
        const rotated = await accounts.rotateKey(keyId, flags.label === undefined ? {} : { label: flags.label }, operator);
        note(`key ${rotated.replaced.keyId} revoked; new key ${rotated.key.keyId} for user "${rotated.key.userId}"`);
        out(rotated.apiKey);
      });
    });
}
