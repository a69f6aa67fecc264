/**
 * Baseline: uniform random search over the valid map space (like Timeloop's random mapper). Every free prime goes to
 * a random allowed slot, loop orders and free keep bits are random; points that do not fit are rejected before they
 * reach the model. All layers are sampled together and scored in one batched call per round.
 *
 * Also the bits the baselines share: the options (a wall-clock budget and an optional evaluation budget, so that
 * tests can run a fixed amount of work deterministically), the budget arithmetic, and a valid starting population.
 */
import { fits, outermostPoint, type MapSpace, type Point } from '../mapping/mapspace.js';
import { randomValidPoint, rng } from '../mapping/random.js';
import { Incumbents, Scorer, type SearchOptions, type SearchResult, type SearchTask } from '../mapper/task.js';

/** The options every baseline takes: SearchOptions plus an evaluation budget (counted by the Scorer). */
export type BaselineOptions = SearchOptions & {
  /** stop once the Scorer has evaluated this many (fitting) points; the last batch is trimmed to hit it exactly */
  maxEvaluations?: number;
};

/** Refuse options that would never stop: at least one of a finite time limit and an evaluation budget. */
export function assertBounded(opts: BaselineOptions): void {
  if (!Number.isFinite(opts.timeLimit) && opts.maxEvaluations === undefined) throw new Error('a search needs a finite time limit or maxEvaluations');
  if (opts.maxEvaluations !== undefined && !(opts.maxEvaluations >= 0))
    throw new Error(`maxEvaluations must be a non-negative number, got ${opts.maxEvaluations}`);
}

/** How many more points may be evaluated now: 0 once the deadline or the evaluation budget is reached. */
export function evaluationsLeft(inc: Incumbents, scorer: Scorer, opts: BaselineOptions): number {
  if (inc.timeLeft() <= 0) return 0;
  const max = opts.maxEvaluations ?? Infinity;
  return Math.max(0, max - scorer.evaluations);
}

/**
 * The fraction of the budget used: the larger of the elapsed share of the time limit and the used share of the
 * evaluation budget (only the latter when the time limit is infinite, so schedules stay deterministic).
 */
export function budgetFraction(inc: Incumbents, scorer: Scorer, opts: BaselineOptions): number {
  const byTime = Number.isFinite(opts.timeLimit) ? inc.elapsed() / opts.timeLimit : 0;
  const byEvals = opts.maxEvaluations !== undefined ? scorer.evaluations / opts.maxEvaluations : 0;
  return Math.min(1, Math.max(byTime, byEvals));
}

/** An assumed model throughput, only used to size populations and chains from a time budget. */
export const ASSUMED_EVALUATIONS_PER_SECOND = 10_000;

/**
 * Points per layer for `rounds` rounds (generations, annealing steps) in the budget: maxEvaluations when given, else
 * the time limit at the assumed throughput; clamped to [lo, hi].
 */
export function perLayerSize(task: SearchTask, opts: BaselineOptions, rounds: number, lo: number, hi: number): number {
  const budget = opts.maxEvaluations ?? opts.timeLimit * ASSUMED_EVALUATIONS_PER_SECOND;
  const n = Math.round(budget / (Math.max(1, task.layers.length) * rounds));
  return Math.min(hi, Math.max(lo, Number.isFinite(n) ? n : hi));
}

/**
 * Interleave per-layer lists round-robin (layer 0's first, layer 1's first, ..., layer 0's second, ...), so that
 * trimming the concatenation to an evaluation budget takes about as many points from every layer.
 */
export function interleave<T>(perLayer: readonly (readonly T[])[]): T[] {
  const out: T[] = [];
  const longest = Math.max(0, ...perLayer.map((xs) => xs.length));
  for (let k = 0; k < longest; k++) for (const xs of perLayer) if (k < xs.length) out.push(xs[k]!);
  return out;
}

/**
 * Up to `n` random points that fit (rejection sampling). When sampling fails (a very tight map space), the outermost
 * point stands in if it fits; if not even that fits, fewer points (maybe none) are returned.
 */
export function randomValidPoints(space: MapSpace, r: () => number, n: number, tries = 2000): Point[] {
  const out: Point[] = [];
  for (let i = 0; i < n; i++) {
    const p = randomValidPoint(space, r, tries);
    if (p) out.push(p);
    else {
      const o = outermostPoint(space);
      if (!fits(space, o).ok) break;
      out.push(o);
    }
  }
  return out;
}

export interface RandomSearchOptions extends BaselineOptions {
  /** points per Scorer call, over all layers (default 4096) */
  batch?: number;
  /** rejection-sampling attempts per point before the layer is skipped for the round (default 2000) */
  tries?: number;
}

/** Uniform random valid points for every layer until the deadline or the evaluation budget. */
export async function randomSearch(task: SearchTask, opts: RandomSearchOptions): Promise<SearchResult> {
  assertBounded(opts);
  const scorer = new Scorer(task);
  const inc = new Incumbents(task, opts);
  const r = rng(opts.seed);
  const L = task.layers.length;
  const batch = Math.max(1, opts.batch ?? 4096);
  const tries = opts.tries ?? 2000;
  let round = 0;
  for (;;) {
    const left = evaluationsLeft(inc, scorer, opts);
    if (left <= 0 || L === 0) break;
    const size = Math.min(batch, left);
    // an equal share per layer; the remainder goes to different layers in turn
    const perLayer: { layer: number; point: Point }[][] = task.layers.map(() => []);
    let sampled = 0;
    for (let k = 0; k < L; k++) {
      const l = (k + round) % L;
      const n = Math.floor(size / L) + (k < size % L ? 1 : 0);
      const space = task.layers[l]!.space;
      for (let i = 0; i < n; i++) {
        const p = randomValidPoint(space, r, tries);
        if (!p) break; // this layer's valid points are too rare for now; try again next round
        perLayer[l]!.push({ layer: l, point: p });
        sampled++;
      }
      if (inc.timeLeft() <= 0) break;
    }
    round++;
    if (sampled === 0) {
      // nothing valid found anywhere: keep trying while there is time, but never loop forever on an evaluation budget
      if (!Number.isFinite(opts.timeLimit)) break;
      inc.mark();
      continue;
    }
    const items = interleave(perLayer).slice(0, size);
    const scored = await scorer.score(items);
    items.forEach((it, k) => inc.offer(it.layer, it.point, scored[k]!));
    inc.mark();
  }
  return inc.result('random', scorer.evaluations);
}
