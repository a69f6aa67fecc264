/**
 * Hardware candidates for the co-optimizer's search: random points, a space-filling design over the whole template
 * (a Latin hypercube, the PE array by size and shape), the compass neighbourhood of an incumbent (each variable x2 and
 * /2, the array scaled, reshaped and traded against the buffers) with Hooke-Jeeves pattern moves, and random
 * multi-variable jumps. All legalized and deduplicated.
 */
import { areaOf, legalizeValues, scaleMeshes, type HardwareTemplate, type HardwareVariable } from '../hardware/template.js';
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
 * A point moved inside an area budget (mm^2) when it is over it: every variable's log value pulled toward its minimum
 * by the same fraction (bisection on the fraction), so the point keeps its proportions. Area is a closed form of the
 * values, so this costs no model evaluation; a point over the budget would be judged infeasible after a full search.
 * The point itself when it fits, or when even the smallest point does not.
 */
export function withinArea(t: HardwareTemplate, values: Record<string, number>, area_mm2: number | null): Record<string, number> {
  const area = (v: Record<string, number>) => areaOf(t, v) / 1e6;
  if (area_mm2 === null || area(values) <= area_mm2) return values;
  const at = (lambda: number) =>
    legalizeValues(
      t,
      Object.fromEntries(t.variables.map((v) => [v.name, Math.exp(Math.log(v.min) + lambda * (Math.log(values[v.name]!) - Math.log(v.min)))])),
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
  const meshes = t.variables.filter(isMesh);
  if (meshes.length > 0) {
    // trades along an area or power budget: a larger array with smaller buffers (all, or each one), and the reverse
    const buffers = t.variables.filter((v) => !isMesh(v));
    moves.push(scaleBuffers(t, scaleMeshes(t, values, f), 1 / f), scaleBuffers(t, scaleMeshes(t, values, 1 / f), f));
    for (const b of buffers) moves.push(scaleBuffers(t, scaleMeshes(t, values, f), 1 / f, b.name));
  }
  if (meshes.length > 1) {
    moves.push(scaleMeshes(t, values, f), scaleMeshes(t, values, 1 / f));
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
