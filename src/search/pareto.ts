/**
 * Pareto bookkeeping for power-performance trade-offs: per-layer archives of non-dominated (cycles, energy) mappings,
 * the selection of one mapping per layer that minimizes network latency under a power budget (Lagrangian sweep), and
 * the hypervolume of a front.
 */
import type { Point } from '../mapping/mapspace.js';

export interface Option {
  cycles: number;
  energy: number;
  point: Point;
}

/** Non-dominated (cycles, energy) points of one layer; ties keep the first seen. */
export class ParetoArchive {
  options: Option[] = [];
  constructor(readonly limit = 64) {}

  offer(o: Option): boolean {
    if (!Number.isFinite(o.cycles) || !Number.isFinite(o.energy)) return false;
    for (const x of this.options) if (x.cycles <= o.cycles && x.energy <= o.energy) return false;
    this.options = this.options.filter((x) => !(o.cycles <= x.cycles && o.energy <= x.energy));
    this.options.push(o);
    if (this.options.length > this.limit) this.thin();
    return true;
  }

  /** Keep an evenly spread subset (in log cycles) including both extremes. */
  private thin(): void {
    const sorted = [...this.options].sort((a, b) => a.cycles - b.cycles);
    const keep = new Set<Option>([sorted[0]!, sorted[sorted.length - 1]!]);
    const lo = Math.log(sorted[0]!.cycles);
    const hi = Math.log(sorted[sorted.length - 1]!.cycles);
    const n = this.limit - 2;
    let j = 0;
    for (let i = 1; i <= n; i++) {
      const target = lo + ((hi - lo) * i) / (n + 1);
      while (j < sorted.length - 1 && Math.log(sorted[j]!.cycles) < target) j++;
      keep.add(sorted[j]!);
    }
    this.options = sorted.filter((o) => keep.has(o));
  }
}

export interface Selection {
  /** index into each layer's options */
  choice: number[];
  cycles: number;
  energy: number;
  /** mW at the clock */
  power: number;
  feasible: boolean;
}

/**
 * One option per layer minimizing total cycles subject to total energy / total time <= powerBudget, where layer l
 * runs `weights[l]` times. Minimizing sum of c + kappa*e over a sweep of kappa traces the lower convex hull of the
 * network's (cycles, energy) choices; the fastest feasible combination found is returned (or, if none is feasible,
 * the lowest-power one, marked infeasible).
 */
export function selectUnderPower(layers: readonly Option[][], weights: readonly number[], clockGHz: number, powerBudget: number | null): Selection {
  const evalChoice = (choice: number[]): Selection => {
    let c = 0;
    let e = 0;
    choice.forEach((k, l) => {
      c += weights[l]! * layers[l]![k]!.cycles;
      e += weights[l]! * layers[l]![k]!.energy;
    });
    const power = (e / c) * clockGHz;
    return { choice, cycles: c, energy: e, power, feasible: powerBudget === null || power <= powerBudget * (1 + 1e-9) };
  };
  const pick = (kappa: number) =>
    layers.map((opts) => {
      let best = 0;
      opts.forEach((o, k) => {
        const v = o.cycles + kappa * o.energy;
        const w = opts[best]!.cycles + kappa * opts[best]!.energy;
        if (v < w || (v === w && o.energy < opts[best]!.energy)) best = k;
      });
      return best;
    });
  const kappas = [0, ...Array.from({ length: 161 }, (_, i) => Math.pow(10, -8 + i * 0.1)), Infinity];
  let bestFeasible: Selection | null = null;
  let lowestPower: Selection | null = null;
  for (const kappa of kappas) {
    const choice = kappa === Infinity ? layers.map((opts) => opts.reduce((b, o, k) => (o.energy < opts[b]!.energy ? k : b), 0)) : pick(kappa);
    const s = evalChoice(choice);
    if (s.feasible && (!bestFeasible || s.cycles < bestFeasible.cycles)) bestFeasible = s;
    if (!lowestPower || s.power < lowestPower.power) lowestPower = s;
  }
  if (bestFeasible) return improveGreedily(bestFeasible, layers, evalChoice);
  return lowestPower!;
}

/** Single-layer swaps that lower total cycles while staying within the budget. */
function improveGreedily(s: Selection, layers: readonly Option[][], evalChoice: (c: number[]) => Selection): Selection {
  let cur = s;
  for (let pass = 0; pass < 4; pass++) {
    let moved = false;
    layers.forEach((opts, l) => {
      opts.forEach((_, k) => {
        if (k === cur.choice[l]) return;
        const next = evalChoice(cur.choice.map((x, i) => (i === l ? k : x)));
        if (next.feasible && next.cycles < cur.cycles) {
          cur = next;
          moved = true;
        }
      });
    });
    if (!moved) break;
  }
  return cur;
}

/** Hypervolume dominated by points (minimizing both x and y) up to the reference point, in the units given. */
export function hypervolume(points: readonly { x: number; y: number }[], ref: { x: number; y: number }): number {
  const inside = points.filter((p) => p.x < ref.x && p.y < ref.y).sort((a, b) => a.x - b.x);
  let area = 0;
  // sweep: sort by x, keep the running minimum of y; each step contributes (x_next - x) * (ref.y - minY)
  let minY = ref.y;
  for (let i = 0; i < inside.length; i++) {
    minY = Math.min(minY, inside[i]!.y);
    const xNext = i + 1 < inside.length ? inside[i + 1]!.x : ref.x;
    area += (xNext - inside[i]!.x) * (ref.y - minY);
  }
  return area;
}
