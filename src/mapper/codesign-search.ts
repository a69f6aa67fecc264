/**
 * Our mapping search (DESIGN §3, steps 1-3) over all layers of a task at once:
 * starts (the default mapping and random valid points, each with a canonical stationary loop order or a random one)
 * -> relaxed Adam on log tiling factors -> legalization -> parallel best-improvement local search on the best
 * legal points of each layer -> perturbation rounds (iterated local search) while they still pay off.
 */
import { defaultPoint } from '../mapping/default.js';
import { clonePoint, type MapSpace, type Point } from '../mapping/mapspace.js';
import { randomValidPoint, rng, shuffle } from '../mapping/random.js';
import type { Dim } from '../workload/layer.js';
import { legalize } from './legalize.js';
import { localSearch, ScoreCache, scoreCached, type Walker } from './local.js';
import { applyMove, moves } from './neighbours.js';
import { DEFAULT_RELAX, relax, type Start } from './relax.js';
import { fits } from '../mapping/mapspace.js';
import type { ParetoArchive } from './archive.js';
import { sharedExactPool } from '../parallel/pool.js';
import { Incumbents, Scorer, type SearchOptions, type SearchResult, type SearchTask } from './task.js';

export interface CodesignSearchOptions extends SearchOptions {
  /** random starts per layer for the relaxation */
  startsPerLayer?: number;
  /** legal points per layer that enter local search */
  walkersPerLayer?: number;
  /** perturbation rounds without any improvement before stopping early */
  patience?: number;
  relaxSteps?: number;
  /** fresh random starts per layer added to each perturbation round */
  restartsPerRound?: number;
  /** offer every scored point to these per-layer (cycles, energy) archives */
  archives?: ParetoArchive[];
}

/** Loop orders that make one dataspace stationary: the dims it does not depend on go innermost. */
const STATIONARY: Dim[][] = [
  ['N', 'P', 'Q', 'C', 'K', 'R', 'S'], // weight stationary
  ['C', 'R', 'S', 'K', 'N', 'P', 'Q'], // output stationary
  ['K', 'R', 'S', 'C', 'N', 'P', 'Q'], // input stationary
];

function withOrder(space: MapSpace, p: Point, style: number, r: () => number): Point {
  const q = clonePoint(p);
  q.perm = space.permPrefix.map((pre, s) => {
    const free = [...space.permFree[s]!];
    const order = style < STATIONARY.length ? STATIONARY[style]!.filter((d) => free.includes(d)) : shuffle(r, free);
    return [...pre, ...order];
  });
  return q;
}

export async function codesignSearch(task: SearchTask, opts: CodesignSearchOptions): Promise<SearchResult> {
  const r = rng(opts.seed);
  const inc = new Incumbents(task, opts);
  const scorer = new Scorer(task, opts.pool === undefined ? await sharedExactPool() : opts.pool);
  if (opts.archives) scorer.archives = opts.archives;
  const cache = new ScoreCache(task.layers.length);
  const startsPerLayer = opts.startsPerLayer ?? 24;
  const walkersPerLayer = opts.walkersPerLayer ?? 8;

  // 1. starts
  const starts: Start[] = [];
  task.layers.forEach((lt, layer) => {
    const base = defaultPoint(lt.space);
    for (let style = 0; style < 4; style++) starts.push({ layer, point: withOrder(lt.space, base, style, r) });
    for (let i = 0; i < startsPerLayer; i++) {
      const p = randomValidPoint(lt.space, r, 200) ?? base;
      starts.push({ layer, point: withOrder(lt.space, p, i % 4, r) });
    }
  });
  const startScores = await scoreCached(scorer, cache, starts);
  starts.forEach((s, i) => inc.offer(s.layer, s.point, startScores[i]!));
  inc.mark();

  // 2. relax (at most a third of the budget) and 3. legalize
  const relaxDeadline = inc.elapsed() + opts.timeLimit / 3;
  const relaxed = await relax(task, starts, {
    ...DEFAULT_RELAX,
    steps: opts.relaxSteps ?? DEFAULT_RELAX.steps,
    shouldStop: () => inc.elapsed() > relaxDeadline,
  });
  const legal = relaxed.map((s) => ({ layer: s.layer, point: legalize(task.layers[s.layer]!.space, s) }));
  const legalScores = await scoreCached(scorer, cache, legal);
  legal.forEach((l, i) => inc.offer(l.layer, l.point, legalScores[i]!));
  inc.mark();

  // 4. local search from the best distinct points of each layer (legalized and initial alike)
  const pool: Walker[] = [
    ...legal.map((l, i) => ({ ...l, scored: legalScores[i]! })),
    ...starts.map((s, i) => ({ layer: s.layer, point: s.point, scored: startScores[i]! })),
  ].filter((w) => Number.isFinite(w.scored.score));
  const walkers = task.layers.flatMap((_, layer) =>
    pool
      .filter((w) => w.layer === layer)
      .sort((a, b) => a.scored.score - b.scored.score)
      .filter((w, i, arr) => i === 0 || w.scored.score !== arr[i - 1]!.scored.score)
      .slice(0, walkersPerLayer),
  );
  let optima = await localSearch(task, scorer, cache, inc, walkers);

  // 5. iterated local search: kick each layer's best few optima with random moves, descend again
  // a layer whose best has not moved for `patience` rounds is left alone, so the time goes to the layers that still
  // improve; the search ends when every layer has settled
  const patience = opts.patience ?? 6;
  const idle = task.layers.map(() => 0);
  while (inc.timeLeft() > 0 && idle.some((n) => n < patience)) {
    const before = inc.best.map((b) => b?.scored.score ?? Infinity);
    const kicked: Walker[] = [];
    task.layers.forEach((lt, layer) => {
      if (idle[layer]! >= patience) return;
      const mine = optima
        .filter((w) => w.layer === layer)
        .sort((a, b) => a.scored.score - b.scored.score)
        .slice(0, walkersPerLayer);
      for (const w of mine) {
        for (let k = 0; k < 2; k++) {
          let p = w.point;
          for (let step = 0; step < 3; step++) {
            const ms = moves(lt.space, p);
            if (ms.length === 0) break; // a layer with nothing to move (every dim 1, or everything pinned)
            const next = applyMove(p, ms[Math.floor(r() * ms.length)]!);
            if (fits(lt.space, next, false).ok) p = next;
          }
          kicked.push({ layer, point: p, scored: w.scored });
        }
      }
    });
    // and a few fresh random starts per layer, for basins no kick reaches
    task.layers.forEach((lt, layer) => {
      if (idle[layer]! >= patience) return;
      for (let i = 0; i < (opts.restartsPerRound ?? 8); i++) {
        const p = randomValidPoint(lt.space, r, 100);
        if (p)
          kicked.push({
            layer,
            point: withOrder(lt.space, p, Math.floor(r() * 4), r),
            scored: { score: Infinity, cycles: Infinity, energy: Infinity },
          });
      }
    });
    const ks = await scoreCached(scorer, cache, kicked);
    kicked.forEach((k, i) => (k.scored = ks[i]!));
    optima = [
      ...optima,
      ...(await localSearch(
        task,
        scorer,
        cache,
        inc,
        kicked.filter((k) => Number.isFinite(k.scored.score)),
      )),
    ];
    inc.best.forEach((b, i) => (idle[i] = (b?.scored.score ?? Infinity) < before[i]! * (1 - 1e-6) ? 0 : idle[i]! + 1));
  }
  return inc.result('codesign', scorer.evaluations);
}
