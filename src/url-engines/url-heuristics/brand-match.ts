/**
 * Which phished brands a piece of a URL names, literally or as a lookalike, and whether a site is
 * the brand's own. Matching works on whole words so `purchase` never reads as `chase`.
 */
import { skeleton } from './confusables.js';

export interface Brand {
  word: string;
  skeleton: string;
  domains: ReadonlySet<string>;
}

export type Mention = 'literal' | 'confusable';

/** Longer brand words also match as a word's prefix (`paypalsecure`, `microsoftonline`); shorter ones are common as prefixes. */
const PREFIX_MIN = 6;
/** Below this a one-letter swap turns ordinary words into brands (`dhi`, `up5`); only exact words count. */
const CONFUSABLE_MIN = 5;
const WORD_SPLIT = /[^\p{L}\p{N}]+/u;

export const compileBrands = (brands: Readonly<Record<string, readonly string[]>>): Brand[] =>
  Object.entries(brands).map(([word, domains]) => ({
    word: word.toLowerCase(),
    skeleton: skeleton(word),
    domains: new Set(domains.map((d) => d.toLowerCase())),
  }));

/** The site is the brand's when its registrable domain is listed, or its name before the suffix is the brand (`amazon.co.uk`). */
export const brandOwns = (brand: Brand, site: { domain: string | null; domainWithoutSuffix: string | null }): boolean =>
  site.domain !== null && (brand.domains.has(site.domain) || site.domainWithoutSuffix === brand.word);

export const wordsOf = (text: string): string[] => text.toLowerCase().split(WORD_SPLIT).filter((w) => w !== '');

const names = (word: string, target: string): boolean => word === target || (target.length >= PREFIX_MIN && word.startsWith(target));

/** A host label or path split into words once, to be compared with every brand. */
export interface Words {
  words: string[];
  joined: string;
  skeletons: string[];
  joinedSkeleton: string;
}

export function wordsFor(text: string): Words {
  const words = wordsOf(text);
  const joined = words.join('');
  return { words, joined, skeletons: words.map(skeleton), joinedSkeleton: skeleton(joined) };
}

/**
 * How the text (a unicode host label, or path text) names the brand. Words are compared whole; the
 * words run together catch `pay-pal`. Lookalikes only for host labels: a path is free text.
 */
export function mentionOf(text: Words, brand: Brand, allowConfusable: boolean): Mention | undefined {
  if (text.joined === brand.word || text.words.some((w) => names(w, brand.word))) return 'literal';
  if (!allowConfusable || brand.word.length < CONFUSABLE_MIN) return undefined;
  if (text.joinedSkeleton === brand.skeleton || text.skeletons.some((w) => names(w, brand.skeleton))) return 'confusable';
  return undefined;
}
