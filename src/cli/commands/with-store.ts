/** Opens the store named by --data / --database-url (or the environment) for one command, closing it after. */
import { openStore } from '../../bootstrap/container.js';
import { type Config, loadConfig } from '../../config/config.js';
import type { Store } from '../../store/ports/store.js';
import { type ServerFlags, toConfigInput } from './server-options.js';

/**
 * No API key is involved: whoever can open the store is its operator, as with `assay migrate`.
 * `env` absent means the process environment (read in src/config/).
 */
export async function withStore<T>(flags: ServerFlags, env: NodeJS.ProcessEnv | undefined, use: (store: Store, config: Config) => Promise<T>): Promise<T> {
  const config = loadConfig(toConfigInput(flags), env);
  const { store, close } = await openStore(config);
  try {
    return await use(store, config);
  } finally {
    await close();
  }
}
