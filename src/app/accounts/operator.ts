/**
 * The local operator: whoever can open the store runs `assay user`, `assay key`, `assay group` and
 * `assay feeds` as an admin, with no API key (as with `assay migrate`). It is no user: its id
 * matches none, since user ids are 1 to 64 characters.
 */
import type { Principal } from '../principal.js';

export const operatorPrincipal: Principal = Object.freeze({
  userId: '',
  name: 'operator',
  isAdmin: true,
  tier: 'operator',
  privileges: Object.freeze([]) as readonly string[],
  groupId: null,
});
