/**
 * ssdeep (spamsum) digests in-process, equal to what `ssdeep -s -b` 2.14 prints.
 *
 * Written from the published description (Kornblum 2006, "Identifying almost identical files using
 * context triggered piecewise hashing"), not from ssdeep's source: a rolling hash over a 7-byte
 * window marks piece boundaries where it is ≡ −1 modulo the block size b, an FNV hash of each piece
 * gives one base64 character, the first part uses b and the second 2b, b = 3·2^n doubles until
 * 64·b covers the input, and b is halved while the first part has fewer than 32 characters. The
 * points the paper leaves open (what the last character is when the digest is full or the rolling
 * hash ends at 0) were pinned by comparing with the CLI; ssdeep-digest.test.ts keeps it honest.
 * Hand-written because the one npm port (ssdeep.js) gives wrong digests for some files.
 */

/** The `ssdeep` release whose output these digests were checked against. */
export const SSDEEP_REFERENCE_VERSION = '2.14.1';

const WINDOW = 7;
const MIN_BLOCK_SIZE = 3;
/** Characters in the first part; the second holds half as many. */
const DIGEST_LENGTH = 64;
const HALF_LENGTH = DIGEST_LENGTH / 2;
/** Block sizes 3·2^0 … 3·2^30. */
const LEVELS = 31;
const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const B64_CODES = Uint8Array.from(B64, (ch) => ch.charCodeAt(0));

/**
 * The FNV-1 piece hash only ever shows its low 6 bits, and those depend only on the low 6 bits of
 * the state, so the state is kept mod 64 and one step is a table lookup: FNV_STEP[h << 8 | byte].
 */
const FNV_PRIME = 0x01000193;
const FNV_INIT = 0x28021967 & 63;
const FNV_STEP = new Uint8Array(64 * 256);
for (let h = 0; h < 64; h++) for (let c = 0; c < 256; c++) FNV_STEP[(h << 8) | c] = (Math.imul(h, FNV_PRIME) ^ c) & 63;

const blockSize = (level: number): number => MIN_BLOCK_SIZE * 2 ** level;

/** The level whose block size the final digest starts from: the smallest b with 64·b ≥ length. */
function startLevel(totalBytes: number): number {
  let level = 0;
  while (level < LEVELS - 1 && blockSize(level) * DIGEST_LENGTH < totalBytes) level++;
  return level;
}

/**
 * Streams bytes into every block size that can still end up in the digest at once, so the input
 * is read a single time (the paper's method re-reads it after each halving). A level is opened
 * when the one below it first triggers (until then they have hashed the same bytes), and dropped
 * once a larger block size that the digest is sure to consider already has 32 characters.
 */
export class SsdeepHasher {
  private readonly window = new Uint8Array(WINDOW);
  private windowPos = 0;
  /** Rolling hash: sum of the window, position-weighted sum, shift-xor of all bytes (32-bit). */
  private h1 = 0;
  private h2 = 0;
  private h3 = 0;
  private bytes = 0;
  /** Lowest and highest open level. */
  private lo = 0;
  private hi = 0;
  private readonly maxLevel: number;
  /** Piece hash per level since its last boundary. */
  private readonly piece = new Uint8Array(LEVELS);
  /**
   * The same for the second part, which stops resetting after 31 characters. Until a level's 32nd
   * boundary it equals `piece`, so only levels lo..splitHi (those past it) keep their own.
   */
  private readonly halfPiece = new Uint8Array(LEVELS);
  private splitHi = -1;
  private readonly length = new Uint8Array(LEVELS);
  private readonly halfLength = new Uint8Array(LEVELS);
  private readonly chars = new Uint8Array(LEVELS * DIGEST_LENGTH);
  /** A full digest's last character as of its latest boundary, used when the input ends with the rolling hash at 0. */
  private readonly tail = new Uint8Array(LEVELS);
  private readonly halfTail = new Uint8Array(LEVELS);

  /** `totalBytes` bounds the block sizes worth tracking; feeding more than that is refused. */
  constructor(private readonly totalBytes: number) {
    this.maxLevel = Math.min(LEVELS - 1, startLevel(totalBytes) + 1);
    this.piece[0] = FNV_INIT;
  }

  update(data: Uint8Array): this {
    if (this.bytes + data.length > this.totalBytes) throw new RangeError(`ssdeep: more than the announced ${this.totalBytes} bytes`);
    const { window, piece, halfPiece } = this;
    let { h1, h2, h3, windowPos, lo, hi, splitHi } = this;
    // A boundary at level lo needs sum + 1 ≡ 0 mod 2^lo and mod 3; the bit test rejects most bytes cheaply.
    let lowMask = 2 ** lo - 1;
    for (let i = 0; i < data.length; i++) {
      const c = data[i]!;
      // `| 0` keeps V8 on small-integer arithmetic (h1 and h2 stay small; h3 wraps at 32 bits).
      h2 = (h2 - h1 + WINDOW * c) | 0;
      h1 = (h1 + c - window[windowPos]!) | 0;
      window[windowPos] = c;
      windowPos = windowPos === WINDOW - 1 ? 0 : windowPos + 1;
      h3 = (h3 << 5) ^ c;
      for (let k = lo; k <= hi; k++) piece[k] = FNV_STEP[(piece[k]! << 8) | c]!;
      for (let k = lo; k <= splitHi; k++) halfPiece[k] = FNV_STEP[(halfPiece[k]! << 8) | c]!;
      const next = (h1 + h2 + h3 + 1) | 0;
      if ((next & lowMask) !== 0 || (next >>> 0) % 3 !== 0) continue;
      this.boundary((h1 + h2 + h3) >>> 0, lo);
      ({ hi, splitHi } = this);
      // Drop levels no digest can use: level lo+1 has 32 characters and the input is already too long for a smaller final block size.
      const seen = this.bytes + i + 1;
      while (lo < hi && this.length[lo + 1]! >= HALF_LENGTH && blockSize(lo) * DIGEST_LENGTH < seen) lo++;
      lowMask = 2 ** lo - 1;
    }
    this.h1 = h1;
    this.h2 = h2;
    this.h3 = h3;
    this.windowPos = windowPos;
    this.lo = lo;
    this.bytes += data.length;
    return this;
  }

  /** The digest, `blocksize:first:second`, of everything fed so far. */
  digest(): string {
    const end = (this.h1 + this.h2 + this.h3) >>> 0;
    let level = Math.min(startLevel(this.bytes), this.hi);
    while (level > this.lo && this.length[level]! < HALF_LENGTH) level--;
    const first = this.part(level, this.length[level]!, end !== 0 ? this.piece[level]! : undefined, this.tail[level]!);
    let second: string;
    if (level + 1 <= this.hi) {
      const next = level + 1;
      second = this.part(next, Math.min(this.length[next]!, HALF_LENGTH - 1), end !== 0 ? this.halfPieceOf(next) : undefined, this.halfTail[next]!);
    } else {
      // Level+1 was never opened: level never hit a boundary, so its whole-input hash is level+1's too.
      second = end !== 0 ? B64[this.halfPieceOf(level)]! : '';
    }
    return `${blockSize(level)}:${first}:${second}`;
  }

  /** Boundaries at `from` and every level above it that the rolling value `sum` also marks. */
  private boundary(sum: number, from: number): void {
    const { piece, halfPiece, length, halfLength } = this;
    for (let k = from; k <= this.hi; k++) {
      if (sum % blockSize(k) !== blockSize(k) - 1) return;
      if (k === this.hi && this.hi < this.maxLevel) {
        // Open the next level: it has hashed exactly what this one has, which never reset yet.
        this.hi++;
        piece[this.hi] = piece[k]!;
      }
      if (halfLength[k]! < HALF_LENGTH - 1) {
        halfLength[k]!++;
      } else {
        if (k > this.splitHi) {
          halfPiece[k] = piece[k]!;
          this.splitHi = k;
        }
        this.halfTail[k] = B64_CODES[halfPiece[k]!]!;
      }
      if (length[k]! < DIGEST_LENGTH - 1) {
        this.chars[k * DIGEST_LENGTH + length[k]!] = B64_CODES[piece[k]!]!;
        length[k]!++;
        piece[k] = FNV_INIT;
      } else {
        this.tail[k] = B64_CODES[piece[k]!]!;
      }
    }
  }

  private halfPieceOf(level: number): number {
    return level <= this.splitHi ? this.halfPiece[level]! : this.piece[level]!;
  }

  /** `count` characters of a level, then the piece still open (when the rolling hash did not end at 0) or the saved tail. */
  private part(level: number, count: number, open: number | undefined, tail: number): string {
    let text = Buffer.from(this.chars.subarray(level * DIGEST_LENGTH, level * DIGEST_LENGTH + count)).toString('latin1');
    if (open !== undefined) text += B64[open];
    else if (tail !== 0) text += String.fromCharCode(tail);
    return text;
  }
}

/** The ssdeep digest of a whole buffer. */
export function ssdeepDigest(data: Uint8Array): string {
  return new SsdeepHasher(data.length).update(data).digest();
}
