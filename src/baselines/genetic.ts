/**
 * Baseline: a genetic algorithm over mapping genes in the style of GAMMA (Kao & Krishna, ICCAD 2020). A gene is a
 * map-space point: where each prime factor of each dim sits (tiling and parallelism), the loop order of each level,
 * the free keep bits. Each layer has its own population; every generation, the children of all layers are scored in
 * one batched Scorer call.
 *
 * - selection: tournaments (default size 3) on the sorted population
 * - crossover: per dim, the child takes that dim's whole prime placement from one parent; per level, the loop order
 *   and the keep bits from one parent (so children always hold every prime exactly once)
 * - mutation: move a prime to another allowed slot (tiling), move a prime into or out of a spatial slot
 *   (parallelism), swap two non-unit loops (order), flip a free keep bit, re-sample one dim's placement
 * - repair: a child that does not fit has random primes moved outward (to a temporal slot of a higher level, which
 *   only shrinks tiles and spatial use) a few times; if it still does not fit it is dropped
 * - elitism: the best `elite` fraction survives unchanged (and is not re-evaluated); children that duplicate a
 *   member of the population are mutated again instead of being evaluated twice
 */
import { freePrimesAt, movePrime } from '../mapping/default.js';
import { clonePoint, DIM_IDX, fits, pointKey, type MapSpace, type Point } from '../mapping/mapspace.js';
import { pick, rng } from '../mapping/random.js';
import type { Dim } from '../workload/layer.js';
import { assertBounded, evaluationsLeft, interleave, perLayerSize, randomValidPoints, type BaselineOptions } from './random-search.js';
import { Incumbents, Scorer, type SearchResult, type SearchTask } from '../mapper/task.js';

export interface GeneticOptions extends BaselineOptions {
  /** individuals per layer (default: enough for about 100 generations in the budget, between 32 and 200) */
  population?: number;
  /** fraction of each population kept unchanged (default 0.1) */
  elite?: number;
  /** probability that a child is a crossover of two parents rather than a copy of one (default 0.8) */
  crossover?: number;
  /** probability of each further mutation after the first one (default 0.3) */
  extraMutation?: number;
  /** tournament size (default 3) */
  tournament?: number;
}

interface Individual {
  point: Point;
  score: number;
  key: string;
}

/** Every free prime of the point, with multiplicity: (dim, slot, prime). */
function primeSites(space: MapSpace, p: Point, where: (slot: number) => boolean = () => true): { d: Dim; i: number; q: number }[] {
  const out: { d: Dim; i: number; q: number }[] = [];
  for (const d of space.dims) {
    if (space.primes[d].length === 0) continue;
    for (let i = 0; i < space.slots.length; i++) if (where(i)) for (const q of freePrimesAt(space, p, d, i)) out.push({ d, i, q });
  }
  return out;
}

const slotCache = new WeakMap<MapSpace, Record<Dim, number[]>>();

/** The slots each dim may take free primes in (cached per space). */
function allowedOf(space: MapSpace, d: Dim): number[] {
  let c = slotCache.get(space);
  if (!c) {
    c = Object.fromEntries(space.dims.map((x) => [x, space.allowed[x].flatMap((ok, i) => (ok ? [i] : []))])) as Record<Dim, number[]>;
    slotCache.set(space, c);
  }
  return c[d] ?? [];
}

function allowedSlots(space: MapSpace, d: Dim, where: (slot: number) => boolean = () => true): number[] {
  return allowedOf(space, d).filter(where);
}

/** Move one random prime from a slot satisfying `from` to another allowed slot satisfying `to`; false if none. */
function movePrimeRandom(space: MapSpace, p: Point, r: () => number, from: (i: number) => boolean, to: (i: number) => boolean): boolean {
  const sites = primeSites(space, p, from);
  // draw sites until one has somewhere to go (cheaper than filtering them all first)
  while (sites.length > 0) {
    const k = Math.floor(r() * sites.length);
    const s = sites[k]!;
    const targets = allowedSlots(space, s.d, (j) => j !== s.i && to(j));
    if (targets.length > 0) {
      movePrime(p, s.d, s.q, s.i, pick(r, targets));
      return true;
    }
    sites[k] = sites[sites.length - 1]!;
    sites.pop();
  }
  return false;
}

const isSpatial = (space: MapSpace) => (i: number) => space.slots[i]!.kind !== 'T';

export function mutateTiling(space: MapSpace, p: Point, r: () => number): boolean {
  return movePrimeRandom(
    space,
    p,
    r,
    () => true,
    () => true,
  );
}

export function mutateParallelism(space: MapSpace, p: Point, r: () => number): boolean {
  const sp = isSpatial(space);
  if (r() < 0.5) return movePrimeRandom(space, p, r, (i) => !sp(i), sp) || movePrimeRandom(space, p, r, sp, () => true);
  return movePrimeRandom(space, p, r, sp, () => true) || movePrimeRandom(space, p, r, (i) => !sp(i), sp);
}

/** Positions of a level's order that matter: past the constrained prefix and with a non-unit temporal factor. */
function livePositions(space: MapSpace, p: Point, level: number): number[] {
  const ti = space.slots.findIndex((s) => s.level === level && s.kind === 'T');
  const pre = space.permPrefix[level]!.length;
  return p.perm[level]!.flatMap((d, k) => (k >= pre && p.f[ti]![DIM_IDX[d]]! > 1 ? [k] : []));
}

export function mutateOrder(space: MapSpace, p: Point, r: () => number): boolean {
  const levels = space.arch.levels.map((_, s) => ({ s, live: livePositions(space, p, s) })).filter((x) => x.live.length >= 2);
  if (levels.length === 0) return false;
  const { s, live } = pick(r, levels);
  const a = Math.floor(r() * live.length);
  let b = Math.floor(r() * (live.length - 1));
  if (b >= a) b++;
  const perm = p.perm[s]!;
  [perm[live[a]!], perm[live[b]!]] = [perm[live[b]!]!, perm[live[a]!]!];
  return true;
}

export function mutateKeep(space: MapSpace, p: Point, r: () => number): boolean {
  const bits = space.keepFixed.flatMap((row, s) => row.flatMap((k, ds) => (k === null ? [{ s, ds }] : [])));
  if (bits.length === 0) return false;
  const { s, ds } = pick(r, bits);
  p.keep[s]![ds] = !p.keep[s]![ds];
  return true;
}

function mutateResample(space: MapSpace, p: Point, r: () => number): boolean {
  const dims = space.dims.filter((d) => space.primes[d].length > 0 && allowedOf(space, d).length > 1);
  if (dims.length === 0) return false;
  const d = pick(r, dims);
  const j = DIM_IDX[d];
  space.slots.forEach((_, i) => (p.f[i]![j] = space.fixed[d][i]!));
  const slots = allowedOf(space, d);
  for (const q of space.primes[d]) p.f[pick(r, slots)]![j]! *= q;
  return true;
}

const MUTATIONS: { w: number; f: (space: MapSpace, p: Point, r: () => number) => boolean }[] = [
  { w: 0.4, f: mutateTiling },
  { w: 0.2, f: mutateParallelism },
  { w: 0.25, f: mutateOrder },
  { w: 0.05, f: mutateKeep },
  { w: 0.1, f: mutateResample },
];

/** Apply one weighted-random mutation (falling back to the others when it does not apply); false if none applies. */
export function mutateOnce(space: MapSpace, p: Point, r: () => number): boolean {
  let x = r() * MUTATIONS.reduce((a, m) => a + m.w, 0);
  let k = 0;
  while (k < MUTATIONS.length - 1 && x >= MUTATIONS[k]!.w) x -= MUTATIONS[k++]!.w;
  for (let t = 0; t < MUTATIONS.length; t++) if (MUTATIONS[(k + t) % MUTATIONS.length]!.f(space, p, r)) return true;
  return false;
}

/** Per dim one parent's prime placement; per level one parent's loop order and keep bits. */
export function crossover(space: MapSpace, a: Point, b: Point, r: () => number): Point {
  const c = clonePoint(a);
  for (const d of space.dims) {
    if (r() < 0.5) continue;
    const j = DIM_IDX[d];
    for (let i = 0; i < space.slots.length; i++) c.f[i]![j] = b.f[i]![j]!;
  }
  for (let s = 0; s < c.perm.length; s++) {
    if (r() < 0.5) c.perm[s] = [...b.perm[s]!];
    if (r() < 0.5) c.keep[s] = [...b.keep[s]!];
  }
  return c;
}

/** Move random primes outward (to a temporal slot of a strictly higher level) until the point fits; false if not. */
export function repairOutward(space: MapSpace, p: Point, r: () => number, steps = 8): boolean {
  const T = (i: number) => space.slots[i]!.kind === 'T';
  for (let t = 0; t < steps; t++) {
    if (fits(space, p).ok) return true;
    const sites = primeSites(space, p);
    let moved = false;
    while (!moved && sites.length > 0) {
      const k = Math.floor(r() * sites.length);
      const s = sites[k]!;
      const level = space.slots[s.i]!.level;
      const to = allowedSlots(space, s.d, (j) => T(j) && space.slots[j]!.level > level);
      if (to.length > 0) {
        movePrime(p, s.d, s.q, s.i, pick(r, to));
        moved = true;
      } else {
        sites[k] = sites[sites.length - 1]!;
        sites.pop();
      }
    }
    if (!moved) return false;
  }
  return fits(space, p).ok;
}

export async function geneticSearch(task: SearchTask, opts: GeneticOptions): Promise<SearchResult> {
  assertBounded(opts);
  const scorer = new Scorer(task);
  const inc = new Incumbents(task, opts);
  const r = rng(opts.seed);
  const P = Math.max(2, opts.population ?? perLayerSize(task, opts, 100, 32, 200));
  const E = Math.max(1, Math.min(P - 1, Math.round((opts.elite ?? 0.1) * P)));
  const pc = opts.crossover ?? 0.8;
  const pm = opts.extraMutation ?? 0.3;
  const k = Math.max(1, opts.tournament ?? 3);

  /** Score per-layer candidate lists in one call (trimmed to the budget); unscored candidates are left out. */
  const evaluate = async (cands: Point[][]): Promise<Individual[][]> => {
    const items = interleave(cands.map((ps, layer) => ps.map((point) => ({ layer, point })))).slice(0, evaluationsLeft(inc, scorer, opts));
    const out: Individual[][] = task.layers.map(() => []);
    if (items.length === 0) return out;
    const scored = await scorer.score(items);
    items.forEach((it, n) => {
      inc.offer(it.layer, it.point, scored[n]!);
      if (Number.isFinite(scored[n]!.score)) out[it.layer]!.push({ point: it.point, score: scored[n]!.score, key: pointKey(it.point) });
    });
    inc.mark();
    return out;
  };

  // initial populations: random valid points
  let pops = await evaluate(task.layers.map((lt) => randomValidPoints(lt.space, r, P)));
  pops.forEach((pop) => pop.sort((a, b) => a.score - b.score));

  const tournament = (pop: Individual[]): Individual => {
    let best = Math.floor(r() * pop.length);
    for (let t = 1; t < k; t++) best = Math.min(best, Math.floor(r() * pop.length));
    return pop[best]!;
  };

  while (evaluationsLeft(inc, scorer, opts) > 0) {
    const children: Point[][] = task.layers.map((lt, l) => {
      const pop = pops[l]!;
      if (pop.length === 0) return randomValidPoints(lt.space, r, P, 20); // nothing valid found yet: keep sampling
      const space = lt.space;
      const seen = new Set(pop.map((x) => x.key));
      const out: Point[] = [];
      const want = P - Math.min(E, pop.length);
      for (let attempt = 0; out.length < want && attempt < 4 * want; attempt++) {
        const a = tournament(pop);
        const b = tournament(pop);
        const child = r() < pc && a !== b ? crossover(space, a.point, b.point, r) : clonePoint(a.point);
        // always mutate at least once, more with probability pm each
        mutateOnce(space, child, r);
        for (let m = 0; m < 5 && r() < pm; m++) mutateOnce(space, child, r);
        if (!fits(space, child).ok && !repairOutward(space, child, r)) continue;
        // a duplicate of a member or of another child is mutated again rather than evaluated twice
        let key = pointKey(child);
        for (let m = 0; m < 3 && seen.has(key); m++) {
          mutateOnce(space, child, r);
          if (!fits(space, child).ok && !repairOutward(space, child, r)) break;
          key = pointKey(child);
        }
        if (seen.has(key) || !fits(space, child).ok) continue;
        seen.add(key);
        out.push(child);
      }
      return out;
    });
    if (children.every((c) => c.length === 0)) break; // every population has collapsed onto points it cannot vary
    const scored = await evaluate(children);
    pops = pops.map((pop, l) => {
      const next = [...pop.slice(0, E), ...scored[l]!];
      // keep the population full when children were dropped or the budget trimmed them
      for (let i = E; next.length < P && i < pop.length; i++) next.push(pop[i]!);
      return next.sort((a, b) => a.score - b.score).slice(0, P);
    });
  }
  return inc.result('genetic', scorer.evaluations);
}
