/**
 * `random`: random hardware points of the template (each variable log-uniform in its range, legalized), each scored
 * with our mapping search (the evaluator's warm-started batched local search), the best one polished at the end. This
 * is how most Timeloop users sweep hardware by hand.
 */
import { dedupeValues, randomValues, type CoOptOptions, type CoOptPoint } from '../coopt/coopt.js';
import { hardwareKey, type HardwareEvaluator } from '../coopt/hardware-eval.js';
import { originalValues } from '../hardware/template.js';
import { rng } from '../mapping/random.js';
import { considerCache, finish, startRun } from './coopt-common.js';

export interface RandomCoOptOptions extends CoOptOptions {
  /** hardware points per batch (default 8) */
  batch?: number;
  /** stop after this many hardware points (default: until the time is up) */
  samples?: number;
}

export async function randomCoOpt(ev: HardwareEvaluator, opts: RandomCoOptOptions): Promise<CoOptPoint> {
  const run = startRun(opts);
  const r = rng(opts.seed);
  if (!ev.primed) await ev.prime(opts.seed, opts.timeLimit / 3);
  considerCache(ev, run, opts);
  const batch = opts.batch ?? 8;
  let visited = 0;
  let first = true;
  // the final mapping search on the winner gets up to a quarter of the budget, as in our method
  while (visited < (opts.samples ?? Infinity) && run.left() > opts.timeLimit / 4) {
    const n = Math.min(batch, (opts.samples ?? Infinity) - visited);
    const proposals = dedupeValues([
      ...(first ? [originalValues(ev.template)] : []),
      ...Array.from({ length: n }, () => randomValues(ev.template, r)),
    ])
      .filter((v) => !ev.cache.has(hardwareKey(v)))
      .slice(0, n);
    first = false;
    if (proposals.length === 0) continue;
    const hws = await ev.evaluate(proposals, () => Math.max(1, run.left()));
    visited += proposals.length;
    run.tracker.consider(hws.map((hw) => ev.judge(hw, opts.goal)));
    run.progress(`random hardware (${visited} points)`);
  }
  return finish(ev, run, opts, visited, true);
}
