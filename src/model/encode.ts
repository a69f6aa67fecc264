import type { Accelerator } from '../hardware/accelerator.js';
import type { Mapping } from '../mapping/mapping.js';
import { DATASPACES, DIMS, type Dim, type Problem } from '../workload/layer.js';

/** One thing to evaluate: a layer, an accelerator and a mapping onto it. */
export interface Candidate {
  problem: Problem;
  arch: Accelerator;
  mapping: Mapping;
}

export const NDIM = 7;
export const NDS = 3;
/** Every dataspace has four data axes (Timeloop's projections); an unused axis has extent 1. */
export const NAX = 4;
const DIM_INDEX: Record<Dim, number> = Object.fromEntries(DIMS.map((d, i) => [d, i])) as Record<Dim, number>;

/**
 * Data axes per dataspace: up to two dims feed one axis (Inputs' W = Wstride*P + Wdilation*R), the first of the
 * pair is the "primary". Coefficient names refer to the problem's strides and dilations.
 */
type AxisTerm = { dim: Dim; coef: 'one' | 'Wstride' | 'Wdilation' | 'Hstride' | 'Hdilation' };
type Axis = AxisTerm[];
function axesOf(ds: (typeof DATASPACES)[number], depthwise: boolean): Axis[] {
  const one = (dim: Dim): Axis => [{ dim, coef: 'one' }];
  switch (ds) {
    case 'Weights':
      return depthwise ? [one('C'), [], one('R'), one('S')] : [one('C'), one('K'), one('R'), one('S')];
    case 'Inputs':
      return [
        one('N'),
        one('C'),
        [
          { dim: 'P', coef: 'Wstride' },
          { dim: 'R', coef: 'Wdilation' },
        ],
        [
          { dim: 'Q', coef: 'Hstride' },
          { dim: 'S', coef: 'Hdilation' },
        ],
      ];
    case 'Outputs':
      return depthwise ? [one('N'), one('C'), one('Q'), one('P')] : [one('N'), one('K'), one('Q'), one('P')];
  }
}

/**
 * A batch packed into flat typed arrays: the discrete structure (permutations, keep, projections) and the integer
 * factors. Levels are padded at the inner end so that every candidate has `S` levels with DRAM last; a padding level
 * has unit factors, keeps nothing and costs nothing.
 */
export interface EncodedBatch {
  B: number;
  S: number;
  /** number of real levels per candidate and padding at the inner end */
  levels: Int32Array;
  pad: Int32Array;
  /** [B,S,7] temporal and spatial factors */
  nT: Float32Array;
  nS: Float32Array;
  /** [B,S,7(position),7(dim)] one-hot temporal permutation, innermost position first */
  perm: Float32Array;
  /** [B,7,12] coefficient of each dim on each (dataspace, axis); SEL1/SEL2 pick the primary/secondary dim */
  coef: Float32Array;
  sel1: Float32Array;
  sel2: Float32Array;
  /** [B,S,3] */
  keep: Float32Array;
  /**
   * [B,S,12] for an axis fed by two spatial loops of one level (Inputs' P and R, or Q and S): their strides in data
   * space divided by the gcd, which decides how many child offsets coincide (§4 diagonal sharing). 1e9 elsewhere.
   */
  aRed: Float32Array;
  bRed: Float32Array;
  /** [B] */
  macs: Float32Array;
}

/** Hardware parameters the model reads, per candidate and level; co-optimization computes them from variables. */
export interface EncodedArch {
  /** [B,S] pJ per block access; per-cycle leakage per instance */
  eRead: Float32Array;
  eWrite: Float32Array;
  eLeak: Float32Array;
  block: Float32Array;
  /** [B,S] 1/bandwidth in cycles per word, 0 = unlimited */
  invRead: Float32Array;
  invWrite: Float32Array;
  invShared: Float32Array;
  /** [B,S] hardware instances and area per instance (um^2) */
  instances: Float32Array;
  area: Float32Array;
  /** [B] */
  macEnergy: Float32Array;
  macArea: Float32Array;
  macInstances: Float32Array;
  clockGHz: Float32Array;
}

const NO_OVERLAP = 1e9;
const INPUTS = 1;

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

/** Fill aRed/bRed for levels where P and R (or Q and S) are both unrolled spatially. */
function diagonalStrides(c: Candidate, pad: number, S: number, batch: EncodedBatch, b: number): void {
  const extent: Record<Dim, number> = { R: 1, S: 1, P: 1, Q: 1, C: 1, K: 1, N: 1 };
  const p = c.problem;
  const pairs = [
    { axis: 2, first: 'P', second: 'R', c1: p.Wstride, c2: p.Wdilation },
    { axis: 3, first: 'Q', second: 'S', c1: p.Hstride, c2: p.Hdilation },
  ] as const;
  c.mapping.levels.forEach((lm, l) => {
    for (const pr of pairs) {
      if (lm.spatial[pr.first] > 1 && lm.spatial[pr.second] > 1) {
        const av = pr.c1 * extent[pr.first];
        const bv = pr.c2 * extent[pr.second];
        const g = gcd(av, bv);
        const i = ((b * S + l + pad) * NDS + INPUTS) * NAX + pr.axis;
        batch.aRed[i] = av / g;
        batch.bRed[i] = bv / g;
      }
    }
    for (const d of DIMS) extent[d] *= lm.temporal[d] * lm.spatial[d];
  });
}

export function encodeBatch(cands: readonly Candidate[]): { batch: EncodedBatch; arch: EncodedArch } {
  const B = cands.length;
  const S = Math.max(1, ...cands.map((c) => c.arch.levels.length));
  const f = (n: number) => new Float32Array(n);
  const batch: EncodedBatch = {
    B,
    S,
    levels: new Int32Array(B),
    pad: new Int32Array(B),
    nT: f(B * S * NDIM).fill(1),
    nS: f(B * S * NDIM).fill(1),
    perm: f(B * S * NDIM * NDIM),
    coef: f(B * NDIM * NDS * NAX),
    sel1: f(B * NDIM * NDS * NAX),
    sel2: f(B * NDIM * NDS * NAX),
    keep: f(B * S * NDS),
    aRed: f(B * S * NDS * NAX).fill(NO_OVERLAP),
    bRed: f(B * S * NDS * NAX).fill(NO_OVERLAP),
    macs: f(B),
  };
  const arch: EncodedArch = {
    eRead: f(B * S),
    eWrite: f(B * S),
    eLeak: f(B * S),
    block: f(B * S).fill(1),
    invRead: f(B * S),
    invWrite: f(B * S),
    invShared: f(B * S),
    instances: f(B * S),
    area: f(B * S),
    macEnergy: f(B),
    macArea: f(B),
    macInstances: f(B),
    clockGHz: f(B),
  };
  cands.forEach((c, b) => {
    const L = c.arch.levels.length;
    if (c.mapping.levels.length !== L) {
      throw new Error(`mapping has ${c.mapping.levels.length} levels but ${c.arch.name} has ${L}`);
    }
    const pad = S - L;
    batch.levels[b] = L;
    batch.pad[b] = pad;
    for (let s = 0; s < S; s++) {
      const base = (b * S + s) * NDIM;
      const lm = s >= pad ? c.mapping.levels[s - pad]! : null;
      for (let p = 0; p < NDIM; p++) {
        const dim = lm ? lm.permutation[p]! : DIMS[p]!;
        batch.perm[(base + p) * NDIM + DIM_INDEX[dim]] = 1;
      }
      if (!lm) continue;
      DIMS.forEach((d, x) => {
        batch.nT[base + x] = lm.temporal[d];
        batch.nS[base + x] = lm.spatial[d];
      });
      DATASPACES.forEach((ds, i) => {
        batch.keep[(b * S + s) * NDS + i] = lm.keep[ds] ? 1 : 0;
      });
      const lv = c.arch.levels[s - pad]!;
      const k = b * S + s;
      arch.eRead[k] = lv.energy.read;
      arch.eWrite[k] = lv.energy.write;
      arch.eLeak[k] = lv.energy.leak;
      arch.block[k] = lv.blockSize;
      arch.invRead[k] = lv.readBandwidth ? 1 / lv.readBandwidth : 0;
      arch.invWrite[k] = lv.writeBandwidth ? 1 / lv.writeBandwidth : 0;
      arch.invShared[k] = lv.sharedBandwidth ? 1 / lv.sharedBandwidth : 0;
      arch.instances[k] = lv.instances;
      arch.area[k] = lv.areaUm2;
    }
    const p = c.problem;
    const coefValue = { one: 1, Wstride: p.Wstride, Wdilation: p.Wdilation, Hstride: p.Hstride, Hdilation: p.Hdilation };
    DATASPACES.forEach((ds, i) => {
      axesOf(ds, p.depthwise).forEach((axis, a) => {
        axis.forEach((term, t) => {
          const idx = (b * NDIM + DIM_INDEX[term.dim]) * NDS * NAX + i * NAX + a;
          batch.coef[idx] = coefValue[term.coef];
          (t === 0 ? batch.sel1 : batch.sel2)[idx] = 1;
        });
      });
    });
    diagonalStrides(c, pad, S, batch, b);
    batch.macs[b] = DIMS.reduce((m, d) => m * p.dims[d], 1);
    arch.macEnergy[b] = c.arch.mac.energyPerMAC;
    arch.macArea[b] = c.arch.mac.areaUm2;
    arch.macInstances[b] = c.arch.mac.instances;
    arch.clockGHz[b] = c.arch.clockGHz;
  });
  return { batch, arch };
}
