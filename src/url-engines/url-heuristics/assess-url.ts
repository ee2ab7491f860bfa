/** Everything the heuristics find about one URL (and its fetched page), scored into a verdict. */
import type { UrlInput, UrlVerdict } from '../../core/plugin.js';
import { pageSignals } from './page-signals.js';
import { dedupeSignals, scoreSignals, type Signal } from './signal.js';
import { urlSignals, type CompiledLists } from './url-signals.js';

export interface Assessment {
  signals: Signal[];
  verdict: Pick<UrlVerdict, 'category' | 'result'>;
}

export function assessUrl(input: Pick<UrlInput, 'canonicalUrl' | 'page'>, lists: CompiledLists): Assessment {
  const url = new URL(input.canonicalUrl);
  const finalUrl = input.page ? parseOrUndefined(input.page.finalUrl) : undefined;
  const page = input.page?.bodyText ? pageSignals(input.page.bodyText, (finalUrl ?? url).href) : { signals: [], hasPasswordField: false };
  const found = [...urlSignals(url, lists, page), ...page.signals];
  // After a redirect (a shortener, say) the landing URL is judged too: it is what the victim sees.
  if (finalUrl && finalUrl.hostname !== url.hostname) found.push(...urlSignals(finalUrl, lists, page));
  const signals = dedupeSignals(found);
  return { signals, verdict: scoreSignals(signals) };
}

function parseOrUndefined(text: string): URL | undefined {
  try {
    return new URL(text);
  } catch {
    return undefined;
  }
}
