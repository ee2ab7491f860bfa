/** Generated files for checking the fuzzy digests against the reference CLIs: sizes, kinds and edge cases. */
import { copyFileSync, existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';

// Seeded, so a failure can be reproduced from its seed.
import { prng } from '../../../../test/support/prng.js';

export { prng };

const WORDS = 'the of and to in is for on that by this with from at as are be or an it was not can all file data value user error request response module'.split(' ');

/** `size` bytes of one kind: random, English-like text, mostly zeros, or a few distinct byte values. */
export function content(kind: 'random' | 'text' | 'sparse' | 'narrow', size: number, rand: () => number): Buffer {
  const b = Buffer.alloc(size);
  if (kind === 'text') {
    let at = 0;
    while (at < size) at += b.write(`${WORDS[Math.floor(rand() * WORDS.length)]}${rand() < 0.1 ? '\n' : ' '}`, at, 'latin1');
  } else {
    const alphabet = 1 + Math.floor(rand() * 12);
    for (let i = 0; i < size; i++) {
      if (kind === 'random') b[i] = Math.floor(rand() * 256);
      else if (kind === 'sparse') b[i] = rand() < 0.7 ? 0 : Math.floor(rand() * 256);
      else b[i] = Math.floor(rand() * alphabet) * 17;
    }
  }
  return b;
}

/**
 * `count` files of log-uniform size from 0 to `maxBytes`, the kinds in turn, every fifth one
 * ending in a run of zeros (so the rolling hash ends at 0); then ssdeep's block-size edges
 * (64·3·2^n ± 1), TLSH's size thresholds, and a few system binaries. Returns the paths.
 */
export function writeDigestCorpus(dir: string, count: number, maxBytes: number, seed: number): string[] {
  const rand = prng(seed);
  const files: string[] = [];
  const add = (name: string, data: Buffer) => {
    const p = path.join(dir, name);
    writeFileSync(p, data);
    files.push(p);
  };
  const kinds = ['random', 'text', 'sparse', 'narrow'] as const;
  for (let i = 0; i < count; i++) {
    const size = Math.floor(Math.exp(rand() * Math.log(maxBytes + 1))) - 1;
    let data = content(kinds[i % kinds.length]!, size, rand);
    if (i % 5 === 4) data = Buffer.concat([data, Buffer.alloc(7 + (i % 9))]);
    add(`gen-${i}`, data);
  }
  for (let n = 0; n <= 10; n++) {
    for (const delta of [-1, 0, 1]) add(`edge-${n}${delta < 0 ? 'm' : delta > 0 ? 'p' : ''}`, content('random', 192 * 2 ** n + delta, rand));
  }
  for (const size of [0, 1, 6, 7, 8, 255, 256, 257, 511, 512, 513]) add(`size-${size}`, content(size < 300 ? 'random' : 'text', size, rand));
  for (const bin of ['/usr/bin/ls', '/usr/bin/cp', '/usr/bin/bash', '/usr/bin/tar', '/usr/bin/gzip']) {
    if (!existsSync(bin)) continue;
    const p = path.join(dir, `bin-${path.basename(bin)}`);
    copyFileSync(bin, p);
    files.push(p);
  }
  return files;
}
