/** The signatures and rules Assay ships for its engines. */
import path from 'node:path';
import { packageRoot } from '../runtime/package-root.js';

/** The ClamAV signatures Assay ships (EICAR, test markers, clamav-testfiles). */
export const bundledClamavSignaturesDir = (): string => path.join(packageRoot(), 'signatures', 'clamav');

/** The starter YARA rules Assay ships. */
export const bundledYaraRulesDir = (): string => path.join(packageRoot(), 'rules', 'yara');
