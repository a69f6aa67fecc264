/**
 * The fast exact path: the model of `formulate.ts` (TIMELOOP-SEMANTICS §1-§10) for one candidate at a time, as fused
 * float64 loops over flat typed arrays. It computes the same closed forms as the tensor formulation, but it walks
 * only the non-unit temporal loops (a unit loop carries nothing), so a candidate costs a few hundred operations.
 * The differential tests (`test/model-fast.test.ts`) pin it to the tensor formulation on every count.
 *
 * Layout of one candidate (L storage levels, innermost first; dims in DIMS order R S P Q C K N):
 *   nT, nS [L*7] temporal and spatial factors; perm [L*7] temporal loop order as dim indexes, innermost first;
 *   keep [L*3] Weights, Inputs, Outputs kept (1) or bypassed (0).
 */
import { levelCycles } from '../cycles.js';
import { NAX, NDIM, NDS } from '../encode.js';
import { flatLinks, type ActiveLoops, type CandidateLinks } from './links-flat.js';
import { I_P, I_Q, I_R, I_S, NA, type LayerSpec } from './spec.js';

export type { CandidateLinks, LinkOverride } from './links-flat.js';

/** Per-level results, per instance (as Timeloop prints them); [L] or [L*3]. */
export interface Detail {
  levelEnergy: Float64Array;
  levelCycles: Float64Array;
  instances: Float64Array;
  reads: Float64Array;
  fills: Float64Array;
  updates: Float64Array;
  tile: Float64Array;
  multicast: Float64Array;
  computeCycles: number;
  utilizedMacs: number;
}

export function newDetail(L: number): Detail {
  const f = (n: number) => new Float64Array(n);
  return {
    levelEnergy: f(L),
    levelCycles: f(L),
    instances: f(L),
    reads: f(L * NDS),
    fills: f(L * NDS),
    updates: f(L * NDS),
    tile: f(L * NDS),
    multicast: f(L * NDS),
    computeCycles: 0,
    utilizedMacs: 0,
  };
}

export interface Results {
  cycles: Float64Array;
  energy: Float64Array;
  power: Float64Array;
  area: Float64Array;
}

const MAXL = 16;
const MAXK = MAXL * NDIM;
// scratch, reused by every call (one thread runs one candidate at a time)
const e = new Float64Array(MAXL * NDIM);
const ePrev = new Float64Array(MAXL * NDIM);
const E = new Float64Array(MAXL * NA);
const tile = new Float64Array(MAXL * NDS);
const fills = new Float64Array(MAXL * NDS);
const U = new Float64Array(MAXL * NDS);
const ca = new Float64Array(MAXL * NDS);
const inst = new Float64Array(MAXL);
const spl = new Float64Array(MAXL);
const partO = new Float64Array(MAXL);
// active (non-unit) temporal loops above level 0, innermost first
const kLev = new Int32Array(MAXK);
const kDim = new Int32Array(MAXK);
const kN = new Float64Array(MAXK);
const kC = new Float64Array(MAXK * NAX); // translation of one step of the loop in Inputs' data axes
const kAw = new Float64Array(MAXK); // (n - 1) * product of the loops outside
const kSig = new Float64Array(MAXK); // stride: the product of everything inside the loop, spatial loops included
const active: ActiveLoops = { n: 0, lev: kLev, dim: kDim, fac: kN, stride: kSig };
const tau = new Float64Array(NAX);
const acc = new Float64Array(NAX);
const tau1 = new Float64Array(NAX);

/**
 * Evaluate candidate `b` of a flat batch into `out[b]` (cycles, energy pJ, power mW, area um^2), and into `detail`
 * when given. `o` is the candidate's offset in levels (b * L for a batch of one spec). `sperm` [L*7] and `split` [L]
 * are each level's spatial loop order (dim indexes, innermost first) and how many of them lie on X, for the link
 * transfers (§8). Returns the candidate's link transfers, or null when it has none (the common case).
 */
export function evalCandidate(
  sp: LayerSpec,
  nT: ArrayLike<number>,
  nS: ArrayLike<number>,
  perm: ArrayLike<number>,
  keep: ArrayLike<number>,
  sperm: ArrayLike<number>,
  split: ArrayLike<number>,
  o: number,
  out: Results,
  b: number,
  detail: Detail | null,
): CandidateLinks[] | null {
  const L = sp.L;
  const o7 = o * NDIM;
  const o3 = o * NDS;
  const coef = sp.coef;
  const rel = sp.rel;

  // extents, tiles (projected bounding boxes) and compute cycles
  let cc = 1;
  for (let x = 0; x < NDIM; x++) {
    let run = 1;
    for (let s = 0; s < L; s++) {
      const t = nT[o7 + s * NDIM + x]!;
      ePrev[s * NDIM + x] = run;
      run *= t * nS[o7 + s * NDIM + x]!;
      e[s * NDIM + x] = run;
      cc *= t;
    }
  }
  const term1 = sp.term1;
  const term2 = sp.term2;
  const c1 = sp.c1;
  const c2 = sp.c2;
  for (let s = 0; s < L; s++) {
    const es = s * NDIM;
    for (let j = 0; j < NA; j++) {
      const x1 = term1[j]!;
      const x2 = term2[j]!;
      let v = 1;
      if (x1 >= 0) v += (e[es + x1]! - 1) * c1[j]!;
      if (x2 >= 0) v += (e[es + x2]! - 1) * c2[j]!;
      E[s * NA + j] = v;
    }
    for (let d = 0; d < NDS; d++) {
      const q = s * NA + d * NAX;
      tile[s * NDS + d] = E[q]! * E[q + 1]! * E[q + 2]! * E[q + 3]!;
    }
  }

  // the non-unit temporal loops of levels 1..L-1, innermost first
  let nk = 0;
  for (let s = 1; s < L; s++) {
    for (let p = 0; p < NDIM; p++) {
      const x = perm[o7 + s * NDIM + p]!;
      const n = nT[o7 + s * NDIM + x]!;
      if (n <= 1) continue;
      kLev[nk] = s;
      kDim[nk] = x;
      kN[nk] = n;
      const sig = ePrev[s * NDIM + x]! * nS[o7 + s * NDIM + x]!;
      kSig[nk] = sig;
      for (let a = 0; a < NAX; a++) kC[nk * NAX + a] = coef[x * NA + NAX + a]! * sig;
      nk++;
    }
  }
  active.n = nk;
  const links = flatLinks(sp, nS, keep, sperm, split, o, ePrev, E, active);
  let suffix = 1;
  for (let k = nk - 1; k >= 0; k--) {
    kAw[k] = (kN[k]! - 1) * suffix;
    suffix *= kN[k]!;
  }

  // fills (§3): for every level below the top, the steps of the loops above it
  let k0 = 0; // first active loop above level r
  for (let r = 0; r < L - 1; r++) {
    while (k0 < nk && kLev[k0]! <= r) k0++;
    let stepW = 0;
    let stepO = 0;
    let stepI = 0;
    let seenW = false;
    let seenO = false;
    acc.fill(0);
    for (let k = k0; k < nk; k++) {
      const x = kDim[k]!;
      const aw = kAw[k]!;
      // Weights and Outputs: reuse until the first relevant loop, a whole tile per step from there on (§3.2)
      if (!seenW && rel[x * NDS]) seenW = true;
      if (!seenO && rel[x * NDS + 2]) seenO = true;
      if (seenW) stepW += aw;
      if (seenO) stepO += aw;
      // Inputs (§3.1): the carry into loop k resets the inner loops above r
      let nz = 0;
      let axis = -1;
      let eq = true;
      for (let a = 0; a < NAX; a++) {
        const t = kC[k * NAX + a]! - acc[a]!;
        acc[a] += kC[k * NAX + a]!;
        tau[a] = t;
        if (k === k0) tau1[a] = t;
        if (t !== 0) {
          nz++;
          axis = a;
        }
        if (t !== tau1[a]) eq = false;
      }
      if (!eq || nz > 1) stepI += aw;
      else if (nz === 1) stepI += aw * Math.min(1, Math.abs(tau[axis]!) / E[r * NA + NAX + axis]!);
    }
    fills[r * NDS] = Math.round(tile[r * NDS]! * (1 + stepW));
    fills[r * NDS + 1] = Math.round(tile[r * NDS + 1]! * (1 + stepI));
    fills[r * NDS + 2] = Math.round(tile[r * NDS + 2]! * (1 + stepO));
  }
  for (let d = 0; d < NDS; d++) fills[(L - 1) * NDS + d] = tile[(L - 1) * NDS + d]!;

  // multicast groups (§4): distinct child offsets per axis, diagonal sharing where two spatial loops feed one axis
  for (let s = 0; s < L; s++) {
    const base = o7 + s * NDIM;
    let prodS = 1;
    for (let x = 0; x < NDIM; x++) prodS *= nS[base + x]!;
    spl[s] = prodS;
    for (let d = 0; d < NDS; d++) {
      let u = 1;
      for (let a = 0; a < NAX; a++) {
        const j = d * NAX + a;
        const x1 = term1[j]!;
        const x2 = term2[j]!;
        const n1 = x1 >= 0 ? nS[base + x1]! : 1;
        const n2 = x2 >= 0 ? nS[base + x2]! : 1;
        let ua = n1 * n2;
        if (d === 1 && n1 > 1 && n2 > 1 && (a === 2 || a === 3)) {
          // Inputs' W (P with R) or H (Q with S): strides in data space over their gcd (the encoder's aRed/bRed)
          const px = a === 2 ? I_P : I_Q;
          const rx = a === 2 ? I_R : I_S;
          let av = (a === 2 ? sp.Wstride : sp.Hstride) * ePrev[s * NDIM + px]!;
          let bv = (a === 2 ? sp.Wdilation : sp.Hdilation) * ePrev[s * NDIM + rx]!;
          let g1 = av;
          let g2 = bv;
          while (g2) [g1, g2] = [g2, g1 % g2];
          av /= g1;
          bv /= g1;
          ua -= Math.max(0, n1 - bv) * Math.max(0, n2 - av);
        }
        u *= ua;
      }
      U[s * NDS + d] = u;
    }
  }
  let umacs = 1;
  for (let s = 0; s < L; s++) umacs *= spl[s]!;
  let above = 1;
  for (let s = L - 1; s >= 0; s--) {
    inst[s] = above;
    above *= spl[s]!;
  }

  // content accesses through bypass chains (§6), link overrides (§8)
  for (let s = 0; s < L; s++) {
    for (let d = 0; d < NDS; d++) {
      const i = s * NDS + d;
      const src = s === 0 ? cc : keep[o3 + i - NDS] ? fills[i - NDS]! : ca[i - NDS]!;
      ca[i] = U[i]! * src;
    }
    if (links) for (const lk of links) if (lk.s === s) ca[s * NDS + lk.d] = lk.ca;
    for (let d = 0; d < NDS; d++) ca[s * NDS + d] = Math.round(ca[s * NDS + d]!);
  }
  // Outputs partitions (§7): first-read elision
  partO[L - 1] = tile[(L - 1) * NDS + 2]!;
  for (let s = L - 2; s >= 0; s--) partO[s] = Math.floor(partO[s + 1]! / U[(s + 1) * NDS + 2]! + 1e-3);

  // counts, energy (§10) and cycles
  let energy = 0;
  let cycles = cc;
  for (let s = 0; s < L; s++) {
    let rW = 0;
    let rI = 0;
    let rO = 0;
    let wW = 0;
    let wI = 0;
    let wO = 0;
    let eAcc = 0;
    const blk = sp.block[s]!;
    for (let d = 0; d < NDS; d++) {
      const i = s * NDS + d;
      let rd = 0;
      let fl = 0;
      let up = 0;
      if (keep[o3 + i]) {
        const part = d === 2 ? partO[s]! : 0;
        let pas = fills[i]!;
        let peer = 0;
        if (links) {
          for (const lk of links) {
            if (lk.s - 1 === s && lk.d === d) {
              pas = lk.pas;
              peer = lk.peer;
            }
          }
        }
        rd = ca[i]! - part + peer;
        fl = s < L - 1 ? pas - part + peer : 0;
        up = d === 2 ? ca[i]! : 0;
        eAcc += Math.ceil(rd / blk) * sp.eRead[s]! + (Math.ceil(fl / blk) + Math.ceil(up / blk)) * sp.eWrite[s]!;
      }
      if (d === 0) {
        rW = rd;
        wW = fl + up;
      } else if (d === 1) {
        rI = rd;
        wI = fl + up;
      } else {
        rO = rd;
        wO = fl + up;
      }
      if (detail) {
        detail.reads[i] = rd;
        detail.fills[i] = fl;
        detail.updates[i] = up;
        detail.tile[i] = tile[i]!;
        detail.multicast[i] = U[i]!;
      }
    }
    const lvE = eAcc * inst[s]!;
    energy += lvE;
    const lc = levelCycles(cc, rW, rI, rO, wW, wI, wO, sp.readBW[s]!, sp.writeBW[s]!, sp.sharedBW[s]!);
    if (lc > cycles) cycles = lc;
    if (detail) {
      detail.levelEnergy[s] = lvE;
      detail.levelCycles[s] = lc;
      detail.instances[s] = inst[s]!;
    }
  }
  energy += sp.macs * sp.macEnergy;
  let area = sp.macInstances * sp.macArea;
  for (let s = 0; s < L; s++) area += sp.hwInstances[s]! * sp.area[s]!;
  out.cycles[b] = cycles;
  out.energy[b] = energy;
  out.power[b] = (energy * sp.clockGHz) / cycles;
  out.area[b] = area;
  if (detail) {
    detail.computeCycles = cc;
    detail.utilizedMacs = umacs;
  }
  return links;
}
