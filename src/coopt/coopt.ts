/**
 * Hardware and dataflow co-optimization under power and area budgets (DESIGN §3.4-3.5), for one budget point:
 * relaxed joint optimization with gradients through the hardware variables (several hardware starts in one batch)
 * -> legalized hardware candidates -> per-layer mapping search on each (batched, warm-started) -> hardware local search
 * (one variable one step at a time, every neighbour scored with re-optimized mappings, all neighbours batched).
 */
import { InfeasibleError } from '../errors.js';
import { legalizeValues, originalValues, reshapeMeshes, scaleMeshes, type HardwareTemplate, type HardwareVariable } from '../hardware/template.js';
import { defaultPoint } from '../mapping/default.js';
import { buildMapSpace, clonePoint, pointFromMapping } from '../mapping/mapspace.js';
import type { Mapping } from '../mapping/mapping.js';
import { rng, shuffle } from '../mapping/random.js';
import type { Dim } from '../workload/layer.js';
import type { Goal } from './goal.js';
import { hardwareKey, type BudgetedResult, type HardwareEvaluator } from './hardware-eval.js';
import { relaxJoint, type Start } from '../mapper/relax.js';
import { hardwareTerms } from './relax-hardware.js';
import type { SearchTask } from '../mapper/task.js';
import { BestTracker, better, type TracePoint } from './trace.js';

export interface CoOptOptions {
  goal: Goal;
  seed: number;
  /** seconds for this budget point */
  timeLimit: number;
  /** hardware starts of the relaxed joint optimization */
  hardwareStarts?: number;
  relaxSteps?: number;
  /** hardware local-search descents (the first from the best candidate, the others from the next best unexplored) */
  descents?: number;
  onProgress?: (fraction: number, status: string) => void;
}

export interface CoOptPoint {
  goal: Goal;
  best: BudgetedResult;
  mappings: Mapping[];
  /** hardware points scored for this budget */
  visited: number;
  seconds: number;
  /** when each improvement of the best feasible result was found (seconds since the start, priming included) */
  trace: TracePoint[];
}

export { better };

const ORDERS: Dim[][] = [
  ['N', 'P', 'Q', 'C', 'K', 'R', 'S'],
  ['C', 'R', 'S', 'K', 'N', 'P', 'Q'],
  ['K', 'R', 'S', 'C', 'N', 'P', 'Q'],
];

/** The next allowed value of a variable up (+1) or down (-1) by about `ratio`, or null at the bound. */
function stepVariable(v: HardwareVariable, x: number, dir: 1 | -1, ratio = 1.25): number | null {
  let y = v.step === 'power of two' ? x * Math.pow(2, dir * Math.max(1, Math.round(Math.log2(ratio)))) : v.legalize(x * Math.pow(ratio, dir));
  if (y === x) y = x + dir;
  y = v.legalize(Math.min(v.max, Math.max(v.min, y)));
  return y === x ? null : y;
}

export async function coOptimize(ev: HardwareEvaluator, opts: CoOptOptions): Promise<CoOptPoint> {
  const tracker = new BestTracker();
  const elapsed = () => tracker.elapsed();
  const left = () => opts.timeLimit - elapsed();
  const t = ev.template;
  const r = rng(opts.seed);
  let visited = 0;
  let best: BudgetedResult | null = null;
  const consider = (rs: BudgetedResult[]) => {
    tracker.consider(rs);
    best = tracker.best;
  };
  const progress = (phase: string) =>
    opts.onProgress?.(
      Math.min(1, elapsed() / opts.timeLimit),
      `${phase}${best && Number.isFinite(best.latency_cycles) ? `, best ${(best.latency_cycles / 1e6).toFixed(3)} Mcycles at ${best.power_mW.toFixed(1)} mW` : ''}`,
    );

  // 0. good mappings on the original hardware, to warm-start every hardware point (shared by a whole sweep)
  if (!ev.primed) {
    await ev.prime(opts.seed, opts.timeLimit / 3);
    progress('mappings on the original hardware');
  }

  // 1. relaxed joint optimization from several hardware starts (the original and random points)
  const H = opts.hardwareStarts ?? 6;
  const starts0 = [originalValues(t), ...Array.from({ length: H - 1 }, () => randomValues(t, r))];
  const relaxedValues = await relaxHardware(ev, t, starts0, opts, r);
  progress('relaxed');

  // 2. legal hardware candidates, scored with re-optimized mappings: the relaxed optima, and the original buffers
  // under PE arrays scaled from 1/16 to 4x (the array size is the main power/latency lever)
  const scaled = [1 / 16, 1 / 8, 1 / 4, 1 / 2, 1, 2, 4].map((f) => scaleMeshes(t, originalValues(t), f));
  const candidates = dedupeValues([...scaled, ...relaxedValues.map((v) => legalizeValues(t, v))].map((v) => legalizeValues(t, v)));
  const scored = await ev.evaluate(candidates, () => Math.max(1, left()));
  visited += candidates.length;
  consider(scored.map((hw) => ev.judge(hw, opts.goal)));
  // every hardware point scored so far (by this or another budget of a sweep) competes
  consider([...ev.cache.values()].map((hw) => ev.judge(hw, opts.goal)));
  progress('candidates');

  // 3. hardware local search: each variable one step up or down, all neighbours scored in one batch; when it
  // converges with time left, it restarts from the best hardware point it has not started from yet
  const startedFrom = new Set<string>();
  let cur: BudgetedResult | null = best;
  // a fixed number of descents (not a time budget) keeps the result a function of the seed; the clock only cuts
  // short a run that would overshoot, keeping a third of the budget for the final mapping search
  for (let descent = 0; descent < (opts.descents ?? 3) && cur && left() > opts.timeLimit / 3; descent++) {
    startedFrom.add(cur.hw.key);
    await hardwareDescent(cur);
    const next = [...ev.cache.values()]
      .filter((hw) => !startedFrom.has(hw.key))
      .map((hw) => ev.judge(hw, opts.goal))
      .filter((x) => x.feasible || !(best as BudgetedResult | null)?.feasible)
      .sort((a, b) => (better(a, b) ? -1 : better(b, a) ? 1 : 0))[0];
    cur = next ?? null;
  }

  async function hardwareDescent(from: BudgetedResult): Promise<void> {
    let cur = from;
    while (left() > 0) {
      // one variable one step (small and large), and the whole PE array scaled (the main power/latency lever)
      const moves: Record<string, number>[] = t.variables.flatMap((v) =>
        ([1, -1] as const).flatMap((dir) =>
          [1.1, 1.25, 2].flatMap((ratio) => {
            const y = stepVariable(v, cur.hw.values[v.name]!, dir, ratio);
            return y === null ? [] : [{ ...cur.hw.values, [v.name]: y }];
          }),
        ),
      );
      for (const f of [0.5, 0.7, 1.4, 2]) moves.push(scaleMeshes(t, cur.hw.values, f));
      // reshape the array at about the same number of PEs
      moves.push(...reshapeMeshes(t, cur.hw.values));
      const neighbours = dedupeValues(moves.map((m) => legalizeValues(t, m))).filter((vals) => hardwareKey(vals) !== cur.hw.key);
      if (neighbours.length === 0) break;
      const hs = await ev.evaluate(neighbours, () => Math.max(1, left()));
      visited += neighbours.length;
      const judged = hs.map((hw) => ev.judge(hw, opts.goal));
      consider(judged);
      progress('hardware local search');
      const step = judged.reduce<BudgetedResult | null>((a, b) => (better(b, a) ? b : a), null);
      if (!step || !better(step, cur)) break;
      cur = step;
    }
  }
  // every hardware point scored so far (by this or another budget of a sweep) competes
  consider([...ev.cache.values()].map((hw) => ev.judge(hw, opts.goal)));
  // 4. a full mapping search on the winner (more mappings on its power/latency front), then choose again
  if (best && left() > 2) {
    const winner: BudgetedResult = best;
    await ev.polish(winner.hw, opts.seed, Math.min(left(), opts.timeLimit / 3));
    consider([ev.judge(winner.hw, opts.goal)]);
    progress('mappings polished');
  }
  const final = best as BudgetedResult | null;
  if (!final || !final.feasible) {
    throw new InfeasibleError(final?.reason ?? 'no hardware point of the template could be evaluated');
  }
  return { goal: opts.goal, best: final, mappings: ev.mappings(final), visited, seconds: elapsed(), trace: tracker.trace };
}

export function randomValues(t: HardwareTemplate, r: () => number): Record<string, number> {
  const out: Record<string, number> = {};
  for (const v of t.variables) out[v.name] = Math.exp(Math.log(v.min) + r() * (Math.log(v.max) - Math.log(v.min)));
  return legalizeValues(t, out);
}

export function dedupeValues(list: Record<string, number>[]): Record<string, number>[] {
  const seen = new Set<string>();
  return list.filter((v) => {
    const k = hardwareKey(v);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/** One group per hardware start, one relaxed mapping per layer in each; gradients flow into the hardware variables. */
async function relaxHardware(
  ev: HardwareEvaluator,
  t: HardwareTemplate,
  init: Record<string, number>[],
  opts: CoOptOptions,
  r: () => number,
): Promise<Record<string, number>[]> {
  const layers = ev.problems.map((p) => ({ ...p, space: buildMapSpace(p.problem, t.base, ev.constraintsFor(p.problem)) }));
  const task: SearchTask = { arch: t.base, objective: opts.goal.kind === 'budget' && opts.goal.objective === 'edp' ? 'edp' : 'latency', layers };
  const starts: Start[] = [];
  const group: number[] = [];
  const weight: number[] = [];
  const w = ev.weights();
  init.forEach((_, g) => {
    layers.forEach((lt, l) => {
      // the best mapping known for the layer (from the original hardware), else the default one
      const seed = ev.seeds[l]![0];
      const p = clonePoint(seed ? pointFromMapping(lt.space, seed) : defaultPoint(lt.space));
      if (g === 0) {
        starts.push({ layer: l, point: p });
        group.push(g);
        weight.push(w[l]!);
        return;
      }
      const order = g < ORDERS.length ? ORDERS[g]! : shuffle(r, [...ORDERS[0]!]);
      p.perm = lt.space.permPrefix.map((pre, s) => [...pre, ...order.filter((d) => lt.space.permFree[s]!.includes(d))]);
      starts.push({ layer: l, point: p });
      group.push(g);
      weight.push(w[l]!);
    });
  });
  const deadline = performance.now() / 1000 + opts.timeLimit / 4;
  const { hardware } = await relaxJoint(
    task,
    starts,
    {
      steps: opts.relaxSteps ?? 80,
      learningRate: 0.12,
      refreshEvery: 10,
      penaltyStart: 1,
      penaltyEnd: 100,
      shouldStop: () => performance.now() / 1000 > deadline,
    },
    hardwareTerms({ template: t, group, init, goal: opts.goal, weight, leakage: ev.leakage }),
  );
  return hardware?.values ?? [];
}
