/** Debian's poppler-utils (pdfinfo) and qpdf, the references the PDF analyzer is checked against. */
import { spawnSync } from 'node:child_process';

function onPath(cmd: string): boolean {
  return spawnSync('sh', ['-c', 'command -v "$1"', 'sh', cmd]).status === 0;
}

/** A test's `skip` value: false when both tools are installed, else why not. */
export const referenceToolsSkip: string | false =
  onPath('pdfinfo') && onPath('qpdf') ? false : 'pdfinfo or qpdf missing (apt-get install poppler-utils qpdf)';

export interface PdfinfoFacts {
  pages?: number;
  encrypted?: boolean;
  /** pdfinfo's exit status: 0 when poppler could open the file. */
  status: number | null;
}

export function pdfinfo(file: string): PdfinfoFacts {
  const run = spawnSync('pdfinfo', [file], { encoding: 'latin1', timeout: 60_000 });
  const pages = /^Pages:\s+(\d+)/m.exec(run.stdout);
  const encrypted = /^Encrypted:\s+(\w+)/m.exec(run.stdout);
  return {
    status: run.status,
    ...(pages ? { pages: Number(pages[1]) } : {}),
    ...(encrypted ? { encrypted: encrypted[1] === 'yes' } : {}),
  };
}

/** `qpdf --check`: true when qpdf finds no syntax or stream-encoding errors (the builder's files must pass). */
export function qpdfCheck(file: string): { ok: boolean; output: string } {
  const run = spawnSync('qpdf', ['--check', file], { encoding: 'latin1' });
  return { ok: run.status === 0, output: run.stdout + run.stderr };
}

export function qpdfPages(file: string): number {
  const run = spawnSync('qpdf', ['--show-npages', file], { encoding: 'latin1' });
  return Number(run.stdout.trim());
}

/** Indirect objects qpdf finds (`obj:N G R` keys of its JSON), the trailer excluded. */
export function qpdfObjectCount(file: string): number {
  const run = spawnSync('qpdf', ['--json=2', '--json-key=qpdf', file], { encoding: 'utf8', maxBuffer: 1 << 28 });
  const json = JSON.parse(run.stdout) as { qpdf: [unknown, Record<string, unknown>] };
  return Object.keys(json.qpdf[1]).filter((k) => k.startsWith('obj:')).length;
}

/** The attachments qpdf lists (the /EmbeddedFiles name tree), with their bytes. */
export function qpdfAttachments(file: string): Map<string, Buffer> {
  const list = spawnSync('qpdf', ['--list-attachments', file], { encoding: 'latin1' });
  const out = new Map<string, Buffer>();
  for (const m of list.stdout.matchAll(/^(\S.*) -> \d+,\d+$/gm)) {
    const key = m[1]!;
    const show = spawnSync('qpdf', [`--show-attachment=${key}`, file], { maxBuffer: 1 << 28 });
    out.set(key, show.stdout);
  }
  return out;
}

/** qpdf's encryption with an empty user password, as malicious PDFs use to hide their strings. */
export function qpdfEncrypt(input: string, output: string): void {
  const run = spawnSync('qpdf', ['--encrypt', '', 'owner-secret', '256', '--', input, output], { encoding: 'latin1' });
  if (run.status !== 0 && run.status !== 3) throw new Error(`qpdf --encrypt failed: ${run.stderr}`);
}
