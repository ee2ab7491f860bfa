/**
 * Heuristic signals and the score that turns them into a VT verdict. Strong signals are tricks an
 * honest site has no reason to use; weak ones are common on honest sites too and only count together.
 *
 *   points = strong signals + floor(weak signals / 3)
 *   0 points: no signal -> harmless `clean`; weak signals only -> undetected `unrated`
 *   1 point -> suspicious; 2 or more -> malicious; the result names every signal, strong first.
 */
import type { UrlVerdict } from '../../core/plugin.js';

export interface Signal {
  /** Shown in the verdict's result, e.g. `brand-in-subdomain:paypal`. */
  name: string;
  strong: boolean;
}

export const WEAK_SIGNALS_PER_POINT = 3;

export const strong = (name: string): Signal => ({ name, strong: true });
export const weak = (name: string): Signal => ({ name, strong: false });

/** One signal per name; a name seen as both keeps the strong one. */
export function dedupeSignals(signals: Iterable<Signal>): Signal[] {
  const byName = new Map<string, Signal>();
  for (const s of signals) {
    const seen = byName.get(s.name);
    if (!seen || (s.strong && !seen.strong)) byName.set(s.name, s);
  }
  return [...byName.values()];
}

export function scoreSignals(signals: readonly Signal[]): Pick<UrlVerdict, 'category' | 'result'> {
  if (signals.length === 0) return { category: 'harmless', result: 'clean' };
  const strongOnes = signals.filter((s) => s.strong);
  const weakOnes = signals.filter((s) => !s.strong);
  const points = strongOnes.length + Math.floor(weakOnes.length / WEAK_SIGNALS_PER_POINT);
  if (points === 0) return { category: 'undetected', result: 'unrated' };
  const result = [...strongOnes, ...weakOnes].map((s) => s.name).join(', ');
  return { category: points >= 2 ? 'malicious' : 'suspicious', result };
}
