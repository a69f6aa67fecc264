/**
 * A simple valid mapping: fill the spatial fanouts from the outside in, then grow each on-chip level's temporal tile
 * from the inside out while it fits. Deterministic; used by `codesign evaluate --network` and as a search seed.
 */
import type { Dim } from '../workload/layer.js';
import { DIM_IDX, fits, outermostPoint, slotIndex, type MapSpace, type Point } from './mapspace.js';

/** Move one prime of dim d from slot `from` to slot `to` (in place). */
export function movePrime(p: Point, d: Dim, prime: number, from: number, to: number): void {
  const j = DIM_IDX[d];
  p.f[from]![j]! /= prime;
  p.f[to]![j]! *= prime;
}

/** The free primes of dim d currently at slot i (its factor divided by the pinned part), largest first. */
export function freePrimesAt(space: MapSpace, p: Point, d: Dim, i: number): number[] {
  let rest = p.f[i]![DIM_IDX[d]]! / space.fixed[d][i]!;
  const out: number[] = [];
  for (const q of space.primes[d]) {
    if (rest % q === 0) {
      out.push(q);
      rest /= q;
    }
  }
  return out;
}

/** Greedily move primes from `from` into `to` while the point still fits and `limit` allows. */
function greedyFill(space: MapSpace, p: Point, from: number, to: number, order: readonly Dim[], limit = Infinity): void {
  let used = 1;
  for (const d of order) {
    if (!space.allowed[d][to]) continue;
    for (const q of freePrimesAt(space, p, d, from)) {
      if (used * q > limit) continue;
      movePrime(p, d, q, from, to);
      if (fits(space, p).ok) used *= q;
      else movePrime(p, d, q, to, from);
    }
  }
}

export function defaultPoint(space: MapSpace): Point {
  const p = outermostPoint(space);
  const L = space.arch.levels.length;
  const top = slotIndex(space, L - 1, 'T');
  // channels first for the PE array (they parallelize without halos), then output pixels, then the rest
  const spatialOrder: Dim[] = ['K', 'C', 'Q', 'P', 'S', 'R', 'N'];
  for (let s = L - 1; s >= 0; s--) {
    for (const kind of ['X', 'Y'] as const) {
      const i = slotIndex(space, s, kind);
      if (i >= 0) greedyFill(space, p, top, i, spatialOrder, kind === 'X' ? space.fanout[s]!.x : space.fanout[s]!.y);
    }
  }
  // kernel dims first in the innermost buffers (they give the most reuse per word), then channels and pixels
  const temporalOrder: Dim[] = ['R', 'S', 'C', 'K', 'Q', 'P', 'N'];
  for (let s = 0; s < L - 1; s++) greedyFill(space, p, top, slotIndex(space, s, 'T'), temporalOrder);
  return p;
}
