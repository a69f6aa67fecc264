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
 * l runs `weights[l]` times: the fastest feasible hull combinations, each improved by single and paired swaps that
 * stay feasible (`improveByExchanges`), the fastest result. If no
 * combination is feasible, the lowest-power one, marked infeasible.
 */
export function selectUnderPower(layers: readonly Option[][], weights: readonly number[], clockGHz: number, powerBudget: number | null): Selection {
  const combos = networkCombos(layers, weights, clockGHz, powerBudget);
  const feasible = combos.filter((c) => c.feasible);
  if (feasible.length === 0) return combos.reduce((a, b) => (b.power < a.power ? b : a));
  if (powerBudget === null) return feasible.reduce((a, b) => (b.cycles < a.cycles ? b : a));
  // the exchanges from the fastest few feasible combinations (each may end in another local optimum)
  const evalChoice = (c: number[]) => evaluateChoice(layers, weights, clockGHz, powerBudget, c);
  return feasible
    .sort((a, b) => a.cycles - b.cycles)
    .slice(0, 4)
    .map((s) => improveByExchanges(s, layers, evalChoice, weights, clockGHz, powerBudget))
    .reduce((a, b) => (b.cycles < a.cycles ? b : a));
}

/** The hull combination minimizing an arbitrary network objective (e.g. a weighted sum of latency and power). */
export function selectBy(layers: readonly Option[][], weights: readonly number[], clockGHz: number, objective: (s: Selection) => number): Selection {
  return networkCombos(layers, weights, clockGHz).reduce((a, b) => (objective(b) < objective(a) ? b : a));
}

/**
 * Exchanges that lower total cycles while staying within the power budget, until none does: the best single-layer
 * swap, or the best pair of swaps in two layers (one faster, the other giving back the power it needs), which single
 * swaps alone cannot reach (each half is infeasible or slower on its own). Pairs are found in O(n log n) over the n
 * single swaps: sorted by the budget slack each uses, with a running best of the cycles each saves.
 */
function improveByExchanges(
  s: Selection,
  layers: readonly Option[][],
  evalChoice: (c: number[]) => Selection,
  weights: readonly number[],
  clockGHz: number,
  powerBudget: number,
): Selection {
  // power = E / C x clock <= budget  <=>  E - p C <= 0 with p = budget / clock (pJ per cycle)
  const p = powerBudget / clockGHz;
  let cur = s;
  for (let pass = 0; pass < 64; pass++) {
    const choice = cur.choice;
    const slack = p * cur.cycles - cur.energy;
    // every single swap: cycles saved (dc < 0 is faster) and slack used (g)
    const swaps: { l: number; k: number; dc: number; g: number }[] = [];
    layers.forEach((opts, l) => {
      const o0 = opts[choice[l]!]!;
      const w = weights[l]!;
      opts.forEach((o, k) => {
        if (k === choice[l]) return;
        const dc = w * (o.cycles - o0.cycles);
        const de = w * (o.energy - o0.energy);
        swaps.push({ l, k, dc, g: de - p * dc });
      });
    });
    let bestGain = 0;
    let move: { l: number; k: number }[] | null = null;
    for (const x of swaps)
      if (x.g <= slack && -x.dc > bestGain) {
        bestGain = -x.dc;
        move = [x];
      }
    // pairs: for each swap a (by slack used, descending), the best swap b of another layer with g_a + g_b <= slack
    const byG = [...swaps].sort((a, b) => a.g - b.g);
    // running best two (by dc) of distinct layers among the swaps with g below a threshold
    const bySlack = [...swaps].sort((a, b) => b.g - a.g);
    let j = 0;
    let b1: (typeof swaps)[number] | null = null;
    let b2: (typeof swaps)[number] | null = null;
    for (const a of bySlack) {
      // admit every swap b with g_b <= slack - g_a (a threshold that grows as g_a falls)
      while (j < byG.length && byG[j]!.g <= slack - a.g) {
        const b = byG[j++]!;
        if (!b1 || b.dc < b1.dc) {
          if (b1 && b1.l !== b.l) b2 = b1;
          b1 = b;
        } else if (b.l !== b1.l && (!b2 || b.dc < b2.dc)) b2 = b;
      }
      const b = b1 && b1.l !== a.l ? b1 : b2;
      if (b && -(a.dc + b.dc) > bestGain * (1 + 1e-12)) {
        bestGain = -(a.dc + b.dc);
        move = [a, b];
      }
    }
    if (!move) break;
    const nextChoice = [...choice];
    for (const m of move) nextChoice[m.l] = m.k;
    const next = evalChoice(nextChoice);
    if (!next.feasible || next.cycles >= cur.cycles) break;
    cur = next;
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
