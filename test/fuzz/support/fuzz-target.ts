/**
 * What a fuzz target is (inputs as bytes, a check that throws on a broken property) and the input
 * generators every target shares: random bytes, and mutations of valid seeds built by the target.
 */
import fc from 'fast-check';

export interface FuzzTarget<Ctx = unknown> {
  /** Builds what the inputs and the check need (valid seed files, an app to inject into); run once per worker. */
  setup?(): Promise<Ctx>;
  /** Inputs as bytes, so a failing input can be kept as a seed file whatever the parser reads. */
  inputs(ctx: Ctx): fc.Arbitrary<Buffer>;
  /** Throws (an assertion) when a property does not hold for `input`. */
  check(input: Buffer, ctx: Ctx): void | Promise<void>;
  teardown?(ctx: Ctx): Promise<void>;
  /** Random runs in the short form (npm test); FUZZ_RUNS overrides it. */
  shortRuns?: number;
}

/** Helps TypeScript tie a target's context type to its functions. */
export const fuzzTarget = <Ctx>(target: FuzzTarget<Ctx>): FuzzTarget<Ctx> => target;

export const randomBytes = (maxLength = 4096): fc.Arbitrary<Buffer> => fc.uint8Array({ maxLength }).map((a) => Buffer.from(a));

/** Text in the given code point range, as UTF-8 bytes. */
export const textBytes = (arb: fc.Arbitrary<string>): fc.Arbitrary<Buffer> => arb.map((s) => Buffer.from(s, 'utf8'));

/** Values that break integer fields: zero, one, all ones, sign bits, and their neighbours. */
const EXTREMES: readonly bigint[] = [0n, 1n, 2n, 0x7fn, 0x80n, 0xffn, 0x7fffn, 0x8000n, 0xffffn, 0x7fffffffn, 0x80000000n, 0xffffffffn, 0xfffffffen, 0x7fffffffffffffffn, 0xffffffffffffffffn];

type Op =
  | { kind: 'flip'; at: number; bit: number }
  | { kind: 'set'; at: number; value: number }
  | { kind: 'extreme'; at: number; width: 1 | 2 | 4 | 8; value: bigint; bigEndian: boolean }
  | { kind: 'truncate'; at: number }
  | { kind: 'delete'; at: number; length: number }
  | { kind: 'duplicate'; at: number; length: number; times: number }
  | { kind: 'splice'; at: number; from: number; start: number; length: number }
  | { kind: 'insert'; at: number; bytes: Uint8Array };

/**
 * Mutations of `seeds`: bit flips, byte sets, integer-field extremes (at `offsets` of interest to
 * the format, or anywhere), truncation, deletion, repetition, splicing of another seed's bytes and
 * inserted random bytes; one to eight of them in a row. Positions are taken modulo the length.
 */
export function mutationsOf(seeds: readonly Buffer[], offsets: readonly number[] = []): fc.Arbitrary<Buffer> {
  if (seeds.length === 0) throw new Error('mutationsOf needs at least one seed');
  const at = offsets.length > 0 ? fc.oneof(fc.nat(), fc.constantFrom(...offsets)) : fc.nat();
  const op: fc.Arbitrary<Op> = fc.oneof(
    fc.record({ kind: fc.constant('flip' as const), at, bit: fc.integer({ min: 0, max: 7 }) }),
    fc.record({ kind: fc.constant('set' as const), at, value: fc.integer({ min: 0, max: 255 }) }),
    fc.record({
      kind: fc.constant('extreme' as const),
      at,
      width: fc.constantFrom(1 as const, 2 as const, 4 as const, 8 as const),
      value: fc.constantFrom(...EXTREMES),
      bigEndian: fc.boolean(),
    }),
    fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
    fc.record({ kind: fc.constant('delete' as const), at, length: fc.integer({ min: 1, max: 64 }) }),
    fc.record({ kind: fc.constant('duplicate' as const), at, length: fc.integer({ min: 1, max: 64 }), times: fc.integer({ min: 1, max: 64 }) }),
    fc.record({ kind: fc.constant('splice' as const), at, from: fc.nat(), start: fc.nat(), length: fc.integer({ min: 1, max: 512 }) }),
    fc.record({ kind: fc.constant('insert' as const), at, bytes: fc.uint8Array({ minLength: 1, maxLength: 32 }) }),
  );
  return fc.record({ seed: fc.nat(), ops: fc.array(op, { minLength: 1, maxLength: 8 }) }).map(({ seed, ops }) => {
    let buf: Buffer = Buffer.from(seeds[seed % seeds.length]!);
    for (const o of ops) buf = apply(buf, o, seeds);
    return buf;
  });
}

function apply(buf: Buffer, o: Op, seeds: readonly Buffer[]): Buffer {
  const n = buf.length;
  const pos = n === 0 ? 0 : o.at % n;
  switch (o.kind) {
    case 'flip':
      if (n > 0) buf[pos] = buf[pos]! ^ (1 << o.bit);
      return buf;
    case 'set':
      if (n > 0) buf[pos] = o.value;
      return buf;
    case 'extreme': {
      if (pos + o.width > n) return buf;
      const mask = (1n << BigInt(8 * o.width)) - 1n;
      const v = o.value & mask;
      for (let i = 0; i < o.width; i++) {
        const byte = Number((v >> BigInt(8 * i)) & 0xffn);
        buf[o.bigEndian ? pos + o.width - 1 - i : pos + i] = byte;
      }
      return buf;
    }
    case 'truncate':
      return buf.subarray(0, n === 0 ? 0 : o.at % (n + 1));
    case 'delete':
      return Buffer.concat([buf.subarray(0, pos), buf.subarray(pos + o.length)]);
    case 'duplicate': {
      const chunk = buf.subarray(pos, pos + o.length);
      return Buffer.concat([buf.subarray(0, pos), ...Array<Buffer>(o.times + 1).fill(chunk), buf.subarray(pos + chunk.length)]);
    }
    case 'splice': {
      const other = seeds[o.from % seeds.length]!;
      const start = other.length === 0 ? 0 : o.start % other.length;
      return Buffer.concat([buf.subarray(0, pos), other.subarray(start, start + o.length), buf.subarray(pos)]);
    }
    case 'insert':
      return Buffer.concat([buf.subarray(0, pos), o.bytes, buf.subarray(pos)]);
  }
}

/** Random bytes and mutated seeds, half each. */
export const bytesAndMutations = (seeds: readonly Buffer[], offsets: readonly number[] = [], maxRandom = 4096): fc.Arbitrary<Buffer> =>
  fc.oneof(randomBytes(maxRandom), mutationsOf(seeds, offsets));

/** Fails with a readable message unless `error` is one of the documented error types. */
export function expectOnly(error: unknown, allowed: ReadonlyArray<abstract new (...args: never[]) => Error>, what: string): void {
  // A plain Error is allowed only as itself: a TypeError or RangeError is a bug, not a refusal.
  if (allowed.some((type) => error instanceof type && (type !== Error || (error as Error).constructor === Error))) return;
  const e = error as Error;
  throw new Error(`${what} threw ${e?.constructor?.name ?? typeof error}: ${e?.message ?? String(error)}\n${e?.stack ?? ''}`);
}
