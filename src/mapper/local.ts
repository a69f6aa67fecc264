/**
 * Step 3 of the search (DESIGN §3.3): parallel best-improvement local search. Every round, all neighbours of every
 * live candidate (of every layer) are scored in one batched exact evaluation; each candidate takes its best improving
 * move; a candidate with none is done.
 */
import { fits, pointKey, type Point } from '../mapping/mapspace.js';
import { neighbours, type Neighbourhood } from './neighbours.js';
import type { Incumbents, Scored, Scorer, SearchTask } from './task.js';

export interface Walker {
  layer: number;
  point: Point;
  scored: Scored;
}

/** Scores seen so far per layer, so that revisited points cost nothing. */
export class ScoreCache {
  private readonly maps: Map<string, Scored>[];
  constructor(layers: number) {
    this.maps = Array.from({ length: layers }, () => new Map());
  }
  get(layer: number, key: string): Scored | undefined {
    return this.maps[layer]!.get(key);
  }
  set(layer: number, key: string, s: Scored): void {
    this.maps[layer]!.set(key, s);
  }
}

/** Score points through the cache; only unseen points that fit reach the model. */
export async function scoreCached(scorer: Scorer, cache: ScoreCache, items: { layer: number; point: Point }[], fitted = false): Promise<Scored[]> {
  const keys = items.map((it) => pointKey(it.point));
  const out: (Scored | undefined)[] = items.map((it, i) => cache.get(it.layer, keys[i]!));
  const todo: number[] = [];
  const firstOf = new Map<string, number>();
  items.forEach((it, i) => {
    if (out[i]) return;
    const k = `${it.layer}/${keys[i]}`;
    if (!firstOf.has(k)) {
      firstOf.set(k, i);
      todo.push(i);
    }
  });
  const scored = await scorer.score(
    todo.map((i) => items[i]!),
    fitted,
  );
  todo.forEach((i, j) => {
    cache.set(items[i]!.layer, keys[i]!, scored[j]!);
    out[i] = scored[j]!;
  });
  return items.map((it, i) => out[i] ?? cache.get(it.layer, keys[i]!)!);
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
      for (const n of neighbours(space, w.point, opts.neighbourhood)) if (fits(space, n).ok) items.push({ layer: w.layer, point: n, owner });
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
  const seen = new Set<string>();
  return ws.filter((w) => {
    const k = `${w.layer}/${pointKey(w.point)}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
