/** `assay user create|list|disable|enable|set-tier|grant|revoke|set-quota`: users, on the store as its operator. */
import type { Command } from 'commander';
import type { UserView } from '../../app/accounts/index.js';
import { collect, dateOrDash, describeQuotas, note, out, quotaOptions, quotaPatch, storeCommand, table, withAccounts, type QuotaFlags } from './account-store.js';
import type { ServerFlags } from './server-options.js';

function privilegesOf(view: UserView): string {
  // An admin holds everything; saying `admin` is clearer than listing it all.
  const names = view.privileges.filter((g) => g.source !== 'admin').map((g) => (g.source === 'tier' ? `${g.name} (tier)` : g.name));
  return names.length === 0 ? '-' : names.join(', ');
}

const summary = (view: UserView): string => {
  const { user } = view;
  return `user "${user.name}": ${user.active ? 'active' : 'inactive'}, tier ${user.tier}, privileges ${privilegesOf(view)}`;
};

export function registerUser(program: Command): void {
  const user = program.command('user').description('manage users (directly on the store; no API key needed)');

  storeCommand(user, 'create <name>', 'create a user and print a new API key as the last line (stored hashed, shown once)')
    .option('--admin', 'grant admin rights (user management, downloads, every privilege)')
    .option('--tier <tier>', 'quota tier (see ASSAY_TIERS)', 'public')
    .option('--group <group>', 'join this existing group')
    .option('--privilege <name>', 'grant a privilege: download, private_scanning, intelligence, admin (repeatable)', collect, [])
    .option('--email <address>', 'contact address')
    .option('--label <label>', 'label of the first key')
    .action(async (name: string, flags: ServerFlags & { admin?: boolean; tier: string; group?: string; privilege: string[]; email?: string; label?: string }) => {
      await withAccounts(flags, async (accounts, operator) => {
        const { view, apiKey, key } = await accounts.createUser(
          { name, admin: flags.admin, tier: flags.tier, group: flags.group, privileges: flags.privilege, email: flags.email, label: flags.label },
          operator,
        );
        const created = view.user;
        note(`created user "${created.name}"${created.isAdmin ? ' (admin)' : ''}, tier ${created.tier}${created.groupId ? `, group ${created.groupId}` : ''}, key ${key.keyId}`);
        out(apiKey);
      });
    });

  storeCommand(user, 'list', 'list users: tier, status, group, privileges in effect, last login').action(async (flags: ServerFlags) => {
    await withAccounts(flags, async (accounts, operator) => {
      const rows: string[][] = [];
      let cursor: string | undefined;
      do {
        const page = await accounts.listUsers(operator, { limit: 100, ...(cursor ? { cursor } : {}) });
        for (const view of page.items) {
          const u = view.user;
          rows.push([u.name, u.tier, u.active ? 'active' : 'inactive', u.isAdmin ? 'yes' : 'no', u.groupId ?? '-', privilegesOf(view), dateOrDash(u.lastLogin)]);
        }
        cursor = page.cursor;
      } while (cursor !== undefined);
      table(rows, ['NAME', 'TIER', 'STATUS', 'ADMIN', 'GROUP', 'PRIVILEGES', 'LAST LOGIN']);
    });
  });

  storeCommand(user, 'disable <name>', "disable a user: every request with their keys gets UserNotActiveError").action(async (name: string, flags: ServerFlags) => {
    await withAccounts(flags, async (accounts, operator) => note(summary(await accounts.updateUser(name, { active: false }, operator))));
  });

  storeCommand(user, 'enable <name>', 'enable a disabled user again').action(async (name: string, flags: ServerFlags) => {
    await withAccounts(flags, async (accounts, operator) => note(summary(await accounts.updateUser(name, { active: true }, operator))));
  });

  storeCommand(user, 'set-tier <name> <tier>', "change a user's quota tier (and the privileges it grants)").action(
    async (name: string, tier: string, flags: ServerFlags) => {
      await withAccounts(flags, async (accounts, operator) => note(summary(await accounts.updateUser(name, { tier }, operator))));
    },
  );

  storeCommand(user, 'grant <name> <privilege>', 'grant a privilege: download, private_scanning, intelligence, admin').action(
    async (name: string, privilege: string, flags: ServerFlags) => {
      await withAccounts(flags, async (accounts, operator) => note(summary(await accounts.grantPrivilege(name, privilege, operator))));
    },
  );

  storeCommand(user, 'revoke <name> <privilege>', "revoke a privilege granted to the user (one from their tier stays)").action(
    async (name: string, privilege: string, flags: ServerFlags) => {
      await withAccounts(flags, async (accounts, operator) => note(summary(await accounts.revokePrivilege(name, privilege, operator))));
    },
  );

  quotaOptions(storeCommand(user, 'set-quota <name>', "override the tier's limits for one user; \"none\" removes an override")).action(
    async (name: string, flags: ServerFlags & QuotaFlags) => {
      await withAccounts(flags, async (accounts, operator) => {
        const { user: updated } = await accounts.updateUser(name, { quotaOverrides: quotaPatch(flags) }, operator);
        note(`user "${updated.name}": quota overrides ${describeQuotas(updated.quotaOverrides)}`);
      });
    },
  );
}
