/** Bounds on a parsed JSON answer before we walk it: nesting depth and node count. */

export const RDAP_MAX_DEPTH = 32;
export const RDAP_MAX_NODES = 200_000;

/**
 * True when `value` nests no deeper than `maxDepth` and has at most `maxNodes` values. Iterative,
 * so a hostile answer cannot overflow the stack of the walk that checks it.
 */
export function withinJsonLimits(value: unknown, maxDepth = RDAP_MAX_DEPTH, maxNodes = RDAP_MAX_NODES): boolean {
  const stack: Array<[unknown, number]> = [[value, 0]];
  let nodes = 0;
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (++nodes > maxNodes) return false;
    if (node === null || typeof node !== 'object') continue;
    if (depth >= maxDepth) return false;
    const children = Array.isArray(node) ? node : Object.values(node);
    for (const child of children) stack.push([child, depth + 1]);
  }
  return true;
}
