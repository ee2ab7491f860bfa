/** Runs a task per item with at most `limit` in flight, for the commands that submit many files or URLs. */

/** `fn` is called once per item with its index; rejects with the first error `fn` lets escape. */
export async function eachConcurrently<T>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      await fn(items[index]!, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
