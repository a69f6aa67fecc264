/**
 * Neighbourhood of a map-space point (DESIGN §3.3): move one prime factor between two slots (temporal <-> temporal,
 * temporal <-> spatial, X <-> Y, across levels), swap two non-unit loops of a level, flip a free keep bit.
 */
import { freePrimesAt, movePrime } from '../mapping/default.js';
import { DIM_IDX, type MapSpace, type Point } from '../mapping/mapspace.js';
import type { Dim } from '../workload/layer.js';

export type Move =
  | { kind: 'prime'; dim: Dim; prime: number; from: number; to: number }
  | { kind: 'exchange'; a: { dim: Dim; prime: number; slot: number }; b: { dim: Dim; prime: number; slot: number } }
  | { kind: 'swap'; level: number; a: number; b: number }
  | { kind: 'keep'; level: number; ds: number };

/** The point after a move. It shares the rows the move leaves unchanged with `p` (points are never changed in place). */
export function applyMove(p: Point, m: Move): Point {
  if (m.kind === 'prime' || m.kind === 'exchange') {
    const f = p.f.slice();
    const q: Point = { f, perm: p.perm, keep: p.keep };
    const a = m.kind === 'prime' ? m.from : m.a.slot;
    const b = m.kind === 'prime' ? m.to : m.b.slot;
    f[a] = p.f[a]!.slice();
    f[b] = p.f[b]!.slice();
    if (m.kind === 'prime') movePrime(q, m.dim, m.prime, m.from, m.to);
    else {
      movePrime(q, m.a.dim, m.a.prime, m.a.slot, m.b.slot);
      movePrime(q, m.b.dim, m.b.prime, m.b.slot, m.a.slot);
    }
    return q;
  }
  if (m.kind === 'swap') {
    const perm = p.perm.slice();
    const row = (perm[m.level] = p.perm[m.level]!.slice());
    [row[m.a], row[m.b]] = [row[m.b]!, row[m.a]!];
    return { f: p.f, perm, keep: p.keep };
  }
  const keep = p.keep.slice();
  const row = (keep[m.level] = p.keep[m.level]!.slice());
  row[m.ds] = !row[m.ds];
  return { f: p.f, perm: p.perm, keep };
}

/** The distinct prime powers (p, p^2, ...) of the free part of dim d at slot i: moving several copies at once. */
function primePowers(space: MapSpace, p: Point, d: Dim, i: number): number[] {
  const primes = freePrimesAt(space, p, d, i);
  const out: number[] = [];
  for (const q of new Set(primes)) {
    let power = 1;
    for (const x of primes) if (x === q) out.push((power *= q));
  }
  return out;
}

/** 'full': every move; 'light': single primes and loop swaps only (cheaper rounds, e.g. to score hardware variants). */
export type Neighbourhood = 'full' | 'light';

/** Every move from p (before any capacity/fanout check). */
export function moves(space: MapSpace, p: Point, kind: Neighbourhood = 'full'): Move[] {
  const out: Move[] = [];
  const nSlots = space.slots.length;
  const held: { dim: Dim; prime: number; slot: number }[] = [];
  for (let i = 0; i < nSlots; i++) {
    for (const d of space.dims) {
      for (const prime of kind === 'full' ? primePowers(space, p, d, i) : [...new Set(freePrimesAt(space, p, d, i))]) {
        held.push({ dim: d, prime, slot: i });
        for (let j = 0; j < nSlots; j++) {
          if (j !== i && space.allowed[d][j]) out.push({ kind: 'prime', dim: d, prime, from: i, to: j });
        }
      }
    }
  }
  // trade factors between two slots (grow one loop while shrinking another, which keeps tiles and fanouts in
  // bounds): any two single primes, and prime powers of equal size (e.g. C16 on the PE array for K16 in time)
  const tradable = kind === 'full' ? held : [];
  for (let x = 0; x < tradable.length; x++) {
    for (let y = x + 1; y < tradable.length; y++) {
      const a = tradable[x]!;
      const b = tradable[y]!;
      if (a.slot === b.slot || a.dim === b.dim) continue;
      const singles = space.primes[a.dim].includes(a.prime) && space.primes[b.dim].includes(b.prime);
      if (!singles && a.prime !== b.prime) continue;
      if (space.allowed[a.dim][b.slot] && space.allowed[b.dim][a.slot]) out.push({ kind: 'exchange', a, b });
    }
  }
  const tIndex = space.slots.map((s, i) => (s.kind === 'T' ? i : -1));
  space.arch.levels.forEach((_, s) => {
    const perm = p.perm[s]!;
    const fixedCount = space.permPrefix[s]!.length;
    const ti = tIndex.find((i) => i >= 0 && space.slots[i]!.level === s)!;
    // only the order of non-unit loops matters
    const live = perm.map((d, k) => (k >= fixedCount && p.f[ti]![DIM_IDX[d]]! > 1 ? k : -1)).filter((k) => k >= 0);
    for (let x = 0; x < live.length; x++) for (let y = x + 1; y < live.length; y++) out.push({ kind: 'swap', level: s, a: live[x]!, b: live[y]! });
    space.keepFixed[s]!.forEach((k, ds) => {
      if (k === null) out.push({ kind: 'keep', level: s, ds });
    });
  });
  return out;
}

export function neighbours(space: MapSpace, p: Point, kind: Neighbourhood = 'full'): Point[] {
  return moves(space, p, kind).map((m) => applyMove(p, m));
}
