/**
 * The bounds every part of the PDF parser works within (size, count, depth, decoded bytes, time),
 * and the Budget that one analysis spends against them and that records which bounds were hit.
 */

export interface PdfLimits {
  /** Largest file parsed; the analyzer's manifest refuses larger ones. */
  maxFileBytes: number;
  /** Indirect objects kept, from the file and from object streams together. */
  maxObjects: number;
  /** Values (numbers, names, strings...) kept over the whole file; later ones are skipped. */
  maxValues: number;
  /** Nesting of arrays and dictionaries; deeper content is skipped. */
  maxNesting: number;
  /** Output of one stream's filter chain. */
  maxStreamDecodedBytes: number;
  /** Output of all filter chains together. */
  maxTotalDecodedBytes: number;
  /** Filters in one chain. */
  maxFilters: number;
  /** Indirect references followed in a row (a cycle stops at the first repeat anyway). */
  maxRefDepth: number;
  /** Object streams unpacked. */
  maxObjectStreams: number;
  /** Nodes visited in the page tree. */
  maxPageTreeNodes: number;
  /** Wall-clock time for one file; past it the parse stops where it is and reports what it has. */
  maxMillis: number;
  /** JavaScript kept: scripts, characters per script, characters in all. */
  maxScripts: number;
  maxScriptChars: number;
  maxTotalScriptChars: number;
  /** URIs and launch targets kept, each. */
  maxUrls: number;
  /** Embedded files returned, and bytes of each. */
  maxEmbeddedFiles: number;
  maxEmbeddedFileBytes: number;
}

export const DEFAULT_PDF_LIMITS: Readonly<PdfLimits> = Object.freeze({
  maxFileBytes: 128 * 1024 * 1024,
  maxObjects: 500_000,
  maxValues: 5_000_000,
  maxNesting: 64,
  maxStreamDecodedBytes: 32 * 1024 * 1024,
  maxTotalDecodedBytes: 256 * 1024 * 1024,
  maxFilters: 8,
  maxRefDepth: 32,
  maxObjectStreams: 20_000,
  maxPageTreeNodes: 200_000,
  maxMillis: 20_000,
  maxScripts: 32,
  maxScriptChars: 64 * 1024,
  maxTotalScriptChars: 256 * 1024,
  maxUrls: 256,
  maxEmbeddedFiles: 32,
  maxEmbeddedFileBytes: 32 * 1024 * 1024,
});

/** Names of the bounds, as reported in `limits_hit`. */
export type LimitName =
  | 'objects'
  | 'values'
  | 'nesting'
  | 'stream_decoded_bytes'
  | 'total_decoded_bytes'
  | 'filters'
  | 'ref_depth'
  | 'object_streams'
  | 'page_tree'
  | 'time'
  | 'scripts'
  | 'urls'
  | 'embedded_files';

/** What one analysis has spent; shared by the parser, the decoders and the extractors. */
export class Budget {
  readonly hit = new Set<LimitName>();
  private values = 0;
  private decoded = 0;
  private readonly deadline: number;
  /** Checking the clock on every token costs; it is read every 4096 calls of `outOfTime`. */
  private clockTicks = 0;
  private timedOut = false;

  constructor(readonly limits: PdfLimits) {
    this.deadline = performance.now() + limits.maxMillis;
  }

  /** Counts one more value; false once `maxValues` is spent. */
  takeValue(): boolean {
    if (this.values >= this.limits.maxValues) {
      this.hit.add('values');
      return false;
    }
    this.values++;
    return true;
  }

  /** Bytes one stream may still decode to: the smaller of the per-stream and the remaining total bound. */
  decodeAllowance(): number {
    return Math.max(0, Math.min(this.limits.maxStreamDecodedBytes, this.limits.maxTotalDecodedBytes - this.decoded));
  }

  spendDecoded(bytes: number): void {
    this.decoded += bytes;
    if (this.decoded >= this.limits.maxTotalDecodedBytes) this.hit.add('total_decoded_bytes');
  }

  outOfTime(): boolean {
    if (this.timedOut) return true;
    if ((++this.clockTicks & 4095) !== 0) return false;
    if (performance.now() > this.deadline) {
      this.timedOut = true;
      this.hit.add('time');
    }
    return this.timedOut;
  }
}
