/**
 * Step 2 of the search (DESIGN §3.2): turn a relaxed start into a valid integer mapping. Each dim's free primes go,
 * largest first, to the allowed slot whose log-factor is furthest below its relaxed target; then capacity and
 * fanout overflows are repaired by moving primes outward (spatial -> temporal, inner level -> outer level) until the
 * point fits. Loop orders and keep bits are the start's.
 */
import { freePrimesAt, movePrime } from '../mapping/default.js';
import { clonePoint, fits, outermostPoint, slotIndex, type MapSpace, type Point } from '../mapping/mapspace.js';
import { DIMS } from '../workload/layer.js';
import type { RelaxedStart } from './relax.js';

export function assignPrimes(space: MapSpace, start: RelaxedStart): Point {
  const p = clonePoint(start.point);
  p.f = space.slots.map((_, i) => DIMS.map((d) => space.fixed[d][i]!));
  DIMS.forEach((d, x) => {
    const target = start.logFactors[x]!;
    const cur = space.slots.map(() => 0);
    for (const q of space.primes[d]) {
      let best = -1;
      let bestDeficit = -Infinity;
      space.slots.forEach((_, k) => {
        if (!space.allowed[d][k]) return;
        // prefer the slot that most needs this prime; ties go to the slot that ends closest to its target
        // (a relaxed start that diverged has non-finite targets: they count as 0, i.e. a factor of 1)
        const goal = Number.isFinite(target[k]) ? target[k]! : 0;
        const deficit = goal - cur[k]! - 0.5 * Math.log(q);
        if (deficit > bestDeficit) {
          bestDeficit = deficit;
          best = k;
        }
      });
      cur[best] += Math.log(q);
      p.f[best]![x]! *= q;
    }
  });
  return p;
}

/** Moves primes outward until the point fits; null if it cannot be repaired. */
export function repair(space: MapSpace, point: Point, maxMoves = 200): Point | null {
  const p = clonePoint(point);
  const L = space.arch.levels.length;
  for (let it = 0; it < maxMoves; it++) {
    const f = fits(space, p);
    if (f.ok) return p;
    // candidate fixes: any free prime on a slot of a level at or below an overflowing one, moved to a slot one level
    // out (or from spatial to the same level's temporal slot); take the one that lowers the worst overflow most
    type Fix = { d: (typeof DIMS)[number]; q: number; from: number; to: number; worst: number };
    let best = null as Fix | null;
    space.slots.forEach((slot, from) => {
      for (const d of space.dims) {
        for (const q of new Set(freePrimesAt(space, p, d, from))) {
          const targets: number[] = [];
          if (slot.kind !== 'T') targets.push(slotIndex(space, slot.level, 'T'));
          for (let s = slot.level + 1; s < L; s++) {
            const t = slotIndex(space, s, 'T');
            if (space.allowed[d][t]) {
              targets.push(t);
              break;
            }
          }
          for (const to of targets) {
            if (to < 0 || !space.allowed[d][to]) continue;
            movePrime(p, d, q, from, to);
            const w = fits(space, p).worst;
            movePrime(p, d, q, to, from);
            if (!best || w < best.worst) best = { d, q, from, to, worst: w };
          }
        }
      }
    });
    const fix = best as Fix | null;
    if (!fix || fix.worst >= f.worst) break;
    movePrime(p, fix.d, fix.q, fix.from, fix.to);
  }
  return fits(space, p).ok ? p : null;
}

export function legalize(space: MapSpace, start: RelaxedStart): Point {
  const assigned = assignPrimes(space, start);
  const fixed = repair(space, assigned);
  if (fixed) return fixed;
  const fallback = outermostPoint(space);
  fallback.perm = start.point.perm.map((r) => [...r]);
  fallback.keep = start.point.keep.map((r) => [...r]);
  return fallback;
}
