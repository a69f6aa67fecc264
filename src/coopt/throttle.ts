/**
 * Slower, lower-power versions of a mapping: spatial factors moved, one prime at a time, to the temporal loops of the
 * same level (or the nearest level above that allows the dim). Fewer PEs are busy, the tiles stay as they were (or
 * shrink), so the point still fits; energy stays about the same while time grows, so power drops. A power budget on a
 * large array is met this way, which the search, minimizing EDP, rarely visits on its own.
 */
import { clonePoint, fits, primeFactors, slotIndex, type MapSpace, type Point } from '../mapping/mapspace.js';
import { DIMS } from '../workload/layer.js';

/** One step: the largest free spatial factor that can move loses its smallest prime to a temporal slot, or null. */
export function throttleOnce(space: MapSpace, p: Point): Point | null {
  const cands: { slot: number; j: number; free: number }[] = [];
  space.slots.forEach((slot, i) => {
    if (slot.kind === 'T') return;
    DIMS.forEach((d, j) => {
      const free = p.f[i]![j]! / space.fixed[d][i]!;
      if (free > 1) cands.push({ slot: i, j, free });
    });
  });
  cands.sort((a, b) => b.free - a.free);
  const L = space.arch.levels.length;
  for (const { slot, j, free } of cands) {
    const d = DIMS[j]!;
    const prime = primeFactors(free).at(-1)!;
    for (let level = space.slots[slot]!.level; level < L; level++) {
      const t = slotIndex(space, level, 'T');
      if (t < 0 || !space.allowed[d][t]) continue;
      const q = clonePoint(p);
      q.f[slot]![j]! /= prime;
      q.f[t]![j]! *= prime;
      if (fits(space, q, false).ok) return q;
      break;
    }
  }
  return null;
}

/** Up to `steps` successively throttled versions of p (about 1/2, 1/4, ... of its parallelism). */
export function throttled(space: MapSpace, p: Point, steps: number): Point[] {
  const out: Point[] = [];
  let cur: Point | null = p;
  for (let k = 0; k < steps && cur; k++) {
    cur = throttleOnce(space, cur);
    if (cur) out.push(cur);
  }
  return out;
}
