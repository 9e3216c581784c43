// `target.push(...items)` and `Math.max(...values)` pass every element as an argument: past about
// 100,000 elements (a file of that many documents, a cluster of that many objects) they overflow the
// stack. These do the same in a loop, for every list whose length the input decides.

/** Appends `items` to `target`, in order; returns `target`. */
export function append<T>(target: T[], items: Iterable<T>): T[] {
  for (const item of items) target.push(item);
  return target;
}

/** The largest value, or `empty` when there is none. */
export function maxOf(values: Iterable<number>, empty = 0): number {
  let max = -Infinity;
  for (const value of values) if (value > max) max = value;
  return max === -Infinity ? empty : max;
}
