/**
 * Scores hardware points of a template for a whole network: each point gets its accelerator, every layer gets
 * mappings re-optimized for it (a warm-started, batched local search over all points and layers at once), and each
 * layer keeps a Pareto archive of (cycles, energy) mappings. A budget is applied afterwards by choosing one mapping per
 * layer (`selectUnderPower`), so one evaluation serves every power budget of a sweep.
 */
import type { Budgets, Goal } from './goal.js';
import type { Accelerator } from '../hardware/accelerator.js';
import { areaOf, instantiate, originalValues, type HardwareTemplate } from '../hardware/template.js';
import { leakageEnergy, leakageOf } from '../hardware/leakage.js';
import type { Constraints } from '../mapping/constraints.js';
import { defaultPoint } from '../mapping/default.js';
import { buildMapSpace, fits, pointFromMapping, realize, type Point } from '../mapping/mapspace.js';
import { randomValidPoint, rng } from '../mapping/random.js';
import type { Mapping } from '../mapping/mapping.js';
import { layerToProblem, type ConvLayer, type Problem } from '../workload/layer.js';
import { repair } from '../mapper/legalize.js';
import type { Walker } from '../mapper/local.js';
import { walkFromStarts } from './hardware-walk.js';
import { PowerParetoArchive } from './power-archive.js';
import { throttled } from './throttle.js';
import { networkCombos, selectBy, selectUnderPower, type Selection } from './pareto.js';
import { Scorer, type LayerTask, type Objective, type Scored, type SearchResult, type SearchTask } from '../mapper/task.js';
import { codesignSearch } from '../mapper/codesign-search.js';
import { sharedExactPool, type ExactPool } from '../parallel/pool.js';
import type { JobLayer, SearchThread } from '../parallel/search-thread.js';

export interface HardwareEval {
  key: string;
  values: Record<string, number>;
  arch: Accelerator;
  area_mm2: number;
  /** static power of the whole chip (mW; src/hardware/leakage.ts), charged for the network's latency */
  leak_mW: number;
  /** per layer, the non-dominated (cycles, energy, power) mappings found */
  archives: PowerParetoArchive[];
  /** why this hardware cannot run the network under the constraints, or null */
  infeasible: string | null;
  tasks: LayerTask[];
  /** whether the full (warm-started local) mapping search has run on it (else its archives hold only given mappings) */
  searched: boolean;
}

export interface BudgetedResult {
  hw: HardwareEval;
  /** lower is better among feasible results: latency in cycles (budget goal) or the weighted sum */
  objective: number;
  selection: Selection;
  latency_cycles: number;
  /** dynamic (Timeloop) energy plus leakage power x latency */
  energy_pJ: number;
  power_mW: number;
  /** power = dynamic + leakage (mW); leakage is 0 when the evaluator runs without leakage */
  power_breakdown_mW: { dynamic: number; leakage: number };
  area_mm2: number;
  feasible: boolean;
  /** the worst budget overflow as a ratio (1 = on the budget); 0 when feasible */
  violation: number;
  /** the binding reason when infeasible */
  reason: string | null;
  /** the chosen mapping point of each layer (captured when judged: archives keep growing) */
  points: Point[];
}

export function hardwareKey(values: Record<string, number>): string {
  return Object.keys(values)
    .sort()
    .map((k) => `${k}=${values[k]}`)
    .join(',');
}

export type { Budgets, Goal };

export class HardwareEvaluator {
  readonly cache = new Map<string, HardwareEval>();
  /** model evaluations spent, for fair comparisons between sweeps */
  evaluations = 0;
  /** per layer: mappings that did well on some hardware, carried to new hardware as warm starts */
  readonly seeds: Mapping[][];
  readonly problems: { layer: ConvLayer; problem: Problem; groups: number }[];

  constructor(
    readonly template: HardwareTemplate,
    readonly layers: readonly ConvLayer[],
    readonly constraintsFor: (p: Problem) => Constraints | null,
    readonly opts: { rounds: number; walkers: number; objective: Objective; leakage?: boolean; pool?: ExactPool | null } = {
      rounds: 25,
      walkers: 2,
      objective: 'edp',
    },
  ) {
    this.problems = layers.map((layer) => {
      const { problem, count } = layerToProblem(layer);
      return { layer, problem, groups: count };
    });
    this.seeds = layers.map(() => []);
  }

  /**
   * Good mappings to start from: a full mapping search (relaxation, legalization, local search) on the template's
   * original hardware. Later hardware points start from these, carried over and repaired.
   */
  primed = false;
  async prime(seed: number, timeLimit: number): Promise<void> {
    this.primed = true;
    // the search runs on the original hardware's entry, so its archives make that point judged (and searched) too
    const hw = this.entry(originalValues(this.template));
    if (hw.infeasible) return;
    hw.searched = true;
    // a light search (few starts and walkers per layer): it only seeds the hardware points, which search again
    const best = await this.searchLayers(
      hw,
      hw.tasks.map((_, l) => l),
      seed,
      timeLimit,
      { startsPerLayer: 8, walkersPerLayer: 4 },
    );
    best.forEach((b, l) => {
      if (b) this.seeds[l] = [realize(hw.tasks[l]!.space, b.point), ...this.seeds[l]!].slice(0, 3);
    });
    this.primeSeeds = this.seeds.map((list) => [...list]);
    // and slower versions of the winners, so that the original hardware is judged fairly under tight power budgets
    await this.scoreList(best.flatMap((b, l) => (b ? throttled(hw.tasks[l]!.space, b.point, 5).map((point) => ({ hw, layer: l, point })) : [])));
  }

  /** per layer, the mappings found on the original hardware (kept while `seeds` move on) */
  primeSeeds: Mapping[][] = [];

  /** A full mapping search on an evaluated point (all layers, or the given ones), adding what it finds to its archives. */
  async polish(hw: HardwareEval, seed: number, timeLimit: number, layers?: readonly number[]): Promise<void> {
    if (hw.infeasible) return;
    await this.searchLayers(hw, layers ?? hw.tasks.map((_, l) => l), seed, timeLimit);
  }

  /**
   * A thread on another core (set by the caller for its run, e.g. the co-optimizer): the full mapping searches of
   * `prime` and `polish` give it half of their layers, and this evaluator's own scoring stays on the calling thread.
   */
  thread: SearchThread | null = null;

  /**
   * Full mapping searches (`codesignSearch`) of some layers of an evaluated point, each adding what it finds to the
   * point's archives; with a search thread, every other layer is searched there meanwhile. Per layer of the point, the
   * best mapping found for the objective (null for layers not searched).
   */
  private async searchLayers(
    hw: HardwareEval,
    only: readonly number[],
    seed: number,
    timeLimit: number,
    extra: { startsPerLayer?: number; walkersPerLayer?: number } = {},
  ): Promise<SearchResult['best']> {
    const thread = this.thread;
    const there = thread && only.length > 1 ? only.filter((_, i) => i % 2 === 1) : [];
    const here = there.length > 0 ? only.filter((_, i) => i % 2 === 0) : only;
    const away =
      there.length > 0
        ? thread!.run({
            kind: 'search',
            arch: hw.arch,
            layers: there.map((l) => this.jobLayers()[l]!),
            objective: this.opts.objective,
            seed: seed + 1,
            until: Date.now() + 1000 * timeLimit,
            ...extra,
          })
        : null;
    const best: SearchResult['best'] = this.problems.map(() => null);
    const task: SearchTask = { arch: hw.arch, objective: this.opts.objective, layers: here.map((l) => hw.tasks[l]!) };
    const res = await codesignSearch(task, {
      seed,
      timeLimit,
      patience: 1,
      archives: here.map((l) => hw.archives[l]!),
      pool: await this.pool(),
      ...extra,
    });
    this.evaluations += res.evaluations;
    here.forEach((l, i) => (best[l] = res.best[i]!));
    if (away) {
      const o = await away;
      o.options.forEach((list, i) => list.forEach((x) => hw.archives[there[i]!]!.offer(x)));
      o.best.forEach((b, i) => (best[there[i]!] = b));
      this.evaluations += o.evaluations;
    }
    return best;
  }

  /**
   * Worker threads for the exact model of the searches and scoring (every method on this evaluator gets them): the
   * process-wide pool unless the options give one (null: this thread only; the numbers are the same either way).
   */
  private pool(): Promise<ExactPool | null> {
    if (this.thread) return Promise.resolve(null);
    return this.opts.pool !== undefined ? Promise.resolve(this.opts.pool) : sharedExactPool();
  }

  /** Whether leakage power enters power and energy (default on; off gives Timeloop's dynamic figures only). */
  get leakage(): boolean {
    return this.opts.leakage ?? true;
  }

  /** How often each layer runs per inference (repeats x groups). */
  weights(): number[] {
    return this.problems.map((p) => p.layer.repeat * p.groups);
  }

  /**
   * Evaluate (or fetch) hardware points; the ones not searched yet are searched together in one batched local search
   * (`warm`: per layer one more mapping to start from besides the evaluator's seeds, e.g. a neighbour's choice).
   */
  async evaluate(
    valuesList: readonly Record<string, number>[],
    deadline: () => number,
    warm?: readonly Mapping[] | null,
    /** rounds of the mapping local search (default: the evaluator's), fewer for a quick look at many neighbours */
    rounds = this.opts.rounds,
  ): Promise<HardwareEval[]> {
    const out = valuesList.map((values) => this.entry(values));
    const runnable = [...new Set(out)].filter((h) => !h.searched && !h.infeasible);
    runnable.forEach((h) => (h.searched = true));
    if (runnable.length > 0) await this.search(runnable, deadline, warm ?? null, false, rounds);
    return out;
  }

  /**
   * Another batched search on points already searched, starting also from each layer's best mappings found so far: a
   * point that the quick search left close behind another gets a second look before the comparison counts.
   */
  async refine(hws: readonly HardwareEval[], deadline: () => number): Promise<void> {
    const list = [...new Set(hws)].filter((h) => h.searched && !h.infeasible);
    if (list.length > 0) await this.search(list, deadline, null, true, this.opts.rounds);
  }

  /** Score (hardware, layer, point) triples in one batch; every scored mapping enters its point's layer archive. */
  private async scoreList(list: readonly { hw: HardwareEval; layer: number; point: Point }[]): Promise<Scored[]> {
    if (list.length === 0) return [];
    const layerTasks = list.map((x) => x.hw.tasks[x.layer]!);
    const scorer = new Scorer({ arch: list[0]!.hw.arch, objective: this.opts.objective, layers: layerTasks }, await this.pool());
    scorer.archives = list.map((x) => x.hw.archives[x.layer]!);
    const scored = await scorer.score(list.map((x, i) => ({ layer: i, point: x.point })));
    this.evaluations += scorer.evaluations;
    return scored;
  }

  /** The cached entry of a hardware point (accelerator, map spaces, empty archives), created without any search. */
  entry(values: Record<string, number>): HardwareEval {
    const key = hardwareKey(values);
    let hw = this.cache.get(key);
    if (!hw) {
      const arch = instantiate(this.template, values);
      const tasks = this.problems.map((p) => ({ ...p, space: buildMapSpace(p.problem, arch, this.constraintsFor(p.problem)) }));
      hw = {
        key,
        values: { ...values },
        arch,
        area_mm2: areaOf(this.template, values) / 1e6,
        leak_mW: leakageOf(arch).total_mW,
        archives: this.problems.map(() => new PowerParetoArchive(48)),
        infeasible: tasks.find((t) => t.space.infeasible)?.space.infeasible ?? null,
        tasks,
        searched: false,
      };
      this.cache.set(key, hw);
    }
    return hw;
  }

  /**
   * Score given mappings on given hardware points as they are (no search), all in one batched exact evaluation, for
   * methods that search hardware and mappings jointly (DiGamma, gradient descent). Every scored mapping enters its
   * point's archives, so `judge` sees it. Returns per item and layer the scores (Infinity where a mapping does not fit).
   */
  async scoreMappings(items: readonly { hw: HardwareEval; points: (Point | null)[] }[]): Promise<Scored[][]> {
    const list: { hw: HardwareEval; layer: number; point: Point }[] = [];
    const where: [number, number][] = [];
    items.forEach((it, i) =>
      it.points.forEach((p, l) => {
        if (!p || it.hw.infeasible) return;
        list.push({ hw: it.hw, layer: l, point: p });
        where.push([i, l]);
      }),
    );
    const out = items.map((it) => it.points.map(() => ({ score: Infinity, cycles: Infinity, energy: Infinity })));
    const scored = await this.scoreList(list);
    scored.forEach((sc, k) => (out[where[k]![0]]![where[k]![1]] = sc));
    return out;
  }

  /** `warm`: one more start per layer (e.g. a neighbour's chosen mappings), scored as it is (repaired if needed) too */
  private async search(hws: HardwareEval[], deadline: () => number, warm: readonly Mapping[] | null, own: boolean, rounds: number): Promise<void> {
    const layerTasks = hws.flatMap((h) => h.tasks);
    const archives = hws.flatMap((h) => h.archives);
    const starts: { layer: number; point: Point }[] = [];
    const r = rng(this.layers.length * 7919 + this.cache.size);
    layerTasks.forEach((lt, i) => {
      const l = i % this.problems.length;
      const seeds = [...(warm?.[l] ? [warm[l]] : []), ...this.seeds[l]!].map((m) => pointFromMapping(lt.space, m));
      // (two random starts of 10 draws each: on a small point most draws overflow, and 100 draws per start took a third
      // of the search's time for starts that seldom win)
      const random = [randomValidPoint(lt.space, r, 10), randomValidPoint(lt.space, r, 10)].filter((p): p is Point => p !== null);
      // (`own`: the lowest-energy and the fastest mappings of the point's archive so far)
      const options = own ? archives[i]!.options : [];
      const mine =
        options.length === 0
          ? []
          : [options.reduce((a, b) => (b.energy < a.energy ? b : a)), options.reduce((a, b) => (b.cycles < a.cycles ? b : a))].map((o) => o.point);
      for (const p of [defaultPoint(lt.space), ...mine, ...seeds, ...random]) {
        const ok = fits(lt.space, p).ok ? p : repair(lt.space, p);
        if (ok) starts.push({ layer: i, point: ok });
      }
    });
    const ends = await this.walk(hws, starts, deadline(), rounds);
    // remember the winners as seeds for other hardware (a few per layer, newest first)
    for (const w of ends) {
      const l = w.layer % this.problems.length;
      const m = realize(layerTasks[w.layer]!.space, w.point);
      this.seeds[l] = [m, ...this.seeds[l]!].slice(0, 3);
    }
  }

  /** The layers as the search thread takes them (the constraints resolved: a function does not cross threads). */
  private jobLayers(): JobLayer[] {
    return (this.jobLayerList ??= this.problems.map((p) => ({ ...p, constraints: this.constraintsFor(p.problem) })));
  }
  private jobLayerList: JobLayer[] | null = null;

  /**
   * `walkFromStarts` on the layer tasks of the points (starts numbered point-major); with a search thread, the later
   * half of the points walk there meanwhile. Where the walkers ended, by layer task.
   */
  private async walk(hws: HardwareEval[], starts: { layer: number; point: Point }[], timeLimit: number, rounds: number): Promise<Walker[]> {
    const L = this.problems.length;
    const thread = this.thread;
    const cut = thread && hws.length > 1 ? Math.ceil(hws.length / 2) : hws.length;
    const mine = hws.slice(0, cut);
    const theirs = hws.slice(cut);
    const split = cut * L;
    const away =
      theirs.length > 0
        ? thread!.run({
            kind: 'walk',
            archs: theirs.map((h) => h.arch),
            layers: this.jobLayers(),
            starts: starts.filter((s) => s.layer >= split).map((s) => ({ layer: s.layer - split, point: s.point })),
            known: theirs.flatMap((h) => h.archives.map((a) => a.options)),
            objective: this.opts.objective,
            walkers: this.opts.walkers,
            rounds,
            until: Date.now() + 1000 * timeLimit,
          })
        : null;
    const here = await walkFromStarts({
      arch: hws[0]!.arch,
      layerTasks: mine.flatMap((h) => h.tasks),
      archives: mine.flatMap((h) => h.archives),
      starts: starts.filter((s) => s.layer < split),
      objective: this.opts.objective,
      walkers: this.opts.walkers,
      rounds,
      timeLimit,
      pool: await this.pool(),
    });
    this.evaluations += here.evaluations;
    const ends = [...here.ends];
    if (away) {
      const o = await away;
      theirs.forEach((h, j) => h.archives.forEach((a, l) => o.options[j * L + l]!.forEach((x) => a.offer(x))));
      ends.push(...o.ends.map((w) => ({ ...w, layer: w.layer + split })));
      this.evaluations += o.evaluations;
    }
    // (by layer task: the order the walkers ended in depends on how the points were shared out; the seeds must not)
    return ends.sort((a, b) => a.layer - b.layer);
  }

  private readonly judged = new WeakMap<Goal, Map<string, { version: number; result: BudgetedResult }>>();

  /**
   * Judge an evaluated point: choose one mapping per layer for the goal and report the network figures. Remembered
   * per (goal, point) until the point's archives change.
   */
  judge(hw: HardwareEval, goal: Goal): BudgetedResult {
    let memo = this.judged.get(goal);
    if (!memo) this.judged.set(goal, (memo = new Map()));
    const version = hw.archives.reduce((a, x) => a + x.version, 0);
    const had = memo.get(hw.key);
    if (had && had.version === version) return had.result;
    const result = this.judgeNow(hw, goal);
    memo.set(hw.key, { version, result });
    return result;
  }

  private judgeNow(hw: HardwareEval, goal: Goal): BudgetedResult {
    const options = hw.archives.map((a) => a.options);
    const budgets: Budgets = goal.kind === 'budget' ? goal.budgets : { power_mW: null, area_mm2: goal.area_mm2 };
    // leakage is a constant power of the hardware point: power = dynamic + leak, so a power budget leaves
    // (budget - leak) to the mappings' dynamic power, and energy gains leak x latency
    const leak = this.leakage ? hw.leak_mW : 0;
    const clock = hw.arch.clockGHz;
    const dynBudget = budgets.power_mW === null ? null : budgets.power_mW - leak;
    if (hw.infeasible || options.some((o) => o.length === 0)) {
      const none = { choice: [], cycles: Infinity, energy: Infinity, power: Infinity, feasible: false };
      return {
        hw,
        objective: Infinity,
        selection: none,
        latency_cycles: Infinity,
        energy_pJ: Infinity,
        power_mW: Infinity,
        power_breakdown_mW: { dynamic: Infinity, leakage: leak },
        area_mm2: hw.area_mm2,
        feasible: false,
        violation: Infinity,
        reason: hw.infeasible ?? 'no valid mapping found for some layer',
        points: [],
      };
    }
    if (goal.kind === 'budget' && goal.objective === 'edp') {
      // the lowest-EDP hull combination within the power budget (else the lowest-power one, infeasible)
      // leakage energy is linear in cycles, so the (cycles, energy) hull still holds the best EDP combinations
      const combos = networkCombos(options, this.weights(), clock, dynBudget);
      const ok = combos.filter((c) => c.feasible);
      const edp = (c: Selection) => c.cycles * (c.energy + leakageEnergy(leak, c.cycles, clock));
      const sel = ok.length > 0 ? ok.reduce((a, b) => (edp(b) < edp(a) ? b : a)) : combos.reduce((a, b) => (b.power < a.power ? b : a));
      return this.result(hw, sel, budgets, edp(sel) * 1e-12, leak);
    }
    if (goal.kind === 'budget') {
      const sel = selectUnderPower(options, this.weights(), clock, dynBudget);
      return this.result(hw, sel, budgets, sel.cycles, leak);
    }
    const ws = (s: Selection) => (goal.weight * s.cycles) / goal.norm.cycles + ((1 - goal.weight) * (s.power + leak)) / goal.norm.power;
    const sel = selectBy(options, this.weights(), clock, ws);
    return this.result(hw, sel, budgets, ws(sel), leak);
  }

  /** Apply budgets to an evaluated point: the fastest per-layer mapping choice within the power budget. */
  budgeted(hw: HardwareEval, budgets: Budgets): BudgetedResult {
    return this.judge(hw, { kind: 'budget', budgets });
  }

  private result(hw: HardwareEval, sel: Selection, budgets: Budgets, objective: number, leak: number): BudgetedResult {
    const power = sel.power + leak;
    const overP = budgets.power_mW === null ? 0 : power / budgets.power_mW;
    const overA = budgets.area_mm2 === null ? 0 : hw.area_mm2 / budgets.area_mm2;
    const violation = Math.max(overP, overA);
    const feasible = violation <= 1 + 1e-9;
    let reason: string | null = null;
    if (!feasible) {
      reason =
        overP >= overA
          ? `power budget ${budgets.power_mW} mW: this hardware needs at least ${power.toFixed(2)} mW${leak > 0 ? ` (${leak.toFixed(2)} mW leakage)` : ''}`
          : `area budget ${budgets.area_mm2} mm^2: this hardware takes ${hw.area_mm2.toFixed(4)} mm^2`;
    }
    const points = sel.choice.map((k, l) => hw.archives[l]!.options[k]!.point);
    return {
      hw,
      objective,
      selection: sel,
      latency_cycles: sel.cycles,
      energy_pJ: sel.energy + leakageEnergy(leak, sel.cycles, hw.arch.clockGHz),
      power_mW: power,
      power_breakdown_mW: { dynamic: sel.power, leakage: leak },
      area_mm2: hw.area_mm2,
      feasible,
      violation: feasible ? 0 : violation,
      reason,
      points,
    };
  }

  /** The chosen mapping of each layer for a budgeted result. */
  mappings(r: BudgetedResult): Mapping[] {
    return r.hw.tasks.map((t, l) => realize(t.space, r.points[l]!));
  }
}
