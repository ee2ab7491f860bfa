/**
 * Keyword counts as Didier Stevens' pdfid reports them, which is what VirusTotal's `pdf_info`
 * holds: the file is cut into words (runs of ASCII letters and digits, a `/` starting a name), a
 * `#xx` escape inside a name is decoded (and the word counted as obfuscated too), and each word
 * equal to a keyword counts, wherever it is (strings and stream data included). Written here
 * because pdfid is a Python program, not a library, and these counts must match it.
 */

export const PDFID_KEYWORDS = [
  'obj',
  'endobj',
  'stream',
  'endstream',
  'xref',
  'trailer',
  'startxref',
  '/Page',
  '/Encrypt',
  '/ObjStm',
  '/JS',
  '/JavaScript',
  '/AA',
  '/OpenAction',
  '/AcroForm',
  '/JBIG2Decode',
  '/RichMedia',
  '/Launch',
  '/EmbeddedFile',
  '/XFA',
  '/URI',
] as const;

export type PdfidKeyword = (typeof PDFID_KEYWORDS)[number];

export interface KeywordCounts {
  /** Occurrences of each keyword, obfuscated ones included. */
  total: Record<PdfidKeyword, number>;
  /** Occurrences spelled with `#xx` escapes. */
  obfuscated: Record<PdfidKeyword, number>;
  /** `/Colors` followed by a number above 2^24 (CVE-2009-3459). */
  suspiciousColors: number;
}

export function emptyCounts(): KeywordCounts {
  const zero = () => Object.fromEntries(PDFID_KEYWORDS.map((k) => [k, 0])) as Record<PdfidKeyword, number>;
  return { total: zero(), obfuscated: zero(), suspiciousColors: 0 };
}

const KEYWORDS = new Set<string>(PDFID_KEYWORDS);
const isWordChar = (c: number) => (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
const hex = (c: number) => (c >= 0x30 && c <= 0x39 ? c - 0x30 : c >= 0x41 && c <= 0x46 ? c - 0x37 : c >= 0x61 && c <= 0x66 ? c - 0x57 : -1);
/** Words longer than every keyword and than 2^24's digits are only tracked by length. */
const MAX_WORD = 32;

/**
 * Adds the keyword counts of `data` to `counts`. With `namesOnly`, only `/Name` keywords count
 * (for decoded object streams, where obj, stream... cannot legitimately appear).
 */
export function countKeywords(data: Uint8Array, counts: KeywordCounts, namesOnly = false): void {
  let word = '';
  let wordLength = 0;
  let slash = '';
  let hexcode = false;
  let lastName = '';

  const endWord = () => {
    if (wordLength > 0) {
      const key = slash + word;
      if (wordLength <= MAX_WORD && KEYWORDS.has(key) && (!namesOnly || slash === '/')) {
        counts.total[key as PdfidKeyword]++;
        if (hexcode) counts.obfuscated[key as PdfidKeyword]++;
      }
      if (slash === '/') lastName = wordLength <= MAX_WORD ? key : '';
    }
    word = '';
    wordLength = 0;
    hexcode = false;
  };
  const addChar = (c: number) => {
    if (wordLength < MAX_WORD + 1) word += String.fromCharCode(c);
    wordLength++;
  };

  for (let i = 0; i < data.length; i++) {
    const c = data[i]!;
    if (isWordChar(c)) {
      addChar(c);
    } else if (slash === '/' && c === 0x23 && i + 2 < data.length && hex(data[i + 1]!) >= 0 && hex(data[i + 2]!) >= 0) {
      addChar(hex(data[i + 1]!) * 16 + hex(data[i + 2]!));
      hexcode = true;
      i += 2;
    } else {
      // pdfid checks /Colors before the word that follows it ends.
      if (lastName === '/Colors' && wordLength > 0 && wordLength <= MAX_WORD && /^\d+$/.test(word) && Number(word) > 2 ** 24) counts.suspiciousColors++;
      if (slash === '/' && c === 0x23) {
        // A `#` not followed by two hex digits ends the word but, as in pdfid, keeps the slash.
        endWord();
        continue;
      }
      endWord();
      slash = c === 0x2f ? '/' : '';
    }
  }
  endWord();
}
