/**
 * Hardware candidates for the co-optimizer's search: random points, a space-filling design over the whole template
 * (a Latin hypercube, the PE array by size and shape), the compass neighbourhood of an incumbent (each variable x2 and
 * /2, the array scaled, reshaped and traded against the buffers) with Hooke-Jeeves pattern moves, and random
 * multi-variable jumps, and an incumbent trimmed to what its mappings use. All legalized and deduplicated.
 */
import { areaOf, capacityOf, fanoutOf, legalizeValues, scaleMeshes, type HardwareTemplate, type HardwareVariable } from '../hardware/template.js';
import type { LevelUse } from '../mapping/mapspace.js';
import { shuffle } from '../mapping/random.js';
import { hardwareKey } from './hardware-eval.js';

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

/** The next allowed value of a variable up (+1) or down (-1) by about `ratio`, or null at the bound. */
export function stepVariable(v: HardwareVariable, x: number, dir: 1 | -1, ratio = 1.25): number | null {
  let y = v.step === 'power of two' ? x * Math.pow(2, dir * Math.max(1, Math.round(Math.log2(ratio)))) : v.legalize(x * Math.pow(ratio, dir));
  if (y === x) y = x + dir;
  y = v.legalize(Math.min(v.max, Math.max(v.min, y)));
  return y === x ? null : y;
}

const isMesh = (v: HardwareVariable) => v.kind === 'meshX' || v.kind === 'meshY';

/** Every non-mesh variable (depths, bandwidths) scaled by g, clamped into its range. */
function scaleBuffers(t: HardwareTemplate, values: Record<string, number>, g: number, only?: string): Record<string, number> {
  const out = { ...values };
  for (const v of t.variables)
    if (!isMesh(v) && (only === undefined || v.name === only)) out[v.name] = Math.min(v.max, Math.max(v.min, out[v.name]! * g));
  return out;
}

/**
 * A space-filling design of n points (a Latin hypercube): every variable's log range is cut into n strata and each
 * stratum is used by exactly one point. The PE array enters as its log PE count (from the smallest array to the
 * largest allowed, `maxMeshProduct`) and its shape (the share of the count on each mesh variable, from all on the first
 * to all on the last), so array sizes are spread evenly and every aspect ratio is tried, whatever the original's shape.
 */
export function spaceFilling(t: HardwareTemplate, r: () => number, n: number): Record<string, number>[] {
  const meshes = t.variables.filter(isMesh);
  const others = t.variables.filter((v) => !isMesh(v));
  const dims = others.length + (meshes.length > 0 ? meshes.length : 0);
  // one shuffled stratum per point and dimension, jittered within the stratum
  const strata = Array.from({ length: dims }, () =>
    shuffle(
      r,
      Array.from({ length: n }, (_, i) => i),
    ),
  );
  const logMin = meshes.reduce((a, v) => a + Math.log(v.min), 0);
  const logMax = Math.min(
    Math.log(t.maxMeshProduct),
    meshes.reduce((a, v) => a + Math.log(v.max), 0),
  );
  const out: Record<string, number>[] = [];
  for (let i = 0; i < n; i++) {
    const u = strata.map((s) => (s[i]! + r()) / n);
    const values: Record<string, number> = {};
    others.forEach((v, j) => (values[v.name] = Math.exp(Math.log(v.min) + u[j]! * (Math.log(v.max) - Math.log(v.min)))));
    if (meshes.length > 0) {
      // the log count above the smallest array, split over the mesh variables by stick-breaking on the shape coordinates
      let rest = Math.max(0, logMin + u[others.length]! * (logMax - logMin) - logMin);
      meshes.forEach((v, k) => {
        const share = k === meshes.length - 1 ? 1 : u[others.length + 1 + k]!;
        const x = Math.min(Math.log(v.max) - Math.log(v.min), rest * share);
        values[v.name] = Math.exp(Math.log(v.min) + x);
        rest -= x;
      });
    }
    out.push(legalizeValues(t, values));
  }
  return dedupeValues(out);
}

/**
 * A point moved inside an area budget (mm^2) when it is over it: every variable's log value (but those in `keep`)
 * pulled toward its minimum by the same fraction (bisection on the fraction), so the point keeps its proportions. Area
 * is a closed form of the values, so this costs no model evaluation; a point over the budget would be judged infeasible
 * after a full search. The point itself when it fits, or when even the smallest such point does not.
 */
export function withinArea(
  t: HardwareTemplate,
  values: Record<string, number>,
  area_mm2: number | null,
  keep: ReadonlySet<string> = new Set(),
): Record<string, number> {
  const area = (v: Record<string, number>) => areaOf(t, v) / 1e6;
  if (area_mm2 === null || area(values) <= area_mm2) return values;
  const at = (lambda: number) =>
    legalizeValues(
      t,
      Object.fromEntries(
        t.variables.map((v) => [v.name, keep.has(v.name) ? values[v.name]! : Math.exp(Math.log(v.min) + lambda * (Math.log(values[v.name]!) - Math.log(v.min)))]),
      ),
    );
  if (area(at(0)) > area_mm2) return values;
  let lo = 0;
  let hi = 1;
  for (let i = 0; i < 20; i++) {
    const mid = (lo + hi) / 2;
    if (area(at(mid)) <= area_mm2) lo = mid;
    else hi = mid;
  }
  return at(lo);
}

/**
 * Moves that an area budget would refuse, traded to fit it: the array and what the move raised stay, and the one other
 * buffer that fits the budget with the smallest change (in log scale) shrinks, else all other buffers together
 * (`withinArea` keeping the rest). Moves within the budget are kept as they are; one that cannot fit is dropped.
 */
export function tradedToFit(
  t: HardwareTemplate,
  centre: Record<string, number>,
  moves: readonly Record<string, number>[],
  area_mm2: number | null,
): Record<string, number>[] {
  if (area_mm2 === null) return [...moves];
  const fits = (v: Record<string, number>) => areaOf(t, v) / 1e6 <= area_mm2;
  return moves.flatMap((m) => {
    if (fits(m)) return [m];
    const kept = t.variables.filter((v) => isMesh(v) || m[v.name]! > centre[v.name]!);
    const free = t.variables.filter((v) => !kept.includes(v));
    const change = (v: Record<string, number>) => t.variables.reduce((a, x) => a + Math.abs(Math.log(v[x.name]! / m[x.name]!)), 0);
    const single = free
      .map((b) => withinArea(t, m, area_mm2, new Set(t.variables.filter((v) => v !== b).map((v) => v.name))))
      .filter(fits)
      .sort((x, y) => change(x) - change(y))[0];
    const fit = single ?? withinArea(t, m, area_mm2, new Set(kept.map((v) => v.name)));
    return fits(fit) ? [fit] : [];
  });
}

/** Whether n's prime factors are all at most 7 (array sizes that layer dimensions split into). */
const smooth = (n: number) => {
  for (const p of [2, 3, 5, 7]) while (n % p === 0) n /= p;
  return n === 1;
};

/** The nearest `k` 7-smooth values above and below x within a variable's range (mesh sizes a mapping can fill). */
export function smoothNeighbours(v: HardwareVariable, x: number, k = 3): number[] {
  const out: number[] = [];
  for (const dir of [1, -1]) {
    let found = 0;
    for (let y = x + dir; found < k && y >= v.min && y <= v.max && y <= 2 * x && y >= x / 2; y += dir)
      if (smooth(y)) {
        out.push(y);
        found++;
      }
  }
  return out;
}

/**
 * A compass (pattern search) neighbourhood at a step of `octaves` (1: x2 and /2): every variable up and down by that
 * factor (at least one allowed step, so power-of-two depths move by a whole power of two), the array scaled as a whole
 * and reshaped at its PE count (one mesh variable up by the factor, another down), and the array traded against the
 * buffers (larger with all or one of them smaller, smaller with all larger), which a budget that binds needs. Small
 * enough to give every neighbour a full mapping search in one batch.
 */
export function compass(t: HardwareTemplate, values: Record<string, number>, octaves: number): Record<string, number>[] {
  const f = Math.pow(2, octaves);
  const moves: Record<string, number>[] = [];
  for (const v of t.variables)
    for (const dir of [1, -1] as const) {
      const y = stepVariable(v, values[v.name]!, dir, f);
      if (y !== null) moves.push({ ...values, [v.name]: y });
    }
  // corners a budget favours, which single steps cannot reach through worse points: a buffer at its minimum, and all
  // of them at once
  const buffers = t.variables.filter((v) => !isMesh(v));
  for (const v of buffers) if (values[v.name]! > v.min) moves.push({ ...values, [v.name]: v.min });
  if (buffers.length > 1) moves.push({ ...values, ...Object.fromEntries(buffers.map((v) => [v.name, v.min])) });
  const meshes = t.variables.filter(isMesh);
  // the next array sizes a mapping can fill better, whatever the step (8 -> 9, 10, 7, 6; 32 -> 35, 36, 30, 28)
  for (const v of meshes) for (const y of smoothNeighbours(v, values[v.name]!)) moves.push({ ...values, [v.name]: y });
  if (meshes.length > 0) {
    // trades along an area or power budget: a larger array with smaller buffers (all, or each one), and the reverse
    moves.push(scaleBuffers(t, scaleMeshes(t, values, f), 1 / f), scaleBuffers(t, scaleMeshes(t, values, 1 / f), f));
    for (const b of buffers) moves.push(scaleBuffers(t, scaleMeshes(t, values, f), 1 / f, b.name));
  }
  if (meshes.length > 1) {
    moves.push(scaleMeshes(t, values, f), scaleMeshes(t, values, 1 / f));
    // the array folded onto one axis (64 x 2 -> 64 x 1 at the axis' maximum, 8 x 8 -> 64 x 1)
    for (const a of meshes)
      moves.push({
        ...values,
        ...Object.fromEntries(meshes.map((b) => [b.name, b === a ? Math.min(a.max, meshes.reduce((p, m) => p * values[m.name]!, 1)) : b.min])),
      });
    for (const a of meshes)
      for (const b of meshes)
        if (a !== b)
          moves.push({
            ...values,
            [a.name]: Math.min(a.max, Math.round(values[a.name]! * f)),
            [b.name]: Math.max(b.min, Math.round(values[b.name]! / f)),
          });
  }
  const self = hardwareKey(legalizeValues(t, values));
  return dedupeValues(moves.map((m) => legalizeValues(t, m))).filter((v) => hardwareKey(v) !== self);
}

/**
 * Hooke-Jeeves style pattern moves after a compass round that moved from `prev` to `next`: the same move once more
 * from `next`, and `next` with every other improving move of the round (relative to `prev`) applied too.
 */
export function patternMoves(
  t: HardwareTemplate,
  prev: Record<string, number>,
  next: Record<string, number>,
  improving: readonly Record<string, number>[],
): Record<string, number>[] {
  const clamp = (v: HardwareVariable, x: number) => Math.min(v.max, Math.max(v.min, x));
  const again: Record<string, number> = {};
  const all: Record<string, number> = { ...next };
  for (const v of t.variables) {
    again[v.name] = clamp(v, (next[v.name]! * next[v.name]!) / prev[v.name]!);
    for (const m of improving)
      if (m[v.name] !== prev[v.name] && next[v.name] === prev[v.name]) all[v.name] = clamp(v, (all[v.name]! * m[v.name]!) / prev[v.name]!);
  }
  const self = hardwareKey(legalizeValues(t, next));
  return dedupeValues([again, all].map((m) => legalizeValues(t, m))).filter((v) => hardwareKey(v) !== self);
}

/** A random jump: each variable with probability 1/2 multiplied by e^u, u uniform in [-spread, spread]. */
export function jump(t: HardwareTemplate, values: Record<string, number>, r: () => number, spread: number): Record<string, number> {
  const out = { ...values };
  let moved = false;
  for (const v of t.variables) {
    if (r() < 0.5) continue;
    moved = true;
    out[v.name] = Math.min(v.max, Math.max(v.min, out[v.name]! * Math.exp((2 * r() - 1) * spread)));
  }
  if (!moved) {
    const v = t.variables[Math.floor(r() * t.variables.length)]!;
    out[v.name] = Math.min(v.max, Math.max(v.min, out[v.name]! * Math.exp((2 * r() - 1) * spread)));
  }
  return legalizeValues(t, out);
}

/** The smallest allowed value of a variable in [min, x] for which `ok` holds (`ok` is monotone: true at x). */
function smallestAllowed(v: HardwareVariable, x: number, ok: (y: number) => boolean): number {
  if (v.step === 'power of two') {
    let y = x;
    while (y / 2 >= v.min && v.allowed(y / 2) && ok(y / 2)) y /= 2;
    return y;
  }
  let lo = Math.ceil(v.min);
  let hi = x;
  while (lo < hi) {
    const mid = Math.floor((lo + hi) / 2);
    if (ok(mid)) hi = mid;
    else lo = mid + 1;
  }
  return hi;
}

/**
 * A point trimmed to what given mappings use (`use`: per layer, per level): every depth and mesh variable down to the
 * smallest allowed value at which each layer's tile still fits and its spatial use still has the PEs, so the same
 * mappings run at the same cycles on less area and leakage (and cheaper buffer accesses). Bandwidths stay: they set
 * cycles. What a budget then leaves free, the next moves (and the trimmed point's own search) spend.
 */
export function trimmed(t: HardwareTemplate, values: Record<string, number>, use: readonly (readonly LevelUse[])[]): Record<string, number> {
  const L = t.base.levels.length;
  const need = Array.from({ length: L }, (_, s) => ({
    x: Math.max(1, ...use.map((u) => u[s]!.x)),
    y: Math.max(1, ...use.map((u) => u[s]!.y)),
    words: Math.max(0, ...use.map((u) => u[s]!.words)),
  }));
  const holds = (vals: Record<string, number>) => {
    const cap = capacityOf(t, vals);
    const fo = fanoutOf(t, vals);
    return need.every(
      (n, s) => (cap[s] === null || Math.floor(cap[s]! + 1e-9) >= n.words) && fo[s]!.x >= n.x * (1 - 1e-9) && fo[s]!.y >= n.y * (1 - 1e-9),
    );
  };
  const out = { ...values };
  if (!holds(out)) return out;
  for (const v of t.variables) {
    if (v.kind === 'bandwidth') continue;
    out[v.name] = smallestAllowed(v, out[v.name]!, (y) => holds({ ...out, [v.name]: y }));
  }
  return legalizeValues(t, out);
}
