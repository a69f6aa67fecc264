/** Random points of a map space, for random search, GA initialization and benchmarks. */
import { DIMS } from '../workload/layer.js';
import { DIM_IDX, fits, outermostPoint, type MapSpace, type Point } from './mapspace.js';

/** A small deterministic PRNG (mulberry32): results depend only on the seed. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function pick<T>(r: () => number, xs: readonly T[]): T {
  return xs[Math.floor(r() * xs.length)]!;
}

export function shuffle<T>(r: () => number, xs: T[]): T[] {
  for (let i = xs.length - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [xs[i], xs[j]] = [xs[j]!, xs[i]!];
  }
  return xs;
}

/** Any point: every free prime in a random allowed slot, random loop orders and free keep bits (may not fit). */
export function randomPoint(space: MapSpace, r: () => number): Point {
  const p = outermostPoint(space);
  // start from the pinned factors only
  p.f = space.slots.map((_, i) => DIMS.map((d) => space.fixed[d][i]!));
  for (const d of DIMS) {
    const slots = space.allowed[d].flatMap((ok, i) => (ok ? [i] : []));
    for (const q of space.primes[d]) p.f[pick(r, slots)]![DIM_IDX[d]]! *= q;
  }
  p.perm = space.permPrefix.map((pre, s) => [...pre, ...shuffle(r, [...space.permFree[s]!])]);
  p.keep = space.keepFixed.map((row) => row.map((k) => k ?? r() < 0.5));
  return p;
}

/** A random point that fits capacity and fanout (rejection sampling); null if none found in `tries`. */
export function randomValidPoint(space: MapSpace, r: () => number, tries = 2000): Point | null {
  for (let t = 0; t < tries; t++) {
    const p = randomPoint(space, r);
    if (fits(space, p).ok) return p;
  }
  return null;
}
