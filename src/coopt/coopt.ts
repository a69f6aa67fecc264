/**
 * Hardware and dataflow co-optimization under power and area budgets (DESIGN §3.4-3.5), for one budget point:
 * relaxed joint optimization with gradients through the hardware variables (several hardware starts in one batch)
 * -> legalized hardware candidates, screened together with a spread over the whole template by cheap scores (warm
 * mappings carried to each point, one batched exact evaluation) -> the most promising ones get the full per-layer
 * mapping search (batched, warm-started) -> hardware local search over joint moves (each neighbourhood screened, its
 * best few searched), restarting from perturbations of the incumbent until the time is up -> a final mapping search on
 * the winner.
 */
import { InfeasibleError } from '../errors.js';
import { legalizeValues, originalValues, type HardwareTemplate } from '../hardware/template.js';
import { defaultPoint } from '../mapping/default.js';
import { buildMapSpace, clonePoint, pointFromMapping } from '../mapping/mapspace.js';
import type { Mapping } from '../mapping/mapping.js';
import { rng, shuffle } from '../mapping/random.js';
import type { Dim } from '../workload/layer.js';
import type { Goal } from './goal.js';
import type { BudgetedResult, HardwareEval, HardwareEvaluator } from './hardware-eval.js';
import { dedupeValues, globalCandidates, jump, neighbourhood, randomValues } from './hardware-moves.js';
import { relaxJoint, type Start } from '../mapper/relax.js';
import { hardwareTerms } from './relax-hardware.js';
import type { SearchTask } from '../mapper/task.js';
import { BestTracker, better, type TracePoint } from './trace.js';

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
  /** hardware points fully searched per screened batch (default 3) */
  searchPerRound?: number;
  onProgress?: (fraction: number, status: string) => void;
}

export interface CoOptPoint {
  goal: Goal;
  best: BudgetedResult;
  mappings: Mapping[];
  /** hardware points scored for this budget (screened or searched) */
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
  const tracker = new BestTracker();
  const elapsed = () => tracker.elapsed();
  const left = () => opts.timeLimit - elapsed();
  const t = ev.template;
  const r = rng(opts.seed);
  const goal = opts.goal;
  const perRound = opts.searchPerRound ?? 3;
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
  /** Screen candidates (cheap scores), then fully search the best `n` of them not searched yet; the best result seen. */
  // screening costs per layer (a map space per layer and point), so larger networks screen fewer points per round
  const cap = Math.max(16, Math.min(80, Math.round(600 / ev.problems.length)));
  const screenAndSearch = async (all: Record<string, number>[], n: number, from: BudgetedResult | null): Promise<BudgetedResult | null> => {
    const cands = all.length <= cap ? all : [...all.slice(0, 4), ...shuffle(r, all.slice(4)).slice(0, cap - 4)];
    // in chunks, so that a slow (loaded) machine still keeps time for the searches and the final polish
    const judged: BudgetedResult[] = [];
    for (let i = 0; i < cands.length; i += 16) {
      // (a point whose time is already up, e.g. a tiny --time-per-point, screens nothing once it has a feasible result)
      if ((i > 0 || left() <= 0) && left() < reserve && best()?.feasible) break;
      if (i > 0 && left() <= 0) break;
      const screened = await ev.screen(cands.slice(i, i + 16), from);
      visited += screened.length;
      const js = judgeAll(screened);
      consider(js);
      judged.push(...js);
    }
    progress(`screened ${judged.length} hardware points`);
    const pick = judged
      .filter((x) => !x.hw.searched && !x.hw.infeasible)
      .sort(rank)
      .slice(0, n);
    let top = judged.sort(rank)[0] ?? null;
    if (pick.length === 0 || left() <= reserve / 2) return top;
    const searched = judgeAll(
      await ev.evaluate(
        pick.map((x) => x.hw.values),
        () => Math.max(0.5, left()),
      ),
    );
    consider(searched);
    for (const x of searched) if (better(x, top)) top = x;
    return top;
  };

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

  // 2. the relaxed optima legalized, and a spread over the template, screened; the best few searched
  const relaxedLegal = dedupeValues(relaxedValues.map((v) => legalizeValues(t, v)));
  await screenAndSearch(dedupeValues([...relaxedLegal, ...globalCandidates(t, r, 8)]), perRound + 1, best());
  consider(judgeAll([...ev.cache.values()]));
  progress('candidates');

  // 3. hardware local search over joint moves, every neighbourhood screened and its best few searched; when a
  // descent stops improving, restart from a random jump away from the incumbent, until the time (or the restarts) run out
  let from: BudgetedResult | null = best();
  let restarts = 0;
  const maxRestarts = opts.restarts ?? Infinity;
  while (from && left() > reserve) {
    const step = await screenAndSearch(neighbourhood(t, from.hw.values, r, 8), perRound, from);
    progress(restarts === 0 ? 'hardware local search' : `hardware search, restart ${restarts}`);
    if (step && better(step, from)) {
      from = ev.judge(step.hw, goal);
      continue;
    }
    if (restarts >= maxRestarts) break;
    restarts++;
    // perturb the incumbent (a small, then a large jump), or every third time start from the best screened point
    // not searched yet
    const inc = best()!;
    const unsearched = judgeAll([...ev.cache.values()])
      .filter((x) => !x.hw.searched && !x.hw.infeasible)
      .sort(rank)[0];
    const next = restarts % 3 === 0 && unsearched ? unsearched.hw.values : jump(t, inc.hw.values, r, restarts % 3 === 1 ? 0.7 : 1.5);
    const [hw] = await ev.evaluate([next], () => Math.max(0.5, left()));
    from = ev.judge(hw!, goal);
    visited++;
    consider([from]);
  }
  consider(judgeAll([...ev.cache.values()]));

  // 4. full mapping searches on the winner with the time that is left (more mappings on its power/latency front),
  // choosing again after each; a new winner gets its own
  // (with a finite number of restarts, one search per winner, so that the run stays a function of the seed)
  const polished = new Map<string, number>();
  while (left() > 0.5) {
    const winner = best();
    if (!winner || winner.hw.infeasible) break;
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
  const deadline = performance.now() / 1000 + opts.timeLimit / 10;
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
