/**
 * `digamma`: DiGamma (Kao, Pellauer, Parashar, Krishna, "DiGamma: Domain-aware Genetic Algorithm for HW-Mapping
 * Co-optimization for DNN Accelerators", DATE 2022). One genome holds the hardware genes (the template's variables:
 * PE array, buffer depths) and every layer's mapping genes; the fitness is the network latency (or EDP) of exactly
 * those mappings on that hardware, with a very large penalty over a budget. Domain-aware operators:
 * - crossover-gen: each hardware gene and each layer's mapping from either parent;
 * - crossover-rg: a contiguous range of layers' mappings from the second parent;
 * - crossover-hw: all hardware genes from the second parent;
 * - mutate-hw: one hardware gene a step up or down (PE array sides, buffer depths), or the array reshaped;
 * - mutate-tile / mutate-par / mutate-order / mutate-keep on a layer's mapping (GAMMA's operators, which DiGamma builds
 *   on; src/baselines/genetic.ts), and a per-layer mapping crossover between the parents;
 * elitism and tournament selection. Mappings are carried to a child's hardware and repaired outward when they no
 * longer fit (DiGamma's mapping-to-hardware legalization); a child no repair fixes keeps its parent's hardware.
 */
import { randomValues, type CoOptOptions, type CoOptPoint } from '../coopt/coopt.js';
import type { HardwareEval, HardwareEvaluator } from '../coopt/hardware-eval.js';
import { legalizeValues, originalValues } from '../hardware/template.js';
import { defaultPoint } from '../mapping/default.js';
import { clonePoint, fits, pointFromMapping, realize, type Point } from '../mapping/mapspace.js';
import { randomValidPoint, rng } from '../mapping/random.js';
import { crossover, mutateOnce, repairOutward } from './genetic.js';
import { finish, startRun } from './coopt-common.js';

export interface DigammaOptions extends CoOptOptions {
  /** individuals (default 40) */
  population?: number;
  /** stop after this many generations (default: until the time is up) */
  generations?: number;
  crossoverRate?: number;
  /** per-layer mapping mutation probability (default 2 / layers, at least 0.1) */
  mappingMutation?: number;
  hardwareMutation?: number;
  elite?: number;
}

interface Individual {
  hw: HardwareEval;
  points: Point[];
  fitness: number;
}

export async function digammaCoOpt(ev: HardwareEvaluator, opts: DigammaOptions): Promise<CoOptPoint> {
  const run = startRun(opts);
  const t = ev.template;
  const r = rng(opts.seed);
  const L = ev.problems.length;
  const P = opts.population ?? 40;
  const pm = opts.mappingMutation ?? Math.max(0.1, 2 / L);
  const ph = opts.hardwareMutation ?? 0.4;
  const pc = opts.crossoverRate ?? 0.8;
  const nElite = Math.max(1, Math.round((opts.elite ?? 0.1) * P));
  const w = ev.weights();
  const goal = opts.goal;
  const budgets = goal.kind === 'budget' ? goal.budgets : { power_mW: null, area_mm2: goal.area_mm2 };
  let visited = 0;

  /** A mapping carried to another hardware point of the template, repaired outward if it no longer fits. */
  const carry = (from: HardwareEval, to: HardwareEval, l: number, p: Point): Point | null => {
    if (from === to) return p;
    const q = pointFromMapping(to.tasks[l]!.space, realize(from.tasks[l]!.space, p));
    return repairOutward(to.tasks[l]!.space, q, r) ? q : null;
  };

  /** Fitness of the genome's own mappings: latency (or EDP), plus a very large penalty over a budget. */
  const fitnessOf = (hw: HardwareEval, sc: { cycles: number; energy: number }[]): number => {
    if (sc.some((s) => !Number.isFinite(s.cycles))) return Infinity;
    const T = sc.reduce((a, s, l) => a + w[l]! * s.cycles, 0);
    const Edyn = sc.reduce((a, s, l) => a + w[l]! * s.energy, 0);
    const clock = hw.arch.clockGHz;
    const leak = ev.leakage ? hw.leak_mW : 0;
    const power = (Edyn * clock) / T + leak;
    const E = Edyn + (leak * T) / clock;
    const obj =
      goal.kind === 'budget' && goal.objective === 'edp'
        ? T * E * 1e-12
        : goal.kind === 'weighted'
          ? (goal.weight * T) / goal.norm.cycles + ((1 - goal.weight) * power) / goal.norm.power
          : T;
    const over = Math.max(budgets.power_mW === null ? 0 : power / budgets.power_mW, budgets.area_mm2 === null ? 0 : hw.area_mm2 / budgets.area_mm2);
    return over > 1 + 1e-9 ? 1e30 * over : obj;
  };

  const evaluate = async (inds: { hw: HardwareEval; points: Point[] }[]): Promise<Individual[]> => {
    const scored = await ev.scoreMappings(inds);
    visited += inds.length;
    const out = inds.map((ind, i) => ({ ...ind, fitness: fitnessOf(ind.hw, scored[i]!) }));
    run.tracker.consider([...new Set(inds.map((i) => i.hw))].map((hw) => ev.judge(hw, goal)));
    return out;
  };

  // initial population: the original hardware with default mappings, then random hardware with random valid mappings
  const init: { hw: HardwareEval; points: Point[] }[] = [];
  for (let i = 0; init.length < P && i < 4 * P; i++) {
    const hw = ev.entry(i === 0 ? originalValues(t) : randomValues(t, r));
    if (hw.infeasible) continue;
    const points = hw.tasks.map((lt) => (i === 0 ? null : randomValidPoint(lt.space, r, 200)) ?? defaultPoint(lt.space));
    if (points.every((p, l) => fits(hw.tasks[l]!.space, p).ok)) init.push({ hw, points });
  }
  let pop = await evaluate(init);
  run.progress('initial population');

  const tournament = () => {
    let b = pop[Math.floor(r() * pop.length)]!;
    for (let k = 1; k < 3; k++) {
      const c = pop[Math.floor(r() * pop.length)]!;
      if (c.fitness < b.fitness) b = c;
    }
    return b;
  };

  const child = (a: Individual, b: Individual): { hw: HardwareEval; points: Point[] } => {
    let values = { ...a.hw.values };
    let src = a.points.map((p) => ({ from: a.hw, p }));
    if (r() < pc) {
      const kind = r();
      if (kind < 0.4) {
        // crossover-gen
        for (const v of t.variables) if (r() < 0.5) values[v.name] = b.hw.values[v.name]!;
        src = src.map((s, l) => (r() < 0.5 ? { from: b.hw, p: b.points[l]! } : s));
      } else if (kind < 0.7) {
        // crossover-rg
        const i = Math.floor(r() * L);
        const j = i + Math.floor(r() * (L - i));
        src = src.map((s, l) => (l >= i && l <= j ? { from: b.hw, p: b.points[l]! } : s));
      } else if (kind < 0.85) {
        // crossover-hw
        values = { ...b.hw.values };
      } else {
        // per-layer mapping crossover (both parents' mappings on the first parent's hardware)
        src = src.map((s, l) => {
          const q = carry(b.hw, a.hw, l, b.points[l]!);
          return q ? { from: a.hw, p: crossover(a.hw.tasks[l]!.space, s.p, q, r) } : s;
        });
      }
    }
    if (r() < ph) values = mutateHardware(values);
    let hw = ev.entry(legalizeValues(t, values));
    if (hw.infeasible) hw = a.hw;
    let points = src.map((s, l) => carry(s.from, hw, l, clonePoint(s.p)));
    if (points.some((p) => p === null)) {
      hw = a.hw;
      points = src.map((s, l) => carry(s.from, hw, l, clonePoint(s.p)) ?? clonePoint(a.points[l]!));
    }
    const pts = points as Point[];
    pts.forEach((p, l) => {
      if (r() < pm) {
        const q = clonePoint(p);
        if (mutateOnce(hw.tasks[l]!.space, q, r) && repairOutward(hw.tasks[l]!.space, q, r)) pts[l] = q;
      }
    });
    return { hw, points: pts };
  };

  const mutateHardware = (values: Record<string, number>): Record<string, number> => {
    const out = { ...values };
    if (r() < 0.2 && out['PE.meshX'] !== undefined && out['PE.meshY'] !== undefined) {
      // reshape the array at about the same number of PEs
      const f = r() < 0.5 ? 2 : 0.5;
      out['PE.meshX'] = Math.max(1, Math.round(out['PE.meshX']! * f));
      out['PE.meshY'] = Math.max(1, Math.round(out['PE.meshY']! / f));
      return out;
    }
    const v = t.variables[Math.floor(r() * t.variables.length)]!;
    const ratio = v.step === 'power of two' ? 2 : 1 + 0.5 * r();
    out[v.name] = Math.min(v.max, Math.max(v.min, v.legalize(out[v.name]! * (r() < 0.5 ? ratio : 1 / ratio))));
    return out;
  };

  for (let gen = 0; gen < (opts.generations ?? Infinity) && run.left() > 0 && pop.length > 0; gen++) {
    pop.sort((x, y) => x.fitness - y.fitness);
    const elite = pop.slice(0, nElite);
    const kids: { hw: HardwareEval; points: Point[] }[] = [];
    while (kids.length < P - nElite) kids.push(child(tournament(), tournament()));
    pop = [...elite, ...(await evaluate(kids))];
    run.progress(`DiGamma generation ${gen + 1}`);
  }
  return finish(ev, run, opts, visited, false);
}
