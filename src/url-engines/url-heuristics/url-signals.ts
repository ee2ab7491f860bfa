/**
 * Signals in the URL itself: the host (IP literal, punycode, mixed scripts, brand words and
 * lookalikes, depth, shortener, TLD), the port, userinfo, the path's brand words and the length.
 * A brand's word on a host that is not the brand's is strong only with a lure (a login word in the
 * host, a TLD-looking label after the brand, a password field on the page); alone it is the weak
 * `brand-mention`, since `apple.stackexchange.com` and `microsoft.github.io` are honest. A brand
 * lookalike (`paypa1`, Cyrillic `а`) is always strong.
 */
import { isIP } from 'node:net';
import { domainToUnicode } from 'node:url';
import { parse as parseHost } from 'tldts';
import { brandOwns, mentionOf, wordsFor, type Brand } from './brand-match.js';
import { isMixedScript } from './confusables.js';
import { strong, weak, type Signal } from './signal.js';

export interface CompiledLists {
  suspiciousTlds: ReadonlySet<string>;
  shorteners: ReadonlySet<string>;
  brands: readonly Brand[];
}

export const MAX_PLAIN_URL_LENGTH = 200;
/** Labels below the registrable domain; `a.b.c.d.example.com` has 4 and passes, a fifth flags. */
export const MAX_SUBDOMAIN_LABELS = 4;

/**
 * Words that turn a brand named on someone else's host into a login lure. Taken from the host only:
 * paths of honest pages (forums, news) pair brands with these words all the time.
 */
const LURE_WORDS: ReadonlySet<string> = new Set([
  'login', 'logon', 'signin', 'signon', 'sign', 'verify', 'verification', 'validate', 'secure', 'security',
  'account', 'accounts', 'update', 'confirm', 'unlock', 'locked', 'suspended', 'billing', 'payment', 'wallet',
  'recover', 'recovery', 'restore', 'support', 'helpdesk', 'auth', 'authenticate', 'password', 'webscr',
]);
/** TLD-looking labels after a brand (`paypal.com.example.tk`): the classic generic ones and any country code. */
const DOMAIN_LIKE_TLD = /^(?:com|net|org|co|info|biz|gov|edu|[a-z]{2})$/;
const DOMAIN_SHAPED_USERINFO = /[\p{L}\p{N}-]+\.[\p{L}]{2,}/u;

export function urlSignals(url: URL, lists: CompiledLists, context: { hasPasswordField: boolean }): Signal[] {
  const signals: Signal[] = [];
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');

  if (url.port !== '') signals.push(weak(`non-standard-port:${url.port}`));
  if (url.username !== '' || url.password !== '') {
    signals.push(DOMAIN_SHAPED_USERINFO.test(safeDecode(url.username)) ? strong('userinfo-host') : weak('userinfo'));
  }
  if (url.href.length > MAX_PLAIN_URL_LENGTH) signals.push(weak('long-url'));

  if (isIP(host)) {
    signals.push(weak('ip-literal-host'));
    if (context.hasPasswordField) signals.push(strong('ip-login-form'));
    signals.push(...pathBrandSignals(url, lists.brands, { domain: null, domainWithoutSuffix: null }));
    return signals;
  }

  const parsed = parseHost(host);
  const site = { domain: parsed.domain, domainWithoutSuffix: parsed.domainWithoutSuffix };
  const labels = host.split('.');
  const tld = labels[labels.length - 1]!;
  if (lists.shorteners.has(host) || (parsed.domain && lists.shorteners.has(parsed.domain))) signals.push(weak('shortener'));
  if (lists.suspiciousTlds.has(tld)) signals.push(weak(`suspicious-tld:${tld}`));
  if (labels.some((l) => l.startsWith('xn--'))) signals.push(weak('punycode-host'));

  const subdomainLabels = parsed.subdomain ? parsed.subdomain.split('.').map(toUnicode) : [];
  const registrableLabel = parsed.domainWithoutSuffix ? toUnicode(parsed.domainWithoutSuffix) : undefined;
  if (subdomainLabels.length > MAX_SUBDOMAIN_LABELS) signals.push(weak('deep-subdomains'));
  if ([...subdomainLabels, registrableLabel ?? ''].some(isMixedScript)) signals.push(strong('mixed-script-host'));

  const subdomainWords = subdomainLabels.map(wordsFor);
  const registrableWords = registrableLabel === undefined ? undefined : wordsFor(registrableLabel);
  const hostLure =
    context.hasPasswordField || [...subdomainWords, ...(registrableWords ? [registrableWords] : [])].some((l) => l.words.some((w) => LURE_WORDS.has(w)));
  for (const brand of lists.brands) {
    if (brandOwns(brand, site)) continue;
    subdomainWords.forEach((label, i) => {
      const mention = mentionOf(label, brand, true);
      if (mention === 'confusable') signals.push(strong(`confusable-brand:${brand.word}`));
      else if (mention === 'literal') {
        const domainShaped = DOMAIN_LIKE_TLD.test(subdomainLabels[i + 1] ?? '');
        signals.push(hostLure || domainShaped ? strong(`brand-in-subdomain:${brand.word}`) : weak(`brand-mention:${brand.word}`));
      }
    });
    const mention = registrableWords === undefined ? undefined : mentionOf(registrableWords, brand, true);
    if (mention === 'confusable') signals.push(strong(`confusable-brand:${brand.word}`));
    else if (mention === 'literal') signals.push(hostLure ? strong(`brand-in-domain:${brand.word}`) : weak(`brand-mention:${brand.word}`));
  }
  signals.push(...pathBrandSignals(url, lists.brands, site));
  return signals;
}

/** Brand words in the path of a site that is not the brand's: weak, since forums and news do it honestly. */
function pathBrandSignals(url: URL, brands: readonly Brand[], site: { domain: string | null; domainWithoutSuffix: string | null }): Signal[] {
  const decoded = safeDecode(url.pathname);
  if (decoded === '/') return [];
  const path = wordsFor(decoded);
  return brands
    .filter((brand) => !brandOwns(brand, site) && mentionOf(path, brand, false) === 'literal')
    .map((brand) => weak(`brand-in-path:${brand.word}`));
}

const toUnicode = (label: string): string => (label.startsWith('xn--') ? domainToUnicode(label) || label : label);

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
