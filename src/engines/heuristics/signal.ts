/** Named detection signals with weights, and the one rule that turns a set of them into a verdict. */

/**
 * How much one signal weighs. A `strong` signal is specific evidence of malice on its own (a
 * template-injection relationship, shadow-copy deletion); `medium` signals are indicative but
 * each has innocent uses, so two independent ones are needed; `weak` ones only add up.
 */
export const WEIGHT = { strong: 10, medium: 5, weak: 2 } as const;

/** Score at or above which a file is `malicious`: one strong signal, or two independent medium ones. */
export const MALICIOUS_SCORE = 10;
/** Score at or above which a file is `suspicious`: one medium signal, or a few weak ones. */
export const SUSPICIOUS_SCORE = 5;

export interface SignalRule {
  /** Stable name, shown in results and documented in docs/engines.md. */
  name: string;
  weight: number;
  /** The family or behaviour named in the result when this is the strongest signal (e.g. `Injector`). */
  family: string;
  description: string;
}

export interface Hit {
  rule: SignalRule;
  /** What was seen (an import, a string, a keyword), for logs and tests. */
  evidence?: string;
}

export interface Judgement {
  category: 'malicious' | 'suspicious' | 'undetected';
  /** `<prefix>.<family>` of the strongest signal, e.g. `Assay.PE.Injector`; null when undetected. */
  result: string | null;
  score: number;
  hits: Hit[];
}

/**
 * Sums the weights of distinct signals (a rule counts once however often it matched) and names the
 * verdict after the heaviest signal, the first listed winning a tie (rules are listed most specific first).
 */
export function judge(prefix: string, hits: readonly Hit[]): Judgement {
  const distinct = new Map<string, Hit>();
  for (const h of hits) if (!distinct.has(h.rule.name)) distinct.set(h.rule.name, h);
  const unique = [...distinct.values()];
  const score = unique.reduce((sum, h) => sum + h.rule.weight, 0);
  const category = score >= MALICIOUS_SCORE ? 'malicious' : score >= SUSPICIOUS_SCORE ? 'suspicious' : 'undetected';
  if (category === 'undetected') return { category, result: null, score, hits: unique };
  let top = unique[0]!;
  for (const h of unique) if (h.rule.weight > top.rule.weight) top = h;
  return { category, result: `${prefix}.${top.rule.family}`, score, hits: unique };
}

/** Defines rules keyed by name so engines refer to them as `RULES.name` (a typo fails to compile). */
export function defineRules<K extends string>(rules: Record<K, Omit<SignalRule, 'name'>>): Record<K, SignalRule> {
  return Object.fromEntries(Object.entries(rules).map(([name, r]) => [name, { name, ...(r as Omit<SignalRule, 'name'>) }])) as Record<K, SignalRule>;
}
