/** `assay group create|list|add|remove|set-quota`: groups and their members, directly on the store. */
import type { Command } from 'commander';
import { addMember, countMembers, createGroup, removeMember, setGroupQuota } from '../../app/accounts/index.js';
import { describeQuotas, note, quotaOptions, quotaPatch, storeCommand, table, withAccounts, type QuotaFlags } from './account-store.js';
import type { ServerFlags } from './server-options.js';

export function registerGroup(program: Command): void {
  const group = program.command('group').description('manage groups, whose members share the group\'s quotas (directly on the store)');

  quotaOptions(storeCommand(group, 'create <name>', 'create a group, optionally with request limits its members share')).action(
    async (name: string, flags: ServerFlags & QuotaFlags) => {
      await withAccounts(flags, async (deps) => {
        const created = await createGroup(deps, { name, quotaOverrides: quotaPatch(flags) });
        note(`created group "${created.name}", limits ${describeQuotas(created.quotaOverrides)}`);
      });
    },
  );

  storeCommand(group, 'list', 'list groups with their limits and member counts').action(async (flags: ServerFlags) => {
    await withAccounts(flags, async (deps) => {
      const groups = await deps.store.groups.list();
      const rows = await Promise.all(groups.map(async (g) => [g.name, String(await countMembers(deps, g.id)), describeQuotas(g.quotaOverrides)]));
      table(rows, ['NAME', 'MEMBERS', 'LIMITS']);
    });
  });

  storeCommand(group, 'add <group> <user>', 'add a user to a group (a user is in at most one group)').action(async (groupId: string, user: string, flags: ServerFlags) => {
    await withAccounts(flags, async (deps) => {
      const member = await addMember(deps, groupId, user);
      note(`user "${member.name}" is a member of group "${member.groupId}"`);
    });
  });

  storeCommand(group, 'remove <group> <user>', 'remove a user from a group').action(async (groupId: string, user: string, flags: ServerFlags) => {
    await withAccounts(flags, async (deps) => {
      const member = await removeMember(deps, groupId, user);
      note(`user "${member.name}" left group "${groupId}"`);
    });
  });

  quotaOptions(storeCommand(group, 'set-quota <group>', 'change a group\'s limits; "none" removes one')).action(
    async (groupId: string, flags: ServerFlags & QuotaFlags) => {
      await withAccounts(flags, async (deps) => {
        const updated = await setGroupQuota(deps, groupId, quotaPatch(flags));
        note(`group "${updated.name}": limits ${describeQuotas(updated.quotaOverrides)}`);
      });
    },
  );
}
