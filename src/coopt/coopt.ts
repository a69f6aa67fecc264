/**
 * Hardware and dataflow co-optimization under power and area budgets (DESIGN §3.4-3.5), for one budget point:
 * relaxed joint optimization with gradients through the hardware variables (several hardware starts in one batch)
 * -> the legalized relaxed optima and a space-filling design over the template get the full per-layer mapping search
 * (batched, warm-started) -> a hardware local search from several incumbents (compass neighbourhoods with pattern
 * moves and trims to what the mappings use, each neighbourhood searched in batches, warm-started from the centre's
 * mappings), restarting from jumps away from the best point until the time is up -> final mapping searches on the
 * winner and on the winner trimmed.
 */
import { InfeasibleError } from '../errors.js';
import { areaOf, legalizeValues, originalValues, type HardwareTemplate } from '../hardware/template.js';
import { defaultPoint } from '../mapping/default.js';
import { buildMapSpace, clonePoint, pointFromMapping, usageOf } from '../mapping/mapspace.js';
import type { Mapping } from '../mapping/mapping.js';
import { rng, shuffle } from '../mapping/random.js';
import type { Dim } from '../workload/layer.js';
import type { Goal } from './goal.js';
import type { BudgetedResult, HardwareEval, HardwareEvaluator } from './hardware-eval.js';
import { compass, dedupeValues, jump, patternMoves, randomValues, spaceFilling, tradedToFit, trimmed, withinArea } from './hardware-moves.js';
import { relaxJoint, type Start } from '../mapper/relax.js';
import { hardwareTerms } from './relax-hardware.js';
import type { SearchTask } from '../mapper/task.js';
import { BestTracker, better, type TracePoint } from './trace.js';
import { sharedSearchThread, type SearchThread } from '../parallel/search-thread.js';

export { dedupeValues, randomValues };

export interface CoOptOptions {
  goal: Goal;
  seed: number;
  /** seconds for this budget point; the search uses all of it unless `restarts` ends it first */
  timeLimit: number;
  /** hardware starts of the relaxed joint optimization */
  hardwareStarts?: number;
  relaxSteps?: number;
  /**
   * perturbation restarts of the hardware search after the first descent (default: as many as the time allows). A
   * finite number makes the run a function of the seed when it ends before its time limit.
   */
  restarts?: number;
  /** searched points the hardware local search descends from before it perturbs (default 3) */
  incumbents?: number;
  /**
   * a thread on another core that takes half of the points of every batched hardware-point search and half of the
   * layers of every full mapping search (priming, polishing) (default: the process-wide one when there is a second core
   * and no finite `restarts`; null: none)
   */
  searchThread?: SearchThread | null;
  onProgress?: (fraction: number, status: string) => void;
}

export interface CoOptPoint {
  goal: Goal;
  best: BudgetedResult;
  mappings: Mapping[];
  /** hardware points scored for this budget (searched) */
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

const rank = (a: BudgetedResult, b: BudgetedResult) => (better(a, b) ? -1 : better(b, a) ? 1 : 0);

export async function coOptimize(ev: HardwareEvaluator, opts: CoOptOptions): Promise<CoOptPoint> {
  // (a run capped by restarts stays on this thread, so that it is a function of the seed)
  const bounded = opts.restarts !== undefined && opts.restarts !== Infinity;
  const thread = bounded ? null : opts.searchThread !== undefined ? opts.searchThread : await sharedSearchThread();
  // (the thread takes the second core: the evaluator's own scoring stays on this thread meanwhile)
  const had = ev.thread;
  ev.thread = thread;
  try {
    return await coOptimizeOn(ev, opts);
  } finally {
    ev.thread = had;
  }
}

async function coOptimizeOn(ev: HardwareEvaluator, opts: CoOptOptions): Promise<CoOptPoint> {
  const tracker = new BestTracker();
  const elapsed = () => tracker.elapsed();
  const left = () => opts.timeLimit - elapsed();
  const t = ev.template;
  const r = rng(opts.seed);
  const goal = opts.goal;
  // the final mapping searches on the winner keep a quarter of the budget
  const reserve = opts.timeLimit / 4;
  let visited = 0;
  const consider = (rs: BudgetedResult[]) => tracker.consider(rs);
  const best = () => tracker.best;
  const progress = (phase: string) => {
    const b = best();
    opts.onProgress?.(
      Math.min(1, elapsed() / opts.timeLimit),
      `${phase}${b && Number.isFinite(b.latency_cycles) ? `, best ${(b.latency_cycles / 1e6).toFixed(3)} Mcycles at ${b.power_mW.toFixed(1)} mW` : ''}`,
    );
  };
  const judgeAll = (hws: readonly HardwareEval[]) => [...new Set(hws)].map((hw) => ev.judge(hw, goal));
  // a result's hardware trimmed to what its chosen mappings use (they run unchanged on it, on less area and power)
  const trimOf = (x: BudgetedResult) =>
    x.points.length === ev.problems.length
      ? trimmed(
          t,
          x.hw.values,
          x.points.map((p, l) => usageOf(x.hw.tasks[l]!.space, p)),
        )
      : x.hw.values;
  // 0. good mappings on the original hardware, to warm-start every hardware point (shared by a whole sweep)
  if (!ev.primed) {
    await ev.prime(opts.seed, opts.timeLimit / 4);
    progress('mappings on the original hardware');
  }
  // every hardware point scored so far (by this or another budget of a sweep) competes
  consider(judgeAll([...ev.cache.values()]));

  // 1. relaxed joint optimization from several hardware starts (the original and random points)
  const H = opts.hardwareStarts ?? 4;
  const starts0 = [originalValues(t), ...Array.from({ length: H - 1 }, () => randomValues(t, r))];
  const relaxedValues = left() > 0 ? await relaxHardware(ev, t, starts0, opts, r) : [];
  progress('relaxed');

  // 2. global stage: the relaxed optima legalized and a space-filling design (a Latin hypercube over every variable's
  // range, the PE array by size and shape) get full mapping searches in one batch. (Cheap scores of mappings carried
  // from far away misjudge a point whose array or buffers differ much: a tiny accumulator looks infeasible under a
  // power budget with carried mappings and wins once searched, so the design is searched, not screened.)
  const V = t.variables.length;
  // (points over an area budget, a relaxed optimum rounded up or a design point, are pulled inside it first: they
  // would only be judged infeasible)
  const areaBudget = goal.kind === 'budget' ? goal.budgets.area_mm2 : goal.area_mm2;
  const relaxedLegal = dedupeValues(relaxedValues.map((v) => withinArea(t, legalizeValues(t, v), areaBudget)));
  const design = dedupeValues([...relaxedLegal, ...spaceFilling(t, r, 2 * V).map((v) => withinArea(t, v, areaBudget))]);
  // in chunks, at most half of the time before the final searches: a large network (or a loaded machine) leaves the
  // other half to the local search
  const designEnd = elapsed() + (left() - reserve) / 2;
  for (let i = 0; i < design.length && left() > reserve && (i === 0 || elapsed() < designEnd); i += 8) {
    const hws = await ev.evaluate(design.slice(i, i + 8), () => Math.max(0.5, left() - reserve));
    visited += hws.length;
    consider(judgeAll(hws));
  }
  consider(judgeAll([...ev.cache.values()]));
  progress('global design searched');

  // 3. hardware local search from several incumbents: a compass (pattern) search whose neighbourhood (every variable
  // x2 and /2, a buffer at its minimum and all of them, the next 7-smooth array sizes, the array scaled, reshaped,
  // folded and traded against the buffers, and the centre trimmed to what its mappings use) gets quick mapping
  // searches in two batches (on 2 cores through the evaluator's exact pool). An improving neighbour becomes the new
  // centre at the same step; when none improves, the close ones and the centre get a second search before the step
  // halves (x2, x1.41, x1.19). When the step is spent, the next descent starts from the best searched point no
  // descent has started from yet (a few of them, so that a second region found by the global stage is refined too),
  // then from random jumps away from the best point, until the time (or the restarts) run out
  let from: BudgetedResult | null = best();
  const descended = new Set<string>(from ? [from.hw.key] : []);
  const elites = opts.incumbents ?? 3;
  let restarts = 0;
  let octaves = 1;
  const maxRestarts = opts.restarts ?? Infinity;
  // after an improving round, the pattern moves (the same move again, all improving moves together) join the next;
  // every round also tries 4 random jumps of several variables at once within the step (a region that single-variable
  // moves cannot reach, e.g. a larger array with every buffer smaller under an area budget)
  let pattern: Record<string, number>[] = [];
  while (from && left() > reserve) {
    // (the centre's chosen mappings start every neighbour's search too: they mostly fit, and are what its budget took)
    // (neighbours over an area budget are traded to fit it: the array and what they raised stay, a buffer shrinks)
    const centreArea = areaOf(t, from.hw.values);
    const moves = dedupeValues(
      tradedToFit(
        t,
        from.hw.values,
        [
          trimOf(from),
          ...pattern,
          ...compass(t, from.hw.values, octaves),
          ...Array.from({ length: 4 }, () => jump(t, from!.hw.values, r, 0.7 * octaves)),
        ],
        areaBudget,
      ),
    ).filter((v) => areaBudget === null || areaOf(t, v) <= Math.max(areaBudget * 1e6, centreArea * (1 - 1e-9)));
    const warm = from.points.length === ev.problems.length ? ev.mappings(from) : null;
    // in two batches: when the first (the trim, the pattern moves and single steps) improves, the centre moves at once
    const half = Math.ceil(moves.length / 2);
    // (with half the evaluator's mapping search rounds: twice the neighbours per second, and the centre's mappings,
    // which start every neighbour, are mostly near what its search would find)
    const rounds = Math.ceil(ev.opts.rounds / 2);
    const hws = await ev.evaluate(moves.slice(0, half), () => Math.max(0.5, left() - reserve / 2), warm, rounds);
    if (!judgeAll(hws).some((x) => better(x, from!)) && half < moves.length)
      hws.push(...(await ev.evaluate(moves.slice(half), () => Math.max(0.5, left() - reserve / 2), warm, rounds)));
    visited += hws.length;
    const js = judgeAll(hws);
    consider(js);
    progress(restarts === 0 ? 'hardware local search' : `hardware search, restart ${restarts}`);
    let step = js.sort(rank)[0];
    pattern = [];
    if (step && !better(step, from) && from.feasible) {
      // no neighbour won on its quick search: the ones that came close (and the centre) get a second search first
      const close = js.filter((x) => x.feasible && x.objective <= 1.15 * from!.objective).slice(0, 3);
      if (close.length > 0) {
        await ev.refine([from.hw, ...close.map((x) => x.hw)], () => Math.max(0.5, left() - reserve / 2));
        const again = judgeAll([from.hw, ...close.map((x) => x.hw)]);
        consider(again);
        from = again[0]!;
        step = again.slice(1).sort(rank)[0];
      }
    }
    if (step && better(step, from)) {
      const prev = from;
      from = step;
      descended.add(from.hw.key);
      pattern = patternMoves(
        t,
        prev.hw.values,
        from.hw.values,
        js.filter((x) => better(x, prev)).map((x) => x.hw.values),
      );
      continue;
    }
    if (octaves > 0.3) {
      octaves /= 2;
      continue;
    }
    if (restarts >= maxRestarts) break;
    restarts++;
    octaves = 1;
    const ranked = judgeAll([...ev.cache.values()]).sort(rank);
    const elite = ranked
      .filter((x) => x.hw.searched && x.feasible)
      .slice(0, elites)
      .find((x) => !descended.has(x.hw.key));
    if (elite) {
      from = elite;
      descended.add(elite.hw.key);
      continue;
    }
    // a jump away from the best point (a small, then a large one)
    const next = withinArea(t, jump(t, best()!.hw.values, r, restarts % 2 === 1 ? 0.7 : 1.5), areaBudget);
    const [hw] = await ev.evaluate([next], () => Math.max(0.5, left()));
    from = ev.judge(hw!, goal);
    descended.add(from.hw.key);
    visited++;
    consider([from]);
  }
  consider(judgeAll([...ev.cache.values()]));

  // 4. full mapping searches on the winner with the time that is left (more mappings on its power/latency front),
  // choosing again after each, and the winner trimmed to what its new choice uses; a new winner gets its own
  // (with a finite number of restarts, one search per winner, so that the run stays a function of the seed)
  const polished = new Map<string, number>();
  while (left() > 0.5) {
    const winner = best();
    if (!winner || winner.hw.infeasible) break;
    const trim = ev.entry(trimOf(winner));
    if (!trim.searched && !trim.infeasible) {
      consider(judgeAll(await ev.evaluate([trim.values], () => Math.max(0.5, left() / 2), ev.mappings(winner))));
      continue;
    }
    const times = polished.get(winner.hw.key) ?? 0;
    if (times > 0 && maxRestarts !== Infinity) break;
    polished.set(winner.hw.key, times + 1);
    // the first search covers every layer, later ones the layers that make up most of the latency
    await ev.polish(winner.hw, opts.seed + times, left(), times === 0 ? undefined : dominantLayers(ev, ev.judge(winner.hw, goal)));
    consider(judgeAll([...ev.cache.values()]));
    progress('mappings polished');
  }
  const final = best();
  if (!final || !final.feasible) {
    throw new InfeasibleError(final?.reason ?? 'no hardware point of the template could be evaluated');
  }
  return { goal, best: final, mappings: ev.mappings(final), visited, seconds: elapsed(), trace: tracker.trace };
}

/** The layers whose share of the chosen mappings' latency adds up to 80% (largest first). */
function dominantLayers(ev: HardwareEvaluator, r: BudgetedResult): number[] {
  const w = ev.weights();
  const c = r.selection.choice.map((k, l) => ({ l, cycles: w[l]! * r.hw.archives[l]!.options[k]!.cycles }));
  const total = c.reduce((a, x) => a + x.cycles, 0);
  const out: number[] = [];
  let sum = 0;
  for (const x of c.sort((a, b) => b.cycles - a.cycles)) {
    if (sum >= 0.8 * total) break;
    out.push(x.l);
    sum += x.cycles;
  }
  return out.sort((a, b) => a - b);
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
  // a twentieth of the point's time: on short points the design and the local search pay more per second
  const deadline = performance.now() / 1000 + opts.timeLimit / 20;
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
