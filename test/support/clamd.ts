/** A real clamd on Assay's bundled signatures in a temp dir, for tests; reuses the production supervisor. */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { findClamdBinary, startClamd, type ClamdSupervisor } from '../../src/engines/clamav/clamd-supervisor.js';
import { bundledClamavSignaturesDir } from '../../src/engines/package-root.js';

export interface TestClamd {
  socketPath: string;
  supervisor: ClamdSupervisor;
  stop(): Promise<void>;
}

/** Why clamd tests cannot run here, or undefined when they can. */
export function clamdUnavailable(): string | undefined {
  return findClamdBinary() ? undefined : 'clamd is not installed (apt-get install clamav-daemon)';
}

/**
 * Starts clamd on signatures/clamav only, even where system databases exist, so detections are
 * deterministic (Assay.* names, no official signatures).
 */
export async function startTestClamd(): Promise<TestClamd> {
  const workDir = await fs.mkdtemp(path.join(os.tmpdir(), 'assay-clamd-test-'));
  try {
    const supervisor = await startClamd({
      workDir,
      preferSystemSignatures: false,
      signatureDirs: [bundledClamavSignaturesDir()],
      logger: pino({ level: 'silent' }),
    });
    return {
      socketPath: supervisor.socketPath,
      supervisor,
      async stop() {
        await supervisor.stop();
        await fs.rm(workDir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await fs.rm(workDir, { recursive: true, force: true });
    throw err;
  }
}
