/**
 * Lookalike detection for host labels: an ASCII "skeleton" (after Unicode TR #39) built from a small
 * table of the characters phishers actually swap in, and a check for Latin mixed with Cyrillic or Greek.
 * Hand-written: the full confusables.txt is 6,000+ entries and a dependency for a few dozen that matter.
 */

/** Cyrillic and Greek letters that render like Latin ones, plus digits used for letters. */
const CHAR_SKELETON: Readonly<Record<string, string>> = {
  // Cyrillic
  а: 'a', в: 'b', е: 'e', ё: 'e', к: 'k', м: 'm', н: 'h', о: 'o', р: 'p', с: 'c', т: 't', у: 'y', х: 'x',
  і: 'l', ї: 'l', ј: 'j', ѕ: 's', ԁ: 'd', һ: 'h', ӏ: 'l', ԛ: 'q', ԝ: 'w', ɡ: 'g', ь: 'b',
  // Greek
  α: 'a', β: 'b', ε: 'e', η: 'n', ι: 'l', κ: 'k', ν: 'v', ο: 'o', ρ: 'p', τ: 't', υ: 'u', χ: 'x', ω: 'w',
  // Latin letters and digits that pass for others; `i` and `l` fold together because `1`, `I` and `l` do.
  ı: 'l', ł: 'l', ĺ: 'l', í: 'l', ì: 'l', ï: 'l', i: 'l', '1': 'l', '0': 'o', '3': 'e', '4': 'a', '5': 's', '7': 't', '8': 'b',
  á: 'a', à: 'a', â: 'a', ä: 'a', å: 'a', ã: 'a', é: 'e', è: 'e', ê: 'e', ë: 'e', ó: 'o', ò: 'o', ô: 'o', ö: 'o', õ: 'o',
  ú: 'u', ù: 'u', û: 'u', ü: 'u', ç: 'c', ñ: 'n', ý: 'y', ÿ: 'y',
};

/** Letter pairs read as one letter at a glance: `rn` as `m`, `vv` as `w`. */
const PAIR_SKELETON: ReadonlyArray<[RegExp, string]> = [
  [/rn/g, 'm'],
  [/vv/g, 'w'],
];

/** The ASCII skeleton of a (unicode, lower-case) label: two labels that look alike share one. */
export function skeleton(label: string): string {
  let out = '';
  for (const ch of label.toLowerCase()) out += CHAR_SKELETON[ch] ?? ch;
  for (const [pair, single] of PAIR_SKELETON) out = out.replace(pair, single);
  return out;
}

const LATIN = /\p{Script=Latin}/u;
const CYRILLIC_OR_GREEK = /[\p{Script=Cyrillic}\p{Script=Greek}]/u;

/** A label mixing Latin with Cyrillic or Greek letters: what homograph attacks look like, and rare otherwise. */
export const isMixedScript = (label: string): boolean => LATIN.test(label) && CYRILLIC_OR_GREEK.test(label);
