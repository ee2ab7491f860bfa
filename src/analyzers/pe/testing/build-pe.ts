/**
 * Builds PE test inputs with Debian's MinGW-w64 toolchain (and, where a test needs them, windres,
 * osslsigncode, mcs and makensis) in a temporary directory. Nothing here is committed as a binary.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export class PeWorkspace {
  readonly dir = mkdtempSync(path.join(os.tmpdir(), 'assay-pe-'));

  file(name: string, content: string | Buffer): string {
    const p = path.join(this.dir, name);
    writeFileSync(p, content);
    return p;
  }

  run(cmd: string, args: string[]): string {
    return execFileSync(cmd, args, { cwd: this.dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  }

  /** Compiles C sources (and .rc files through windres) to `out` with the 64- or 32-bit MinGW gcc. */
  compile(out: string, sources: Record<string, string>, options: { bits?: 32 | 64; flags?: string[] } = {}): string {
    const prefix = options.bits === 32 ? 'i686-w64-mingw32' : 'x86_64-w64-mingw32';
    const inputs: string[] = [];
    for (const [name, text] of Object.entries(sources)) {
      const p = this.file(name, text);
      if (name.endsWith('.rc')) {
        const obj = `${p}.o`;
        this.run(`${prefix}-windres`, [p, '-O', 'coff', '-o', obj]);
        inputs.push(obj);
      } else inputs.push(p);
    }
    const target = path.join(this.dir, out);
    this.run(`${prefix}-gcc`, ['-O1', '-s', ...inputs, '-o', target, ...(options.flags ?? [])]);
    return target;
  }

  read(p: string): Buffer {
    return readFileSync(p);
  }

  close(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}
