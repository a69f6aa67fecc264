/**
 * Power-performance trade-off (DESIGN §3.5): an epsilon-constraint sweep (minimum latency subject to power <= P for
 * each P, and area <= A), and for comparison a weighted-sum sweep (minimum w * latency/latency0 + (1 - w) *
 * power/power0 for a sweep of w) given the same number of model evaluations. Hardware points scored for one budget
 * serve the others (a shared evaluator), and a last pass re-chooses every budget's point among all of them.
 */
import { InfeasibleError } from '../errors.js';
import { buildMapSpace, constraintConflict } from '../mapping/mapspace.js';
import type { HardwareTemplate } from '../hardware/template.js';
import { originalValues } from '../hardware/template.js';
import type { Constraints } from '../mapping/constraints.js';
import type { Mapping } from '../mapping/mapping.js';
import { layerToProblem, type ConvLayer, type Problem } from '../workload/layer.js';
import { better } from './coopt.js';
import type { CoOptMethod } from './methods.js';
import { runCoOptMethod } from './run-method.js';
import { HardwareEvaluator, type BudgetedResult, type Goal } from './hardware-eval.js';
import { hypervolume } from './pareto.js';

export interface SweepPoint {
  goal: Goal;
  result: BudgetedResult | null;
  mappings: Mapping[] | null;
  /** why the goal cannot be met (infeasible budget), or null */
  infeasible: string | null;
}

export interface SweepResult {
  constrained: SweepPoint[];
  weighted: SweepPoint[] | null;
  evaluations: { constrained: number; weighted: number | null };
  hypervolume: { constrained: number; weighted: number | null; reference: { latency_ms: number; power_mW: number } };
  /** latency and power of the original hardware, the weighted sum's normalization */
  norm: { cycles: number; power: number };
  /** the network's layers as problems, in the order of every point's mappings */
  problems: HardwareEvaluator['problems'];
  seconds: number;
  /** the method that produced the constrained points */
  method: CoOptMethod;
  /** whether leakage power was charged */
  leakage: boolean;
  /** per layer, the mappings the priming search found on the original hardware (another sweep's `warmStart`) */
  warmStart: Mapping[][];
}

export interface SweepOptions {
  template: HardwareTemplate;
  layers: readonly ConvLayer[];
  constraintsFor: (p: Problem) => Constraints | null;
  /** one point per entry; null = no power budget (e.g. EDP under an area budget) */
  powerBudgets: (number | null)[];
  areaBudget: number | null;
  /** minimized within the budgets (default latency) */
  objective?: 'latency' | 'edp';
  seed: number;
  /** seconds per budget point (and per weight) */
  timePerPoint: number;
  compareWeightedSum: boolean;
  /** co-optimization method per budget point (default `codesign`, ours; see COOPT_METHODS) */
  method?: CoOptMethod;
  /** charge leakage power on top of the dynamic energy (default true; false = Timeloop's dynamic figures only) */
  leakage?: boolean;
  /** codesign: hardware-search restarts per point (default: until the time per point is up) */
  restarts?: number;
  /**
   * the running goal's best point so far comes with each report, lazily (it re-chooses among every hardware point
   * scored so far, so a caller asks for it only now and then): what a stopped run keeps
   */
  onProgress?: (fraction: number, status: string, best?: () => SweepPoint | null) => void;
  /** an earlier sweep's `warmStart` (same template and layers): its mappings replace this sweep's priming search */
  warmStart?: Mapping[][];
}

async function runGoals(
  ev: HardwareEvaluator,
  goals: Goal[],
  opts: SweepOptions,
  offset: number,
  total: number,
  cap: number | null,
): Promise<SweepPoint[]> {
  const points: SweepPoint[] = [];
  for (const [i, goal] of goals.entries()) {
    if (cap !== null && ev.evaluations >= cap) {
      points.push({ goal, result: null, mappings: null, infeasible: 'not run: the evaluation budget of the comparison was spent' });
      continue;
    }
    try {
      const p = await runCoOptMethod(opts.method ?? 'codesign', ev, {
        goal,
        seed: opts.seed + i,
        timeLimit: opts.timePerPoint,
        ...(opts.restarts !== undefined ? { restarts: opts.restarts } : {}),
        onProgress: (f, status) =>
          opts.onProgress?.((offset + i + f) / total, `${describeGoal(goal)}: ${status}`, () => {
            const p = rechoose(ev, { goal, result: null, mappings: null, infeasible: null });
            return p.result ? p : null;
          }),
      });
      points.push({ goal, result: p.best, mappings: p.mappings, infeasible: null });
    } catch (e) {
      if (!(e instanceof InfeasibleError)) throw e;
      points.push({ goal, result: null, mappings: null, infeasible: e.tightest });
    }
  }
  // every goal chooses again among every hardware point the sweep scored
  return points.map((p) => (p.result === null && p.infeasible?.startsWith('not run') ? p : rechoose(ev, p)));
}

/** A goal's point chosen again among every hardware point the evaluator has scored (p itself if none is better). */
function rechoose(ev: HardwareEvaluator, p: SweepPoint): SweepPoint {
  let best = p.result;
  for (const hw of ev.cache.values()) {
    const r = ev.judge(hw, p.goal);
    if (r.feasible && better(r, best)) best = r;
  }
  if (!best || !best.feasible) return p;
  return { goal: p.goal, result: best, mappings: ev.mappings(best), infeasible: null };
}

export function describeGoal(g: Goal): string {
  if (g.kind === 'budget')
    return (
      [
        g.budgets.power_mW !== null ? `power <= ${g.budgets.power_mW} mW` : null,
        g.budgets.area_mm2 !== null ? `area <= ${g.budgets.area_mm2} mm^2` : null,
      ]
        .filter(Boolean)
        .join(', ') || 'no budget'
    );
  return `weighted sum w = ${g.weight.toFixed(3)}`;
}

/**
 * Constraint conflicts no hardware point of a template can lift (its points share the level names and the dedicated
 * buffers' keeps; only sizes change), so a sweep refuses them before any search.
 */
const SIZE_INDEPENDENT_RULES = new Set([
  'factor-product',
  'constraint-target',
  'hardware-keep',
  'outermost-keep',
  'constraint-keep',
  'constraint-bypass',
]);

function refuseConflicts(opts: SweepOptions): void {
  for (const layer of opts.layers) {
    const { problem } = layerToProblem(layer);
    const space = buildMapSpace(problem, opts.template.base, opts.constraintsFor(problem));
    const v = constraintConflict(space);
    if (v && SIZE_INDEPENDENT_RULES.has(v.rule)) throw new InfeasibleError(`${layer.name} on ${opts.template.name}: ${space.infeasible}`);
  }
}

export async function paretoSweep(opts: SweepOptions): Promise<SweepResult> {
  const t0 = performance.now();
  refuseConflicts(opts);
  const budgets = [...opts.powerBudgets].sort((a, b) => (a ?? Infinity) - (b ?? Infinity));
  const nGoals = budgets.length * (opts.compareWeightedSum ? 2 : 1);
  const evC = new HardwareEvaluator(opts.template, opts.layers, opts.constraintsFor, evaluatorOptions(opts));
  await warm(evC, opts);
  const warmStart = evC.seeds.map((list) => [...list]);
  const [orig] = await evC.evaluate([originalValues(opts.template)], () => opts.timePerPoint);
  const base = evC.judge(orig!, { kind: 'budget', budgets: { power_mW: null, area_mm2: null } });
  const norm = { cycles: base.latency_cycles, power: base.power_mW };
  const constrained = await runGoals(
    evC,
    budgets.map((p) => ({ kind: 'budget', budgets: { power_mW: p, area_mm2: opts.areaBudget }, objective: opts.objective ?? 'latency' })),
    opts,
    0,
    nGoals,
    null,
  );
  let weighted: SweepPoint[] | null = null;
  let evW: HardwareEvaluator | null = null;
  if (opts.compareWeightedSum) {
    evW = new HardwareEvaluator(opts.template, opts.layers, opts.constraintsFor, evaluatorOptions(opts));
    await warm(evW, opts);
    const n = budgets.length;
    const weights = Array.from({ length: n }, (_, i) => (i + 1) / (n + 1));
    weighted = await runGoals(
      evW,
      weights.map((w) => ({ kind: 'weighted', weight: w, norm, area_mm2: opts.areaBudget })),
      opts,
      budgets.length,
      nGoals,
      evC.evaluations,
    );
  }
  const pts = (list: SweepPoint[] | null) =>
    (list ?? []).filter((p) => p.result?.feasible).map((p) => ({ x: latencyMs(p.result!), y: p.result!.power_mW }));
  const all = [...pts(constrained), ...pts(weighted)];
  const reference = { latency_ms: 1.1 * Math.max(...all.map((p) => p.x), 0), power_mW: 1.1 * Math.max(...all.map((p) => p.y), 0) };
  const ref = { x: reference.latency_ms, y: reference.power_mW };
  return {
    constrained,
    weighted,
    evaluations: { constrained: evC.evaluations, weighted: evW ? evW.evaluations : null },
    hypervolume: { constrained: hypervolume(pts(constrained), ref), weighted: weighted ? hypervolume(pts(weighted), ref) : null, reference },
    norm,
    problems: evC.problems,
    seconds: (performance.now() - t0) / 1000,
    method: opts.method ?? 'codesign',
    leakage: opts.leakage ?? true,
    warmStart,
  };
}

/** Prime an evaluator: the given warm start, else a mapping search on the original hardware for half a point's time. */
async function warm(ev: HardwareEvaluator, opts: SweepOptions): Promise<void> {
  if (!opts.warmStart) return ev.prime(opts.seed, opts.timePerPoint / 2);
  if (opts.warmStart.length !== ev.seeds.length) throw new Error('internal: a warm start of another network');
  opts.warmStart.forEach((list, l) => (ev.seeds[l] = [...list]));
  ev.primeSeeds = opts.warmStart.map((list) => [...list]);
  ev.primed = true;
}

/** The evaluator settings of a sweep: the default search effort, and leakage on unless turned off. */
export function evaluatorOptions(opts: { leakage?: boolean }): HardwareEvaluator['opts'] {
  return { rounds: 25, walkers: 2, objective: 'edp', leakage: opts.leakage ?? true };
}

export function latencyMs(r: BudgetedResult): number {
  return r.latency_cycles / (r.hw.arch.clockGHz * 1e6);
}
