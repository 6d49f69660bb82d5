/**
 * Which fleet a global sensor index belongs to, from the fleets' sizes in order: the
 * probe's per-fleet counts and the merge of a sharded run both ask it.
 *
 * @module
 */

/** A function from a global sensor index to its fleet's number (-1 past the last fleet). */
export function fleetOfIndexFor(fleetCounts: readonly number[]): (index: number) => number {
  const ends: number[] = [];
  let end = 0;
  for (const count of fleetCounts) ends.push(end += count);
  // A single fleet (the common case) needs no search.
  if (ends.length === 1) return (index) => index < ends[0] ? 0 : -1;
  return (index) => ends.findIndex((fleetEnd) => index < fleetEnd);
}
