/**
 * Candidates (layer, accelerator, mapping objects) in, exact results out, through the fused float64 kernel. Each
 * candidate is flattened into scratch arrays and evaluated at once: no batch-wide encoding, no tensors.
 */
import { InputError } from '../../errors.js';
import type { Mapping } from '../../mapping/mapping.js';
import { DATASPACES, DIMS, type Dim } from '../../workload/layer.js';
import { NDIM, NDS, type Candidate } from '../encode.js';
import { linkOverrides } from '../links.js';
import { evalCandidate, mayLink, newDetail, type Detail, type Results } from './kernel.js';
import { specFor, type LayerSpec } from './spec.js';

/** Counts above this are not exact in float64; a layer that could reach it is refused. */
export const MAX_EXACT_COUNT = Number.MAX_SAFE_INTEGER; // 2^53 - 1

export const DIM_INDEX = new Map<Dim, number>(DIMS.map((d, i) => [d, i]));
const MAXL = 16;

/** Scratch arrays for one candidate in the kernel's flat layout (up to 16 levels); each caller owns its own set. */
export function flatBuffers(): { nT: Float64Array; nS: Float64Array; perm: Int32Array; keep: Uint8Array } {
  return {
    nT: new Float64Array(MAXL * NDIM),
    nS: new Float64Array(MAXL * NDIM),
    perm: new Int32Array(MAXL * NDIM),
    keep: new Uint8Array(MAXL * NDS),
  };
}
const { nT, nS, perm, keep } = flatBuffers();

/** Write one mapping into flat arrays at level offset `o` (the kernel's layout). */
export function flattenMapping(m: Mapping, fT: Float64Array, fS: Float64Array, fPerm: Int32Array, fKeep: Uint8Array, o: number): void {
  m.levels.forEach((lm, s) => {
    const base = (o + s) * NDIM;
    for (let x = 0; x < NDIM; x++) {
      const d = DIMS[x]!;
      fT[base + x] = lm.temporal[d];
      fS[base + x] = lm.spatial[d];
      fPerm[base + x] = DIM_INDEX.get(lm.permutation[x]!)!;
    }
    DATASPACES.forEach((ds, i) => (fKeep[(o + s) * NDS + i] = lm.keep[ds] ? 1 : 0));
  });
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

function run(c: Candidate, out: Results, b: number, detail: Detail | null): void {
  const sp = specOf(c);
  flattenMapping(c.mapping, nT, nS, perm, keep, 0);
  evalCandidate(sp, nT, nS, perm, keep, 0, out, b, mayLink(sp, nT, nS, perm, keep, 0) ? linkOverrides(c) : null, detail);
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
export function detailFast(c: Candidate): { metrics: FastMetrics; detail: Detail; links: ReturnType<typeof linkOverrides> } {
  const out = newResults(1);
  const detail = newDetail(c.arch.levels.length);
  const sp = specOf(c);
  flattenMapping(c.mapping, nT, nS, perm, keep, 0);
  const links = linkOverrides(c);
  evalCandidate(sp, nT, nS, perm, keep, 0, out, 0, links, detail);
  return { metrics: out, detail, links };
}
