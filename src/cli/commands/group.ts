/** `assay group create|list|add|remove|set-quota`: groups and their members, on the store as its operator. */
import type { Command } from 'commander';
import { describeQuotas, note, quotaOptions, quotaPatch, storeCommand, table, withAccounts, type QuotaFlags } from './account-store.js';
import type { ServerFlags } from './server-options.js';

export function registerGroup(program: Command): void {
  const group = program.command('group').description('manage groups, whose members share the group\'s quotas (directly on the store)');

  quotaOptions(storeCommand(group, 'create <name>', 'create a group, optionally with request limits its members share')).action(
    async (name: string, flags: ServerFlags & QuotaFlags) => {
      await withAccounts(flags, async (accounts, operator) => {
        const { group: created } = await accounts.createGroup({ name, quotaOverrides: quotaPatch(flags) }, operator);
        note(`created group "${created.name}", limits ${describeQuotas(created.quotaOverrides)}`);
      });
    },
  );

  storeCommand(group, 'list', 'list groups with their limits and member counts').action(async (flags: ServerFlags) => {
    await withAccounts(flags, async (accounts, operator) => {
      const groups = await accounts.listGroups(operator);
      const rows = groups.map(({ group: g, memberCount }) => [g.name, String(memberCount), describeQuotas(g.quotaOverrides)]);
      table(rows, ['NAME', 'MEMBERS', 'LIMITS']);
    });
  });

  storeCommand(group, 'add <group> <user>', 'add a user to a group (a user is in at most one group)').action(async (groupId: string, user: string, flags: ServerFlags) => {
    await withAccounts(flags, async (accounts, operator) => {
      const { group: joined } = await accounts.addMember(groupId, user, operator);
      note(`user "${user}" is a member of group "${joined.id}"`);
    });
  });

  storeCommand(group, 'remove <group> <user>', 'remove a user from a group').action(async (groupId: string, user: string, flags: ServerFlags) => {
    await withAccounts(flags, async (accounts, operator) => {
      await accounts.removeMember(groupId, user, operator);
      note(`user "${user}" left group "${groupId}"`);
    });
  });

  quotaOptions(storeCommand(group, 'set-quota <group>', 'change a group\'s limits; "none" removes one')).action(
    async (groupId: string, flags: ServerFlags & QuotaFlags) => {
      await withAccounts(flags, async (accounts, operator) => {
        const { group: updated } = await accounts.setGroupQuota(groupId, quotaPatch(flags), operator);
        note(`group "${updated.name}": limits ${describeQuotas(updated.quotaOverrides)}`);
      });
    },
  );
}
