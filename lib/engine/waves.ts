/**
 * Runs `task` for every item with at most `limit` of them unfinished at a time, and
 * resolves when all have finished. Thousands of sensors disconnecting at once would each
 * hold a write, a shutdown and a close in flight together: a burst of short-lived
 * objects that lifts the process's peak memory at the very end of a run.
 */
export async function inWaves<T>(
  items: readonly T[],
  limit: number,
  task: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < items.length) await task(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
}
