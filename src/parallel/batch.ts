/**
 * A batch of candidates in the fast kernel's flat layout, in memory that worker threads can share
 * (SharedArrayBuffer where it exists, plain ArrayBuffers otherwise), with one result slot per candidate. Candidates
 * of any (accelerator, layer) pairs mix in one batch: each names its LayerSpec and its level offset.
 */
import { NDIM, NDS } from '../model/encode.js';
import { evalFlat, type FastMetrics, type FlatCandidates } from '../model/fast/evaluate-fast.js';
import type { LayerSpec } from '../model/fast/spec.js';

const Shared: { new (n: number): ArrayBufferLike } = typeof SharedArrayBuffer === 'function' ? SharedArrayBuffer : ArrayBuffer;

function f64(n: number): Float64Array {
  return new Float64Array(new Shared(n * 8));
}
function i32(n: number): Int32Array {
  return new Int32Array(new Shared(n * 4));
}

export class FlatBatch {
  /** candidates in the batch */
  n = 0;
  /** levels used so far (the next candidate's level offset) */
  levels = 0;
  flat!: FlatCandidates;
  /** per candidate: its level offset in `flat` */
  offset!: Int32Array;
  /** per candidate: its spec */
  readonly specs: LayerSpec[] = [];
  out!: FastMetrics;
  private capC = 0;
  private capL = 0;

  constructor(candidates = 256, levels = candidates * 6) {
    this.grow(candidates, levels);
  }

  /** Empty the batch (keeps its memory). */
  reset(): void {
    this.n = 0;
    this.levels = 0;
    this.specs.length = 0;
  }

  /**
   * Append a candidate of `spec`; returns its level offset, where the caller then writes it into `flat`
   * (`flattenPoint`, `flattenMapping`). Read `flat` after the call: it may grow the arrays.
   */
  push(spec: LayerSpec): number {
    if (this.n + 1 > this.capC || this.levels + spec.L > this.capL)
      this.grow(Math.max(2 * this.capC, this.n + 1), Math.max(2 * this.capL, this.levels + spec.L));
    const o = this.levels;
    this.offset[this.n] = o;
    this.specs[this.n] = spec;
    this.n++;
    this.levels += spec.L;
    return o;
  }

  private grow(c: number, l: number): void {
    const old = this.capC > 0 ? { flat: this.flat, offset: this.offset } : null;
    this.flat = {
      nT: f64(l * NDIM),
      nS: f64(l * NDIM),
      perm: i32(l * NDIM),
      keep: new Uint8Array(new Shared(l * NDS)),
      sperm: i32(l * NDIM),
      split: i32(l),
    };
    this.offset = i32(c);
    this.out = { cycles: f64(c), energy: f64(c), power: f64(c), area: f64(c) };
    if (old) {
      for (const k of Object.keys(old.flat) as (keyof FlatCandidates)[]) (this.flat[k] as Float64Array).set(old.flat[k] as Float64Array);
      this.offset.set(old.offset);
    }
    this.capC = c;
    this.capL = l;
  }
}

/** Evaluate candidates [from, to) of a batch's arrays into its results (what each worker runs on its part). */
export function evaluateRange(
  specs: readonly LayerSpec[],
  flat: FlatCandidates,
  offset: Int32Array,
  out: FastMetrics,
  from: number,
  to: number,
): void {
  for (let b = from; b < to; b++) evalFlat(specs[b]!, flat, offset[b]!, out, b);
}

/**
 * The deterministic partition of n candidates into `parts` contiguous ranges: results do not depend on it (every
 * candidate is evaluated on its own), so a run with any number of workers gives the same numbers.
 */
export function partition(n: number, parts: number): [number, number][] {
  const out: [number, number][] = [];
  for (let k = 0; k < parts; k++) out.push([Math.floor((k * n) / parts), Math.floor(((k + 1) * n) / parts)]);
  return out;
}
