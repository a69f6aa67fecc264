/**
 * Hardware candidates for the co-optimizer's screening: a spread over the whole template (PE-array sizes crossed with
 * buffer-depth scales, random points), and the joint neighbourhood of an incumbent (each variable one step, the array
 * scaled or reshaped, the array scaled together with one or all buffer depths, random multi-variable jumps). All
 * legalized and deduplicated; cheap to score with `HardwareEvaluator.screen`.
 */
import { legalizeValues, originalValues, reshapeMeshes, scaleMeshes, type HardwareTemplate, type HardwareVariable } from '../hardware/template.js';
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

/** A spread over the template: PE arrays from 1/32 to 4x the original's, each with buffers at 1/4 ... 2x, the original reshaped, and random points. */
export function globalCandidates(t: HardwareTemplate, r: () => number, random: number): Record<string, number>[] {
  const o = originalValues(t);
  const out: Record<string, number>[] = [];
  for (const f of [1 / 32, 1 / 16, 1 / 8, 1 / 4, 1 / 2, 1, 2, 4]) {
    const m = scaleMeshes(t, o, f);
    for (const g of [1 / 4, 1 / 2, 1, 2]) out.push(scaleBuffers(t, m, g));
  }
  out.push(...reshapeMeshes(t, o));
  for (let i = 0; i < random; i++) out.push(randomValues(t, r));
  return dedupeValues(out.map((v) => legalizeValues(t, v)));
}

/** The joint neighbourhood of a hardware point (without the point itself). */
export function neighbourhood(t: HardwareTemplate, values: Record<string, number>, r: () => number, jumps: number): Record<string, number>[] {
  const moves: Record<string, number>[] = [];
  for (const v of t.variables)
    for (const dir of [1, -1] as const)
      for (const ratio of [1.1, 1.25, 2]) {
        const y = stepVariable(v, values[v.name]!, dir, ratio);
        if (y !== null) moves.push({ ...values, [v.name]: y });
      }
  moves.push(...reshapeMeshes(t, values));
  const buffers = t.variables.filter((v) => !isMesh(v));
  for (const f of [0.5, 0.7, 1.4, 2]) {
    const m = scaleMeshes(t, values, f);
    moves.push(m);
    // the array and the buffers together: a larger array needs less reuse per PE, a smaller one more
    for (const g of [0.5, 2]) {
      moves.push(scaleBuffers(t, m, g));
      for (const b of buffers) moves.push(scaleBuffers(t, m, g, b.name));
    }
  }
  for (let i = 0; i < jumps; i++) moves.push(jump(t, values, r, 1.5));
  const self = hardwareKey(legalizeValues(t, values));
  return dedupeValues(moves.map((m) => legalizeValues(t, m))).filter((v) => hardwareKey(v) !== self);
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
