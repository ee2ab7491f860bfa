/** Where the IANA RDAP bootstrap registries shipped with Assay live (registries/rdap). */
import path from 'node:path';
import { packageRoot } from '../../runtime/package-root.js';

export const bundledRdapBootstrapDir = (): string => path.join(packageRoot(), 'registries', 'rdap');
