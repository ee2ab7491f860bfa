/** The hash-list use cases as one service: importing known-bad / known-good lists and listing them. Admins only. */
import { AppError } from '../../core/errors.js';
import type { HashListInfo } from '../../core/model/hash-list.js';
import type { Store } from '../../store/ports/store.js';
import type { Principal } from '../principal.js';
import { importHashList, type ImportHashListOptions, type ImportHashListResult } from './import-hash-list.js';

export interface HashListService {
  /** A hash list into the store; a re-import of the same name replaces it whole. */
  importHashList(options: ImportHashListOptions, principal: Principal): Promise<ImportHashListResult>;
  list(principal: Principal): Promise<HashListInfo[]>;
}

export function createHashListService(deps: { store: Pick<Store, 'hashLists'>; now: () => number }): HashListService {
  const requireAdmin = (principal: Principal) => {
    if (!principal.isAdmin) throw new AppError('ForbiddenError', 'Importing and listing hash lists requires an admin');
  };
  return {
    async importHashList(options, principal) {
      requireAdmin(principal);
      return importHashList(deps, options);
    },
    async list(principal) {
      requireAdmin(principal);
      return deps.store.hashLists.list();
    },
  };
}
