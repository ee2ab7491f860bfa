/** The reference tools the fuzzy digests must equal: Debian's `ssdeep -s -b` and `tlsh -f` (tlsh-tools). */
import { execFileSync, spawnSync } from 'node:child_process';

function onPath(cmd: string): boolean {
  return spawnSync('sh', ['-c', 'command -v "$1"', 'sh', cmd]).status === 0;
}

/** A test's `skip` value: false when both tools are installed, else why not. */
export const referenceCliSkip: string | false =
  onPath('ssdeep') && onPath('tlsh') ? false : 'ssdeep or tlsh CLI missing (apt-get install ssdeep tlsh-tools)';

/** `ssdeep -s -b` over many files in one run; it prints one line per file, in order, after a header. */
export function ssdeepCli(files: readonly string[]): string[] {
  const out = execFileSync('ssdeep', ['-s', '-b', ...files], { maxBuffer: 1 << 26 }).toString();
  const lines = out.split('\n').slice(1, files.length + 1);
  if (lines.length !== files.length) throw new Error(`ssdeep printed ${lines.length} lines for ${files.length} files`);
  return lines.map((line) => line.replace(/,"[^"]*"$/, ''));
}

/** `tlsh -f FILE` as VirusTotal shows it (`T1` + digest), or undefined for "file too small" / "cannot hash". */
export function tlshCli(file: string): string | undefined {
  // It says why it gives no digest on stderr, with exit status 0.
  const run = spawnSync('tlsh', ['-f', file], { encoding: 'latin1' });
  const m = /^([0-9A-F]{70})\t/.exec(run.stdout);
  if (run.status === 0 && m) return `T1${m[1]}`;
  if (run.status === 0 && /: (file too small|cannot hash)$/m.test(run.stderr)) return undefined;
  throw new Error(`tlsh exited ${run.status}: ${run.stdout}${run.stderr}`);
}
