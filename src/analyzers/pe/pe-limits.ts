/** The bounds every PE parser here respects: counts, string lengths, depth and a time budget. */

export interface PeLimits {
  /** Files larger than this are not read at all (the analyzer's manifest refuses them first). */
  maxFileBytes: number;
  /** Section headers read; pefile stops at 0x800 too, the Windows loader at 96. */
  maxSections: number;
  /** Import descriptors (DLLs) and imported functions, in total. */
  maxImportDlls: number;
  maxImportFunctions: number;
  /** Exported names listed. */
  maxExports: number;
  /** Resource leaves listed, and the directory depth followed (type / name / language is 3). */
  maxResources: number;
  maxResourceDepth: number;
  /** Bytes of any one string read from the file (names, DLL names, .NET heap strings). */
  maxStringBytes: number;
  /** Bytes hashed for sections, resources and overlay together (sections may all point at the same data); also at most 4x the file. */
  maxHashedBytes: number;
  /** Certificates read from an Authenticode signature. */
  maxCertificates: number;
  /** Wall-clock budget for one file; past it the remaining parts are skipped. */
  timeBudgetMs: number;
}

export const DEFAULT_PE_LIMITS: PeLimits = {
  maxFileBytes: 256 * 1024 * 1024,
  maxSections: 0x800,
  maxImportDlls: 1024,
  maxImportFunctions: 0x2000,
  maxExports: 0x2000,
  maxResources: 4096,
  maxResourceDepth: 3,
  maxStringBytes: 0x200,
  maxHashedBytes: 1024 * 1024 * 1024,
  maxCertificates: 64,
  timeBudgetMs: 20_000,
};

/** Raised inside the parsers when the time budget runs out; the caller keeps what was done. */
export class BudgetExceeded extends Error {
  constructor(what: string) {
    super(`PE analysis time budget exceeded during ${what}`);
    this.name = 'BudgetExceeded';
  }
}

/** A shared clock and byte budget for one file's analysis. */
export class Budget {
  private readonly deadline: number;
  private hashed = 0;

  private readonly hashLimit: number;

  constructor(
    readonly limits: PeLimits,
    fileBytes: number,
  ) {
    this.deadline = Date.now() + limits.timeBudgetMs;
    // Honest images hash each byte about twice (a section, then a resource inside it); overlapping
    // sections that all claim the whole file must not multiply the work.
    this.hashLimit = Math.min(limits.maxHashedBytes, 4 * fileBytes + (1 << 20));
  }

  check(what: string): void {
    if (Date.now() > this.deadline) throw new BudgetExceeded(what);
  }

  /** Claims `bytes` of hashing; false when the budget would be exceeded (the caller skips the stats). */
  claimHashing(bytes: number): boolean {
    if (this.hashed + bytes > this.hashLimit) return false;
    this.hashed += bytes;
    return true;
  }
}
