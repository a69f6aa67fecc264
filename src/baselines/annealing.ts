/**
 * Baseline: simulated annealing with many independent chains per layer. Each step, every chain of every layer
 * proposes one random move of the map-space neighbourhood (`moves`/`applyMove`: move a prime between slots, swap two
 * non-unit loops, flip a free keep bit); proposals that do not fit are redrawn a few times, and all proposals are
 * scored in one batched Scorer call. Acceptance is Metropolis on log(score) (so the temperature is a relative
 * tolerance, the same for every layer and objective) with a geometric schedule from `t0` to `t1` over the budget
 * (the time limit, or maxEvaluations when given). A chain that has not improved on its own best for `stall` steps
 * restarts from its layer's best point.
 */
import { clonePoint, fits, type Point } from '../mapping/mapspace.js';
import { pick, rng } from '../mapping/random.js';
import { applyMove, moves } from '../mapper/neighbours.js';
import {
  assertBounded,
  budgetFraction,
  evaluationsLeft,
  interleave,
  perLayerSize,
  randomValidPoints,
  type BaselineOptions,
} from './random-search.js';
import { Incumbents, Scorer, type SearchResult, type SearchTask } from '../mapper/task.js';

export interface AnnealingOptions extends BaselineOptions {
  /** chains per layer (default: enough for about 300 steps in the budget, between 16 and 256) */
  chains?: number;
  /** starting and final temperature on log(score) (defaults 0.3 and 0.003) */
  t0?: number;
  t1?: number;
  /** steps without improving a chain's best before it restarts from its layer's best (default 100) */
  stall?: number;
  /** redraws of a proposal that does not fit (default 4) */
  redraws?: number;
}

interface Chain {
  point: Point;
  score: number;
  best: number;
  idle: number;
}

export async function simulatedAnnealing(task: SearchTask, opts: AnnealingOptions): Promise<SearchResult> {
  assertBounded(opts);
  const scorer = new Scorer(task);
  const inc = new Incumbents(task, opts);
  const r = rng(opts.seed);
  const C = Math.max(1, opts.chains ?? perLayerSize(task, opts, 300, 16, 256));
  const t0 = opts.t0 ?? 0.3;
  const t1 = opts.t1 ?? 0.003;
  const stall = opts.stall ?? 100;
  const redraws = Math.max(1, opts.redraws ?? 4);

  /** Score (layer, chain, point) proposals in one call, trimmed to the budget; returns the scored ones. */
  const evaluate = async (props: { layer: number; chain: number; point: Point }[][]) => {
    const items = interleave(props).slice(0, evaluationsLeft(inc, scorer, opts));
    if (items.length === 0) return [];
    const scored = await scorer.score(items);
    items.forEach((it, n) => inc.offer(it.layer, it.point, scored[n]!));
    inc.mark();
    return items.map((it, n) => ({ ...it, score: scored[n]!.score }));
  };

  // start every chain at a random valid point
  const chains: Chain[][] = task.layers.map(() => []);
  const starts = await evaluate(task.layers.map((lt, layer) => randomValidPoints(lt.space, r, C).map((point, chain) => ({ layer, chain, point }))));
  for (const s of starts) if (Number.isFinite(s.score)) chains[s.layer]!.push({ point: s.point, score: s.score, best: s.score, idle: 0 });

  while (evaluationsLeft(inc, scorer, opts) > 0 && chains.some((cs) => cs.length > 0)) {
    const T = t0 * Math.pow(t1 / t0, budgetFraction(inc, scorer, opts));
    const props = chains.map((cs, layer) => {
      const space = task.layers[layer]!.space;
      const out: { layer: number; chain: number; point: Point }[] = [];
      cs.forEach((c, chain) => {
        const ms = moves(space, c.point);
        if (ms.length === 0) return;
        for (let t = 0; t < redraws; t++) {
          const q = applyMove(c.point, pick(r, ms));
          if (fits(space, q).ok) {
            out.push({ layer, chain, point: q });
            return;
          }
        }
      });
      return out;
    });
    if (props.every((p) => p.length === 0)) break; // no chain can move anywhere that fits
    const results = await evaluate(props);
    const moved = chains.map((cs) => cs.map(() => false));
    for (const res of results) {
      const c = chains[res.layer]![res.chain]!;
      moved[res.layer]![res.chain] = true;
      const delta = Math.log(res.score) - Math.log(c.score);
      if (delta <= 0 || r() < Math.exp(-delta / T)) {
        c.point = res.point;
        c.score = res.score;
      }
      if (res.score < c.best) {
        c.best = res.score;
        c.idle = 0;
      } else c.idle++;
    }
    // chains whose proposals were all rejected as not fitting also age; stalled chains restart from the layer's best
    chains.forEach((cs, layer) =>
      cs.forEach((c, chain) => {
        if (!moved[layer]![chain]) c.idle++;
        const best = inc.best[layer];
        if (c.idle >= stall && best) {
          c.point = clonePoint(best.point);
          c.score = best.scored.score;
          c.best = Math.min(c.best, c.score);
          c.idle = 0;
        }
      }),
    );
  }
  return inc.result('annealing', scorer.evaluations);
}
