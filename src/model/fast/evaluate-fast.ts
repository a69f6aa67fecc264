/**
 * Candidates (layer, accelerator, mapping objects) in, exact results out, through the fused float64 kernel. Each
 * candidate is flattened into scratch arrays and evaluated at once: no batch-wide encoding, no tensors.
 */
import { InputError } from '../../errors.js';
import type { Mapping } from '../../mapping/mapping.js';
import { DATASPACES, DIMS, type Dim } from '../../workload/layer.js';
import { NDIM, NDS, type Candidate } from '../encode.js';
import { evalCandidate, newDetail, type CandidateLinks, type Detail, type Results } from './kernel.js';
import { specKernel } from './codegen.js';
import { specFor, type LayerSpec } from './spec.js';

/** Counts above this are not exact in float64; a layer that could reach it is refused. */
export const MAX_EXACT_COUNT = Number.MAX_SAFE_INTEGER; // 2^53 - 1

export const DIM_INDEX = new Map<Dim, number>(DIMS.map((d, i) => [d, i]));
const MAXL = 16;

/**
 * Candidates in the kernel's flat layout (`kernel.ts`), `levels` levels in all: a candidate of L levels at level
 * offset o uses rows o..o+L-1 of every array.
 */
export interface FlatCandidates {
  nT: Float64Array;
  nS: Float64Array;
  perm: Int32Array;
  keep: Uint8Array;
  sperm: Int32Array;
  split: Int32Array;
}

/** Flat arrays for `levels` levels (16 by default: scratch for one candidate); each caller owns its own set. */
export function flatBuffers(levels = MAXL): FlatCandidates {
  return {
    nT: new Float64Array(levels * NDIM),
    nS: new Float64Array(levels * NDIM),
    perm: new Int32Array(levels * NDIM),
    keep: new Uint8Array(levels * NDS),
    sperm: new Int32Array(levels * NDIM),
    split: new Int32Array(levels),
  };
}
const flat = flatBuffers();

/** Write one mapping into flat arrays at level offset `o` (the kernel's layout). */
export function flattenMapping(m: Mapping, f: FlatCandidates, o: number): void {
  m.levels.forEach((lm, s) => {
    const base = (o + s) * NDIM;
    for (let x = 0; x < NDIM; x++) {
      const d = DIMS[x]!;
      f.nT[base + x] = lm.temporal[d];
      f.nS[base + x] = lm.spatial[d];
      f.perm[base + x] = DIM_INDEX.get(lm.permutation[x]!)!;
      f.sperm[base + x] = DIM_INDEX.get(lm.spatialPermutation[x]!)!;
    }
    f.split[o + s] = lm.split;
    DATASPACES.forEach((ds, i) => (f.keep[(o + s) * NDS + i] = lm.keep[ds] ? 1 : 0));
  });
}

/**
 * Evaluate flat candidate at level offset `o` into `out[b]`; returns its link transfers (null when none). The
 * spec's generated kernel (`codegen.ts`) takes the candidates it covers; the generic kernel the rest and the detail.
 */
export function evalFlat(
  sp: LayerSpec,
  f: FlatCandidates,
  o: number,
  out: Results,
  b: number,
  detail: Detail | null = null,
): CandidateLinks[] | null {
  if (detail === null) {
    const k = specKernel(sp);
    if (k !== null && k(f.nT, f.nS, f.perm, f.keep, o, out, b)) return null;
  }
  return evalCandidate(sp, f.nT, f.nS, f.perm, f.keep, f.sperm, f.split, o, out, b, detail);
}

/**
 * Every count of a layer is at most its MACs times the sliding-window growth of Inputs (stride plus dilation on each
 * axis) times a small constant; refuse a layer whose bound passes 2^53, where float64 stops counting exactly.
 */
export function assertRepresentable(sp: LayerSpec, name: string): void {
  const bound = sp.macs * (sp.Wstride + sp.Wdilation) * (sp.Hstride + sp.Hdilation) * 4;
  if (!(bound <= MAX_EXACT_COUNT)) {
    throw new InputError(
      name,
      'instance',
      `a layer whose counts stay below 2^53 (${MAX_EXACT_COUNT.toExponential(3)}, the largest exact float64 integer), got ${sp.macs.toExponential(3)} MACs`,
    );
  }
}

function specOf(c: Candidate): LayerSpec {
  const sp = specFor(c.problem, c.arch);
  if (c.mapping.levels.length !== sp.L) throw new Error(`mapping has ${c.mapping.levels.length} levels but ${c.arch.name} has ${sp.L}`);
  assertRepresentable(sp, c.problem.name);
  return sp;
}

function run(c: Candidate, out: Results, b: number, detail: Detail | null): CandidateLinks[] | null {
  const sp = specOf(c);
  flattenMapping(c.mapping, flat, 0);
  return evalFlat(sp, flat, 0, out, b, detail);
}

export interface FastMetrics {
  cycles: Float64Array;
  energy: Float64Array;
  power: Float64Array;
  area: Float64Array;
}

export function newResults(n: number): FastMetrics {
  return { cycles: new Float64Array(n), energy: new Float64Array(n), power: new Float64Array(n), area: new Float64Array(n) };
}

/** Cycles, energy (pJ), power (mW) and area (um^2) of every candidate. */
export function metricsFast(cands: readonly Candidate[]): FastMetrics {
  const out = newResults(cands.length);
  for (let b = 0; b < cands.length; b++) run(cands[b]!, out, b, null);
  return out;
}

/** One candidate with per-level detail (per-instance counts). */
export function detailFast(c: Candidate): { metrics: FastMetrics; detail: Detail; links: CandidateLinks[] | null } {
  const out = newResults(1);
  const detail = newDetail(c.arch.levels.length);
  const links = run(c, out, 0, detail);
  return { metrics: out, detail, links };
}
