/** Comment text: the length limit, hashtags as tags, and the escaped `html` rendering. */

/** Longest comment accepted, in characters (code points, so an emoji counts once). */
export const MAX_COMMENT_CHARS = 4000;

/** Unicode code points in `text`. */
export const charCount = (text: string): number => {
  let n = 0;
  for (const _ of text) n++;
  return n;
};

// `#` not glued to a preceding word character or `&` (so `a#b` and `&#39;` are not tags), then
// letters (with their combining marks), digits, `_` and `-`.
const HASHTAG = /(?<![\p{L}\p{M}\p{N}_&])#([\p{L}\p{M}\p{N}_-]+)/gu;

/** Hashtags of a comment: lowercased, NFC, without leading or trailing `-`, de-duplicated in first-seen order. */
export function commentTags(text: string): string[] {
  const tags = new Set<string>();
  for (const match of text.matchAll(HASHTAG)) {
    const tag = normaliseTag(match[1]!);
    if (tag !== '') tags.add(tag);
  }
  return [...tags];
}

/** A tag as stored and as `filter=tag:` compares it: `#Phishing` and `phishing` are the same tag. */
export function normaliseTag(tag: string): string {
  return tag.normalize('NFC').toLowerCase().replace(/^#/, '').replace(/^-+|-+$/g, '');
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/**
 * The `html` attribute: the text with every HTML-special character escaped and line breaks as
 * `<br>`; hashtags stay plain text. Nothing the user wrote ever reaches it as markup.
 */
export function commentHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]!).replace(/\r\n|\r|\n/g, '<br>');
}

/** A lone UTF-16 surrogate: JSON can carry one (`"\ud800"`), UTF-8 storage cannot keep it. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Why a comment text is refused, or undefined when it is acceptable (stored exactly as given). */
export function commentTextProblem(text: string): string | undefined {
  if (text.trim() === '') return 'Comment text must not be empty';
  const length = charCount(text);
  if (length > MAX_COMMENT_CHARS) return `Comment text is ${length} characters long; the limit is ${MAX_COMMENT_CHARS}`;
  // PostgreSQL text cannot hold NUL, and storing a lone surrogate would change the text.
  if (text.includes('\u0000')) return 'Comment text must not contain NUL characters';
  if (LONE_SURROGATE.test(text)) return 'Comment text must be valid Unicode (it contains a lone surrogate)';
  return undefined;
}
