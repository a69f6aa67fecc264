/**
 * `gradient`: DOSA-style one-loop gradient descent (Hong et al., MICRO 2023) on the relaxed model over the hardware
 * variables and every layer's mapping together (`relaxJoint` with the hardware terms of src/coopt/relax-hardware.ts),
 * from random starts, rounding at the end of each descent (legal hardware values; each layer's relaxed factors
 * legalized on the rounded hardware) and scoring the rounded design exactly as it is: no local search. Each round
 * continues from the best rounded design (DOSA's rounding and restarting from the rounded point) and adds fresh random
 * starts, until the time is up.
 */
import { randomValues, type CoOptOptions, type CoOptPoint } from '../coopt/coopt.js';
import type { HardwareEvaluator } from '../coopt/hardware-eval.js';
import { hardwareTerms } from '../coopt/relax-hardware.js';
import { legalizeValues, originalValues } from '../hardware/template.js';
import { legalize } from '../mapper/legalize.js';
import { relaxJoint, type RelaxedStart, type Start } from '../mapper/relax.js';
import type { SearchTask } from '../mapper/task.js';
import { defaultPoint } from '../mapping/default.js';
import { buildMapSpace, clonePoint, pointFromMapping, realize, type MapSpace, type Point } from '../mapping/mapspace.js';
import { randomValidPoint, rng } from '../mapping/random.js';
import { finish, startRun } from './coopt-common.js';

export interface GradientOptions extends CoOptOptions {
  /** hardware starts per descent (default 6) */
  starts?: number;
  /** Adam steps per descent (default 120) */
  steps?: number;
  /** stop after this many descents (default: until the time is up) */
  rounds?: number;
}

export async function gradientCoOpt(ev: HardwareEvaluator, opts: GradientOptions): Promise<CoOptPoint> {
  const run = startRun(opts);
  const t = ev.template;
  const r = rng(opts.seed);
  const layers = ev.problems.map((p) => ({ ...p, space: buildMapSpace(p.problem, t.base, ev.constraintsFor(p.problem)) }));
  const task: SearchTask = { arch: t.base, objective: opts.goal.kind === 'budget' && opts.goal.objective === 'edp' ? 'edp' : 'latency', layers };
  const w = ev.weights();
  const H = opts.starts ?? 6;
  let visited = 0;
  // the best rounded design so far: its hardware and mappings start the next descent
  let carry: { values: Record<string, number>; mappings: ReturnType<typeof realize>[] } | null = null;
  for (let round = 0; round < (opts.rounds ?? Infinity) && run.left() > 0; round++) {
    const init: Record<string, number>[] = [];
    const starts: Start[] = [];
    const group: number[] = [];
    const weight: number[] = [];
    for (let g = 0; g < H; g++) {
      const values = g === 0 ? (carry?.values ?? originalValues(t)) : randomValues(t, r);
      init.push(values);
      layers.forEach((lt, l) => {
        let p: Point;
        if (g === 0 && carry) p = pointFromMapping(lt.space, carry.mappings[l]!);
        else p = (g === 0 ? null : randomValidPoint(lt.space, r, 200)) ?? defaultPoint(lt.space);
        starts.push({ layer: l, point: clonePoint(p) });
        group.push(g);
        weight.push(w[l]!);
      });
    }
    const deadline = performance.now() / 1000 + Math.max(0.5, run.left());
    const { starts: relaxed, hardware } = await relaxJoint(
      task,
      starts,
      {
        steps: opts.steps ?? 120,
        learningRate: 0.12,
        refreshEvery: 10,
        penaltyStart: 1,
        penaltyEnd: 100,
        shouldStop: () => performance.now() / 1000 > deadline,
      },
      hardwareTerms({ template: t, group, init, goal: opts.goal, weight, leakage: ev.leakage }),
    );
    if (!hardware) break;
    // rounding: legal hardware, then each layer's relaxed factors legalized on that hardware, scored as they are
    const items = hardware.values.map((vals, g) => {
      const hw = ev.entry(legalizeValues(t, vals));
      const points = layers.map((_, l) => {
        if (hw.infeasible) return null;
        const rs = relaxed[g * layers.length + l]!;
        return legalize(hw.tasks[l]!.space, carryRelaxed(layers[l]!.space, hw.tasks[l]!.space, rs));
      });
      return { hw, points };
    });
    await ev.scoreMappings(items);
    visited += items.length;
    const judged = items.map((it) => ev.judge(it.hw, opts.goal));
    run.tracker.consider(judged);
    const b = run.tracker.best;
    if (b && !b.hw.infeasible && b.points.length > 0) carry = { values: b.hw.values, mappings: ev.mappings(b) };
    run.progress(`gradient descent (${round + 1} descents)`);
  }
  return finish(ev, run, opts, visited, false);
}

/**
 * A relaxed start of the template's base map space expressed in a rounded hardware's map space: slots match by
 * (level, kind); a spatial slot the rounded hardware lacks (a mesh side of 1) gives its log-factor to the level's
 * temporal slot. Loop orders and keep bits come over with the mapping.
 */
function carryRelaxed(base: MapSpace, to: MapSpace, rs: RelaxedStart): RelaxedStart {
  if (base.slots.length === to.slots.length && base.slots.every((s, k) => s.kind === to.slots[k]!.kind && s.level === to.slots[k]!.level))
    return { ...rs, point: pointFromMapping(to, realize(base, rs.point)) };
  const idx = (level: number, kind: string) => to.slots.findIndex((s) => s.level === level && s.kind === kind);
  const logFactors = rs.logFactors.map((row) => {
    const out = to.slots.map(() => 0);
    base.slots.forEach((s, k) => {
      const j = idx(s.level, s.kind);
      out[j >= 0 ? j : idx(s.level, 'T')]! += row[k]!;
    });
    return out;
  });
  return { layer: rs.layer, point: pointFromMapping(to, realize(base, rs.point)), logFactors };
}
