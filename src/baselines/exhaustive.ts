/**
 * Baseline for small layers: enumerate the whole map space under the model and return the true optimum.
 *
 * A point is counted once per distinct mapping the model can tell apart:
 * - factors: each dim's primes distributed over its allowed slots, equal primes indistinguishable (for each distinct
 *   prime, every way to split its exponent over the slots), pinned factors in place;
 * - loop orders: per level, the constrained prefix innermost, then every order of the NON-UNIT free loops (a loop
 *   with factor 1 does nothing, so where it sits does not matter; unit loops go outside in a fixed order);
 * - every combination of the free keep bits.
 * Points that do not fit (capacity, fanout) are counted but not scored. `mapSpaceSize` counts the same points without
 * enumerating them, so a search can refuse spaces too big to enumerate.
 */
import { DIM_IDX, fits, type MapSpace, type Point } from '../mapping/mapspace.js';
import { DIMS, type Dim } from '../workload/layer.js';
import { assertBounded, evaluationsLeft, type BaselineOptions } from './random-search.js';
import { Incumbents, Scorer, type SearchResult, type SearchTask } from '../mapper/task.js';

/** Distinct primes of a dim's free factor with their exponents, e.g. 12 -> [[2, 2], [3, 1]]. */
function primePowers(primes: readonly number[]): [number, number][] {
  const m = new Map<number, number>();
  for (const q of primes) m.set(q, (m.get(q) ?? 0) + 1);
  return [...m.entries()];
}

/** Every way to split `e` indistinguishable items over `k` bins. */
function compositions(e: number, k: number): number[][] {
  if (k === 0) return e === 0 ? [[]] : [];
  if (k === 1) return [[e]];
  const out: number[][] = [];
  for (let first = e; first >= 0; first--) for (const rest of compositions(e - first, k - 1)) out.push([first, ...rest]);
  return out;
}

/** Every factor column (one factor per slot, pinned factors included) a dim can take. */
export function dimPlacements(space: MapSpace, d: Dim): number[][] {
  const slots = space.allowed[d].flatMap((ok, i) => (ok ? [i] : []));
  let cols: number[][] = [space.fixed[d].slice()];
  for (const [q, e] of primePowers(space.primes[d])) {
    const next: number[][] = [];
    for (const col of cols) {
      for (const comp of compositions(e, slots.length)) {
        const c = col.slice();
        comp.forEach((n, k) => (c[slots[k]!]! *= q ** n));
        next.push(c);
      }
    }
    cols = next;
  }
  return cols;
}

const FACT = [1, 1, 2, 6, 24, 120, 720, 5040];

/** The temporal slot of each level. */
function temporalSlots(space: MapSpace): number[] {
  return space.arch.levels.map((_, s) => space.slots.findIndex((x) => x.level === s && x.kind === 'T'));
}

function freeKeepBits(space: MapSpace): { s: number; ds: number }[] {
  return space.keepFixed.flatMap((row, s) => row.flatMap((k, ds) => (k === null ? [{ s, ds }] : [])));
}

export interface MapSpaceSize {
  /** all points (fitting or not) as enumerated: factor placements x non-unit loop orders x free keep bits */
  points: number;
  /** factor placements alone */
  factorings: number;
  /** free keep bits */
  keepBits: number;
}

/**
 * Count the map space without enumerating it. The number of loop orders depends on how many free loops of each
 * level are non-unit, so dims are combined by a small dynamic program over those per-level counts.
 */
export function mapSpaceSize(space: MapSpace): MapSpaceSize {
  const L = space.arch.levels.length;
  const ts = temporalSlots(space);
  // state: non-unit free loops per level, packed in base 8 (at most 7 per level)
  let dp = new Map<number, number>([[0, 1]]);
  let factorings = 1;
  for (const d of DIMS) {
    const cols = space.dims.includes(d) ? dimPlacements(space, d) : [space.fixed[d].slice()];
    factorings *= cols.length;
    const byMask = new Map<number, number>();
    for (const col of cols) {
      let add = 0;
      for (let s = 0; s < L; s++) if (col[ts[s]!]! > 1 && !space.permPrefix[s]!.includes(d)) add += 8 ** s;
      byMask.set(add, (byMask.get(add) ?? 0) + 1);
    }
    const next = new Map<number, number>();
    for (const [state, n] of dp) for (const [add, m] of byMask) next.set(state + add, (next.get(state + add) ?? 0) + n * m);
    dp = next;
  }
  let orders = 0;
  for (const [state, n] of dp) {
    let w = n;
    for (let s = 0; s < L; s++) w *= FACT[Math.floor(state / 8 ** s) % 8]!;
    orders += w;
  }
  const keepBits = freeKeepBits(space).length;
  return { points: orders * 2 ** keepBits, factorings, keepBits };
}

function permutations<T>(xs: readonly T[]): T[][] {
  if (xs.length <= 1) return [[...xs]];
  const out: T[][] = [];
  xs.forEach((x, i) => {
    for (const rest of permutations([...xs.slice(0, i), ...xs.slice(i + 1)])) out.push([x, ...rest]);
  });
  return out;
}

export interface EnumerationCounts {
  /** points enumerated, fitting or not (equals mapSpaceSize(space).points once complete) */
  enumerated: number;
  /** points that fit (each one is yielded and scored) */
  valid: number;
}

/**
 * Every fitting point of the space (as defined above), in a fixed order. `counts` is updated as the generator runs;
 * points that do not fit are counted in bulk (their loop orders are never built).
 */
export function* enumerateSpace(space: MapSpace, counts: EnumerationCounts = { enumerated: 0, valid: 0 }): Generator<Point> {
  const L = space.arch.levels.length;
  const ts = temporalSlots(space);
  const nSlots = space.slots.length;
  const cols = DIMS.map((d) => (space.dims.includes(d) ? dimPlacements(space, d) : [space.fixed[d].slice()]));
  const bits = freeKeepBits(space);
  const baseKeep = space.keepFixed.map((row) => row.map((k) => k ?? false));
  const idx = DIMS.map(() => 0);
  for (;;) {
    const f = Array.from({ length: nSlots }, (_, i) => DIMS.map((_, j) => cols[j]![idx[j]!]![i]!));
    // loop orders per level: prefix, then each order of the non-unit free loops, then the unit ones
    const orders = space.arch.levels.map((_, s) => {
      const free = space.permFree[s]!;
      const live = free.filter((d) => f[ts[s]!]![DIM_IDX[d]]! > 1);
      const unit = free.filter((d) => f[ts[s]!]![DIM_IDX[d]]! === 1);
      return permutations(live).map((o) => [...space.permPrefix[s]!, ...o, ...unit]);
    });
    const nOrders = orders.reduce((a, o) => a * o.length, 1);
    for (let mask = 0; mask < 2 ** bits.length; mask++) {
      const keep = baseKeep.map((row) => [...row]);
      bits.forEach((b, k) => (keep[b.s]![b.ds] = ((mask >> k) & 1) === 1));
      const probe: Point = { f, perm: orders.map((o) => o[0]!), keep };
      counts.enumerated += nOrders;
      if (!fits(space, probe).ok) continue;
      counts.valid += nOrders;
      const oi = orders.map(() => 0);
      for (;;) {
        yield { f: f.map((row) => [...row]), perm: orders.map((o, s) => [...o[oi[s]!]!]), keep: keep.map((row) => [...row]) };
        let s = 0;
        while (s < L && ++oi[s]! === orders[s]!.length) oi[s++] = 0;
        if (s === L) break;
      }
    }
    // next factor placement (odometer over dims)
    let j = 0;
    while (j < DIMS.length && ++idx[j]! === cols[j]!.length) idx[j++] = 0;
    if (j === DIMS.length) return;
  }
}

export interface ExhaustiveOptions extends BaselineOptions {
  /** refuse layers whose map space has more points than this (default 5e6) */
  limit?: number;
  /** points per Scorer call (default 8192) */
  batch?: number;
}

export interface ExhaustiveResult extends SearchResult {
  /** per layer: points enumerated and points that fit (all of them scored) */
  counts: EnumerationCounts[];
  /** per layer: mapSpaceSize's count */
  sizes: number[];
  /** every layer was enumerated to the end (false when the deadline or maxEvaluations stopped it) */
  complete: boolean;
}

/**
 * The optimum of every layer by enumeration. Throws (before any work) if a layer's space exceeds `limit` points.
 * Stops early at the deadline or maxEvaluations, with `complete: false`.
 */
export async function exhaustiveSearch(task: SearchTask, opts: ExhaustiveOptions): Promise<ExhaustiveResult> {
  const limit = opts.limit ?? 5e6;
  const sizes = task.layers.map((lt) => mapSpaceSize(lt.space).points);
  sizes.forEach((n, l) => {
    if (n > limit) {
      const p = task.layers[l]!.problem;
      throw new Error(
        `exhaustive search: the map space of layer ${p.name} (${DIMS.map((d) => `${d}=${p.dims[d]}`).join(' ')}) on ${task.arch.name} has ${n.toExponential(2)} points, over the limit of ${limit.toExponential(2)}; use a smaller layer or another search`,
      );
    }
  });
  if (opts.maxEvaluations === undefined && !Number.isFinite(opts.timeLimit)) opts = { ...opts, maxEvaluations: Infinity };
  assertBounded(opts);
  const scorer = new Scorer(task);
  const inc = new Incumbents(task, opts);
  const batch = Math.max(1, opts.batch ?? 8192);
  const counts = task.layers.map(() => ({ enumerated: 0, valid: 0 }));
  let complete = true;
  let items: { layer: number; point: Point }[] = [];
  const flush = async () => {
    const scored = await scorer.score(items);
    items.forEach((it, k) => inc.offer(it.layer, it.point, scored[k]!));
    items = [];
    inc.mark();
  };
  outer: for (let l = 0; l < task.layers.length; l++) {
    for (const point of enumerateSpace(task.layers[l]!.space, counts[l])) {
      if (items.length >= Math.min(batch, evaluationsLeft(inc, scorer, opts))) {
        if (items.length > 0) await flush();
        if (evaluationsLeft(inc, scorer, opts) <= 0) {
          complete = false;
          break outer;
        }
      }
      items.push({ layer: l, point });
    }
  }
  if (items.length > 0) await flush();
  return { ...inc.result('exhaustive', scorer.evaluations), counts, sizes, complete };
}
