/** Opens the store named by --data / --database-url (or the environment) for one command, with the store-only services over it, closing it after. */
import type { Principal } from '../../app/principal.js';
import { operatorPrincipal } from '../../app/accounts/operator.js';
import type { StoreServices } from '../../app/store-services.js';
import { openStoreServices } from '../../bootstrap/operator.js';
import { loadConfig } from '../../config/config.js';
import { type ServerFlags, toConfigInput } from './server-options.js';

/**
 * No API key is involved: whoever can open the store is its operator (as with `assay migrate`), so
 * `use` gets the operator principal to call the services with. No engine, queue or blob store is started.
 * `env` absent means the process environment (read in src/config/).
 */
export async function withStore<T>(flags: ServerFlags, env: NodeJS.ProcessEnv | undefined, use: (services: StoreServices, operator: Principal) => Promise<T>): Promise<T> {
  const { services, close } = await openStoreServices(loadConfig(toConfigInput(flags), env));
  try {
    return await use(services, operatorPrincipal);
  } finally {
    await close();
  }
}
