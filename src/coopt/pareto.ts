/**
 * Pareto bookkeeping for power-performance trade-offs: the selection of one mapping per layer that minimizes network latency under a power budget (Lagrangian sweep), and
 * the hypervolume of a front.
 */
import type { Option } from '../mapper/archive.js';

export type { Option };

export interface Selection {
  /** index into each layer's options */
  choice: number[];
  cycles: number;
  energy: number;
  /** mW at the clock */
  power: number;
  feasible: boolean;
}

function evaluateChoice(
  layers: readonly Option[][],
  weights: readonly number[],
  clockGHz: number,
  powerBudget: number | null,
  choice: number[],
): Selection {
  let c = 0;
  let e = 0;
  choice.forEach((k, l) => {
    c += weights[l]! * layers[l]![k]!.cycles;
    e += weights[l]! * layers[l]![k]!.energy;
  });
  const power = (e / c) * clockGHz;
  return { choice, cycles: c, energy: e, power, feasible: powerBudget === null || power <= powerBudget * (1 + 1e-9) };
}

/**
 * The network's efficient combinations: for a sweep of kappa, each layer takes the option minimizing cycles + kappa *
 * energy. This traces the lower convex hull of the network's (cycles, energy) choices, from fastest to most frugal.
 * Under a power budget P (c = P / clock pJ per cycle), minimizing cycles subject to sum(energy - c * cycles) <= 0 has
 * a second regime of the Lagrangian: each layer minimizing energy - mu * cycles for mu in (0, c], which takes slower
 * options of about the same energy (less power); those combinations are added too.
 */
export function networkCombos(
  layers: readonly Option[][],
  weights: readonly number[],
  clockGHz: number,
  powerBudget: number | null = null,
): Selection[] {
  const seen = new Set<string>();
  const out: Selection[] = [];
  const add = (choice: number[]) => {
    const key = choice.join(',');
    if (seen.has(key)) return;
    seen.add(key);
    out.push(evaluateChoice(layers, weights, clockGHz, powerBudget, choice));
  };
  for (const kappa of KAPPAS) {
    add(
      layers.map((opts) => {
        let best = 0;
        opts.forEach((o, k) => {
          const b = opts[best]!;
          const v = kappa === Infinity ? o.energy - b.energy : o.cycles + kappa * o.energy - (b.cycles + kappa * b.energy);
          if (v < 0 || (v === 0 && (kappa === Infinity ? o.cycles < b.cycles : o.energy < b.energy))) best = k;
        });
        return best;
      }),
    );
  }
  if (powerBudget !== null && powerBudget > 0) {
    const c = powerBudget / clockGHz;
    for (const f of MUS) {
      const mu = c * f;
      add(
        layers.map((opts) => {
          let best = 0;
          opts.forEach((o, k) => {
            const b = opts[best]!;
            const v = o.energy - mu * o.cycles - (b.energy - mu * b.cycles);
            if (v < 0 || (v === 0 && o.cycles < b.cycles)) best = k;
          });
          return best;
        }),
      );
    }
  }
  return out;
}

const KAPPAS = [0, ...Array.from({ length: 161 }, (_, i) => Math.pow(10, -8 + i * 0.1)), Infinity];
/** mu / c of the slack regime: log-spaced from 1e-3 to 1 */
const MUS = Array.from({ length: 31 }, (_, i) => Math.pow(10, -3 + i * 0.1));

/**
 * One option per layer minimizing total cycles subject to total energy / total time <= powerBudget (mW), where layer
 * l runs `weights[l]` times: the fastest feasible hull combination, then single-layer swaps that stay feasible. If no
 * combination is feasible, the lowest-power one, marked infeasible.
 */
export function selectUnderPower(layers: readonly Option[][], weights: readonly number[], clockGHz: number, powerBudget: number | null): Selection {
  const combos = networkCombos(layers, weights, clockGHz, powerBudget);
  const feasible = combos.filter((c) => c.feasible);
  if (feasible.length === 0) return combos.reduce((a, b) => (b.power < a.power ? b : a));
  const best = feasible.reduce((a, b) => (b.cycles < a.cycles ? b : a));
  return improveGreedily(best, layers, (c) => evaluateChoice(layers, weights, clockGHz, powerBudget, c));
}

/** The hull combination minimizing an arbitrary network objective (e.g. a weighted sum of latency and power). */
export function selectBy(layers: readonly Option[][], weights: readonly number[], clockGHz: number, objective: (s: Selection) => number): Selection {
  return networkCombos(layers, weights, clockGHz).reduce((a, b) => (objective(b) < objective(a) ? b : a));
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
