/**
 * What the fast exact path precomputes once per (accelerator, layer): the projections of the seven dims onto each
 * dataspace's four data axes, relevance, and the hardware numbers per level. Plain numbers and typed arrays only, so
 * that a spec can be sent to a worker (structured clone) and used in a browser.
 */
import { fanoutBelow, type Accelerator } from '../../hardware/accelerator.js';
import { DATASPACES, DIMS, type Problem } from '../../workload/layer.js';
import { NAX, NDIM, NDS } from '../encode.js';

export const NA = NDS * NAX; // 12 (dataspace, axis) pairs
export const I_P = DIMS.indexOf('P');
export const I_Q = DIMS.indexOf('Q');
export const I_R = DIMS.indexOf('R');
export const I_S = DIMS.indexOf('S');

export interface LayerSpec {
  /** storage levels, innermost first */
  L: number;
  /** [7][12] coefficient of each dim on each (dataspace, axis); sel1/sel2 mark the primary/secondary dim of an axis */
  coef: Float64Array;
  sel1: Uint8Array;
  sel2: Uint8Array;
  /** per (dataspace, axis): its primary and secondary dim (-1: none) and their coefficients, the sparse form of coef */
  term1: Int32Array;
  term2: Int32Array;
  c1: Float64Array;
  c2: Float64Array;
  /** [7] the layer's size in each dim (a dim of size 1 has every factor 1 in a valid mapping) */
  bound: Float64Array;
  /** [7][3] the dim indexes the dataspace */
  rel: Uint8Array;
  Wstride: number;
  Hstride: number;
  Wdilation: number;
  Hdilation: number;
  macs: number;
  /** [L] pJ per block access, words per block, words per cycle per instance (0 = unlimited), instances, um^2 */
  eRead: Float64Array;
  eWrite: Float64Array;
  block: Float64Array;
  readBW: Float64Array;
  writeBW: Float64Array;
  sharedBW: Float64Array;
  hwInstances: Float64Array;
  area: Float64Array;
  /** [L] the physical mesh width of the fanout below each level (mesh neighbours for link transfers, §8) */
  fanX: Float64Array;
  macEnergy: number;
  macArea: number;
  macInstances: number;
  clockGHz: number;
}

/** The same axes as the tensor encoder (`axesOf` in encode.ts): coefficient names refer to strides and dilations. */
function axisTerms(ds: (typeof DATASPACES)[number], p: Problem): [number, number][][] {
  const d = (x: (typeof DIMS)[number]) => DIMS.indexOf(x);
  const one = (x: (typeof DIMS)[number]): [number, number][] => [[d(x), 1]];
  switch (ds) {
    case 'Weights':
      return p.depthwise ? [one('C'), [], one('R'), one('S')] : [one('C'), one('K'), one('R'), one('S')];
    case 'Inputs':
      return [
        one('N'),
        one('C'),
        [
          [d('P'), p.Wstride],
          [d('R'), p.Wdilation],
        ],
        [
          [d('Q'), p.Hstride],
          [d('S'), p.Hdilation],
        ],
      ];
    case 'Outputs':
      return p.depthwise ? [one('N'), one('C'), one('Q'), one('P')] : [one('N'), one('K'), one('Q'), one('P')];
  }
}

export function buildSpec(problem: Problem, arch: Accelerator): LayerSpec {
  const L = arch.levels.length;
  const coef = new Float64Array(NDIM * NA);
  const sel1 = new Uint8Array(NDIM * NA);
  const sel2 = new Uint8Array(NDIM * NA);
  const rel = new Uint8Array(NDIM * NDS);
  DATASPACES.forEach((ds, i) => {
    axisTerms(ds, problem).forEach((terms, a) => {
      terms.forEach(([x, k], t) => {
        coef[x * NA + i * NAX + a] = k;
        (t === 0 ? sel1 : sel2)[x * NA + i * NAX + a] = 1;
        rel[x * NDS + i] = 1;
      });
    });
  });
  const term1 = new Int32Array(NA).fill(-1);
  const term2 = new Int32Array(NA).fill(-1);
  const c1 = new Float64Array(NA);
  const c2 = new Float64Array(NA);
  for (let j = 0; j < NA; j++) {
    for (let x = 0; x < NDIM; x++) {
      if (sel1[x * NA + j]) {
        term1[j] = x;
        c1[j] = coef[x * NA + j]!;
      } else if (sel2[x * NA + j]) {
        term2[j] = x;
        c2[j] = coef[x * NA + j]!;
      }
    }
  }
  const per = (f: (k: number) => number) => Float64Array.from({ length: L }, (_, k) => f(k));
  const lv = arch.levels;
  return {
    L,
    coef,
    sel1,
    sel2,
    term1,
    term2,
    c1,
    c2,
    bound: Float64Array.from(DIMS, (d) => problem.dims[d]),
    rel,
    Wstride: problem.Wstride,
    Hstride: problem.Hstride,
    Wdilation: problem.Wdilation,
    Hdilation: problem.Hdilation,
    macs: DIMS.reduce((m, d) => m * problem.dims[d], 1),
    eRead: per((k) => lv[k]!.energy.read),
    eWrite: per((k) => lv[k]!.energy.write),
    block: per((k) => lv[k]!.blockSize),
    readBW: per((k) => lv[k]!.readBandwidth ?? 0),
    writeBW: per((k) => lv[k]!.writeBandwidth ?? 0),
    sharedBW: per((k) => lv[k]!.sharedBandwidth ?? 0),
    hwInstances: per((k) => lv[k]!.instances),
    area: per((k) => lv[k]!.areaUm2),
    fanX: per((k) => fanoutBelow(arch, k).x),
    macEnergy: arch.mac.energyPerMAC,
    macArea: arch.mac.areaUm2,
    macInstances: arch.mac.instances,
    clockGHz: arch.clockGHz,
  };
}

const specCache = new WeakMap<Accelerator, WeakMap<Problem, LayerSpec>>();

/** One spec per (accelerator, problem) object pair. */
export function specFor(problem: Problem, arch: Accelerator): LayerSpec {
  let m = specCache.get(arch);
  if (!m) specCache.set(arch, (m = new WeakMap()));
  let s = m.get(problem);
  if (!s) m.set(problem, (s = buildSpec(problem, arch)));
  return s;
}
