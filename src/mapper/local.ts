/**
 * Step 3 of the search (DESIGN §3.3): parallel best-improvement local search. Every round, all neighbours of every
 * live candidate (of every layer) are scored in one batched exact evaluation; each candidate takes its best improving
 * move; a candidate with none is done.
 */
import { fits, pointHash, samePoint, type Point } from '../mapping/mapspace.js';
import { neighbours, type Neighbourhood } from './neighbours.js';
import type { Incumbents, Scored, Scorer, SearchTask } from './task.js';

export interface Walker {
  layer: number;
  point: Point;
  scored: Scored;
}

/**
 * Scores seen so far per layer, so that revisited points cost nothing. Keyed by `pointHash`; points whose hashes
 * collide are told apart by `samePoint`, so no point is scored twice and none gets another's score.
 */
export class ScoreCache {
  private readonly maps: Map<number, { point: Point; scored: Scored }[]>[];
  constructor(layers: number) {
    this.maps = Array.from({ length: layers }, () => new Map());
  }
  get(layer: number, point: Point, hash = pointHash(point)): Scored | undefined {
    const list = this.maps[layer]!.get(hash);
    if (list) for (const e of list) if (samePoint(e.point, point)) return e.scored;
    return undefined;
  }
  set(layer: number, point: Point, s: Scored, hash = pointHash(point)): void {
    const m = this.maps[layer]!;
    const list = m.get(hash);
    if (!list) m.set(hash, [{ point, scored: s }]);
    else if (!list.some((e) => samePoint(e.point, point))) list.push({ point, scored: s });
  }
}

/** Score points through the cache; only unseen points that fit reach the model (each distinct point once). */
export async function scoreCached(scorer: Scorer, cache: ScoreCache, items: { layer: number; point: Point }[], fitted = false): Promise<Scored[]> {
  const n = items.length;
  const hashes = new Array<number>(n);
  const out = new Array<Scored | undefined>(n);
  const todo: number[] = [];
  // the first item of each distinct unseen point, per layer and hash
  const firstOf = new Map<number, number[]>();
  for (let i = 0; i < n; i++) {
    const it = items[i]!;
    const h = (hashes[i] = pointHash(it.point));
    out[i] = cache.get(it.layer, it.point, h);
    if (out[i]) continue;
    const k = h * 4096 + (it.layer % 4096);
    const firsts = firstOf.get(k);
    if (!firsts) firstOf.set(k, [i]);
    else if (firsts.some((j) => items[j]!.layer === it.layer && samePoint(items[j]!.point, it.point))) continue;
    else firsts.push(i);
    todo.push(i);
  }
  const batch = new Array<{ layer: number; point: Point }>(todo.length);
  for (let j = 0; j < todo.length; j++) batch[j] = items[todo[j]!]!;
  const scored = await scorer.score(batch, fitted);
  for (let j = 0; j < todo.length; j++) {
    const i = todo[j]!;
    cache.set(items[i]!.layer, items[i]!.point, scored[j]!, hashes[i]);
    out[i] = scored[j]!;
  }
  for (let i = 0; i < n; i++) out[i] ??= cache.get(items[i]!.layer, items[i]!.point, hashes[i])!;
  return out as Scored[];
}

/** Runs until every walker sits at a local optimum (or time is up); returns the walkers where they stopped. */
export async function localSearch(
  task: SearchTask,
  scorer: Scorer,
  cache: ScoreCache,
  inc: Incumbents,
  walkers: Walker[],
  opts: { maxRounds?: number; neighbourhood?: Neighbourhood } = {},
): Promise<Walker[]> {
  let live = dedupe(walkers);
  const optima: Walker[] = [];
  for (let round = 0; live.length > 0 && inc.timeLeft() > 0 && round < (opts.maxRounds ?? Infinity); round++) {
    const items: { layer: number; point: Point; owner: number }[] = [];
    live.forEach((w, owner) => {
      const space = task.layers[w.layer]!.space;
      for (const n of neighbours(space, w.point, opts.neighbourhood)) if (fits(space, n, false).ok) items.push({ layer: w.layer, point: n, owner });
    });
    // every neighbour was checked with `fits` above
    const scored = await scoreCached(scorer, cache, items, true);
    const bestOf: (number | null)[] = live.map(() => null);
    items.forEach((it, i) => {
      const b = bestOf[it.owner];
      if (scored[i]!.score < live[it.owner]!.scored.score * (1 - 1e-9) && (b === null || scored[i]!.score < scored[b]!.score)) bestOf[it.owner] = i;
    });
    const next: Walker[] = [];
    live.forEach((w, owner) => {
      const b = bestOf[owner];
      if (b === null) {
        optima.push(w);
        return;
      }
      const moved = { layer: w.layer, point: items[b]!.point, scored: scored[b]! };
      inc.offer(moved.layer, moved.point, moved.scored);
      next.push(moved);
    });
    inc.mark();
    // walkers that meet continue as one
    live = dedupe(next);
  }
  return [...optima, ...live];
}

function dedupe(ws: Walker[]): Walker[] {
  const seen = new Map<number, Walker[]>();
  return ws.filter((w) => {
    const k = pointHash(w.point) * 4096 + (w.layer % 4096);
    const list = seen.get(k);
    if (list?.some((v) => v.layer === w.layer && samePoint(v.point, w.point))) return false;
    if (list) list.push(w);
    else seen.set(k, [w]);
    return true;
  });
}
