/**
 * Inter-PE link transfers (TIMELOOP-SEMANTICS §8) on the fast path's flat arrays: the same rules as `linkOverrides`
 * in `../links.ts` (the object-based reference the tensor path uses), without a Mapping object. The kernel calls it
 * with the loops and extents it has already computed; it allocates only when it finds a link transfer (rare).
 * `test/model-fast.test.ts` pins it to `linkOverrides` on the reference cases and on random mappings that have links.
 */
import { NAX, NDIM, NDS } from '../encode.js';
import { NA, type LayerSpec } from './spec.js';

/** Link-transfer overrides of one candidate (§8): parent level `s`, dataspace `d`, and the child's new fills. */
export interface LinkOverride {
  s: number;
  d: number;
  ca: number;
  pas: number;
  peer: number;
}

/** One candidate's link transfers: the overrides of the fast kernel, with what the report prints. */
export interface CandidateLinks extends LinkOverride {
  dataspace: 'Weights' | 'Inputs';
  /** link transfers per parent instance */
  linkTransfers: number;
}

/** The active loops of one candidate as the kernel has them: level, dim, factor and stride, innermost first. */
export interface ActiveLoops {
  n: number;
  lev: Int32Array;
  dim: Int32Array;
  fac: Float64Array;
  stride: Float64Array;
}

const MAXSTEP = 256;
// spatial loops of one level (n > 1), innermost first
const spDim = new Int32Array(NDIM);
const spN = new Float64Array(NDIM);
const spStride = new Float64Array(NDIM);
const spX = new Uint8Array(NDIM);
const acc = new Float64Array(NAX);
const taus = new Float64Array(MAXSTEP * NAX);
const Eax = new Float64Array(NAX);
const zero = new Float64Array(NAX);
// steps: weight, and prev/cur boxes (lo, len) with a present flag
const stW = new Float64Array(2 * MAXSTEP);
const stPrev = new Uint8Array(2 * MAXSTEP);
const stCur = new Uint8Array(2 * MAXSTEP);
const prevLo = new Float64Array(2 * MAXSTEP * NAX);
const prevLen = new Float64Array(2 * MAXSTEP * NAX);
const curLo = new Float64Array(2 * MAXSTEP * NAX);
const curLen = new Float64Array(2 * MAXSTEP * NAX);
const disp = new Float64Array(2 * MAXSTEP * NAX);
let offsets = new Float64Array(1024 * NAX);
const p0Lo = new Float64Array(NAX);
const p0Len = new Float64Array(NAX);
const qLo = new Float64Array(NAX);
const qLen = new Float64Array(NAX);
// the spatial loops' offset vectors (stride x data-axis coefficients), and the neighbour differences they give
const spV = new Float64Array(NDIM * NAX);
const MAXD = 2 * (NDIM + 2 ** NDIM) + 2;
const diffs = new Float64Array(MAXD * NAX);
let nDiff = 0;
const radix = new Float64Array(NDIM + 1);
const hDigits = new Float64Array(NDIM);
const accs = new Float64Array((NDIM + 1) * NAX);

function pushDiff(v: Float64Array, q: number): void {
  for (let a = 0; a < NAX; a++) {
    diffs[nDiff * NAX + a] = v[q + a]!;
    diffs[(nDiff + 1) * NAX + a] = -v[q + a]!;
  }
  nDiff += 2;
}

/** Vertical neighbours (lin + hSize): every carry pattern of the mixed-radix addition that stays below F. */
function verticalDiffs(k: number, cin: number, nsp: number): void {
  const base = hDigits[k]! + cin;
  const n = spN[k]!;
  const at = k * NAX;
  const to = (k + 1) * NAX;
  if (k === nsp - 1) {
    if (base <= n - 1) {
      for (let a = 0; a < NAX; a++) accs[to + a] = accs[at + a]! + base * spV[at + a]!;
      pushDiff(accs, to);
    }
    return;
  }
  if (base <= n - 1) {
    for (let a = 0; a < NAX; a++) accs[to + a] = accs[at + a]! + base * spV[at + a]!;
    verticalDiffs(k + 1, 0, nsp);
  }
  if (base >= 1) {
    for (let a = 0; a < NAX; a++) accs[to + a] = accs[at + a]! + (base - n) * spV[at + a]!;
    verticalDiffs(k + 1, 1, nsp);
  }
}

/**
 * The offset differences of mesh neighbours (the reference's `neighbourDiffs`, which walks every child): child `lin`
 * has the offset sum_k digit_k(lin) v_k (mixed radix, X loops innermost), its row neighbour is lin + 1 within a row
 * of hSize, its column neighbour lin + hSize. Adding 1 or hSize changes the digits by a carry pattern, so the
 * differences are one vector per reachable pattern (with both signs). `nsp` spatial loops, F children.
 */
function neighbourDiffs(nsp: number, F: number, hSize: number): void {
  radix[0] = 1;
  let nx = 0;
  for (let k = 0; k < nsp; k++) {
    radix[k + 1] = radix[k]! * spN[k]!;
    if (spX[k]) nx++;
  }
  const aligned = hSize === radix[nx];
  for (let t = 0; t < nsp; t++) {
    // a child with digits 0..t-1 at their maximum and digit t below it, not at the end of its row
    let ok = aligned ? t < nx : false;
    if (!aligned) {
      for (let u = 0; u < spN[t]! - 1 && !ok; u++) {
        for (let q = 0; q < F / radix[t + 1]! && !ok; q++) {
          const lin = radix[t]! - 1 + u * radix[t]! + q * radix[t + 1]!;
          if (lin % hSize !== hSize - 1) ok = true;
        }
      }
    }
    if (!ok) continue;
    for (let a = 0; a < NAX; a++) {
      let v = spV[t * NAX + a]!;
      for (let j = 0; j < t; j++) v -= (spN[j]! - 1) * spV[j * NAX + a]!;
      accs[a] = v;
    }
    pushDiff(accs, 0);
  }
  if (hSize < F) {
    let c = hSize;
    for (let k = 0; k < nsp; k++) {
      hDigits[k] = c % spN[k]!;
      c = Math.floor(c / spN[k]!);
    }
    for (let a = 0; a < NAX; a++) accs[a] = 0;
    verticalDiffs(0, 0, nsp);
  }
}

/** §3.1's delta box of a step landing at `origin` after translating by `tau` (at offset `t0` of taus), into lo/len at `q`. */
function deltaBox(tauArr: Float64Array, t0: number, origin: Float64Array, o0: number, lo: Float64Array, len: Float64Array, q: number): boolean {
  let repeats = true;
  let moving = 0;
  let axis = -1;
  for (let a = 0; a < NAX; a++) {
    const t = tauArr[t0 + a]!;
    if (t !== taus[a]) repeats = false;
    if (t !== 0) {
      moving++;
      axis = a;
    }
  }
  if (repeats && moving === 0) return false;
  for (let a = 0; a < NAX; a++) {
    lo[q + a] = origin[o0 + a]!;
    len[q + a] = Eax[a]!;
  }
  if (repeats && moving === 1) {
    const t = tauArr[t0 + axis]!;
    if (Math.abs(t) < Eax[axis]!) {
      lo[q + axis] = t > 0 ? origin[o0 + axis]! - t + Eax[axis]! : origin[o0 + axis]!;
      len[q + axis] = Math.abs(t);
    }
  }
  return true;
}

/** Step `ns` of the simulation: its weight, the previous box (the whole tile when `full`) and the current box. */
function setStep(
  ns: number,
  w: number,
  prevTau: number,
  prevOrigin: Float64Array,
  po: number,
  curTau: number,
  curOrigin: Float64Array,
  co: number,
  full: boolean,
): void {
  stW[ns] = w;
  if (full) {
    stPrev[ns] = 1;
    for (let a = 0; a < NAX; a++) {
      prevLo[ns * NAX + a] = 0;
      prevLen[ns * NAX + a] = Eax[a]!;
    }
  } else stPrev[ns] = deltaBox(taus, prevTau, prevOrigin, po, prevLo, prevLen, ns * NAX) ? 1 : 0;
  stCur[ns] = deltaBox(taus, curTau, curOrigin, co, curLo, curLen, ns * NAX) ? 1 : 0;
}

function offsetKey(i: number): string {
  const q = i * NAX;
  return `${offsets[q]},${offsets[q + 1]},${offsets[q + 2]},${offsets[q + 3]}`;
}

/** Does child `i` have a mesh neighbour `j` with offset(j) - offset(i) = the displacement at `dq`? */
function linkedAt(i: number, F: number, hSize: number, dq: number): boolean {
  const h = i % hSize;
  return (
    (h + 1 < hSize && i + 1 < F && offsetDiffIs(i, i + 1, dq)) ||
    (h > 0 && offsetDiffIs(i, i - 1, dq)) ||
    (i + hSize < F && offsetDiffIs(i, i + hSize, dq)) ||
    (i - hSize >= 0 && offsetDiffIs(i, i - hSize, dq))
  );
}

function offsetDiffIs(i: number, j: number, dq: number): boolean {
  for (let a = 0; a < NAX; a++) if (offsets[j * NAX + a]! - offsets[i * NAX + a]! !== disp[dq + a]) return false;
  return true;
}

/** gcd of two non-negative integers */
export function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

const gAx = new Float64Array(NAX);
const rAx = new Float64Array(NAX);
let prefilter = true;

/** Tests only: turn the cheap necessary condition off, so that every candidate runs the exact walk. */
export function setLinkPrefilter(on: boolean): void {
  prefilter = on;
}

/**
 * A necessary condition for any link transfer of dataspace `d` below a fanout, in a few operations per loop (checked
 * before the exact walk). Every step the walk compares has a displacement (current box minus previous box, same
 * extents) equal to one of the carry translations tau_j of the loops above the child (§3.1): step 0 and the carries
 * into t_1 after t_j move by tau_1 (a full box, or a strip that repeats), the carries into t_j by tau_j. A link
 * needs that displacement to equal the offset difference of two mesh neighbours, sum_k c_k v_k with integer
 * |c_k| <= n_k - 1 over the spatial loops' offset vectors v_k. So on every axis a, tau_j[a] is a multiple of the gcd
 * of the v_k[a] (0 where no spatial loop spreads axis a) and at most sum_k (n_k - 1) |v_k[a]| in magnitude; if no
 * non-zero tau_j passes, there is no link. Reads spDim/spN/spStride (the `nsp` spatial loops of the level).
 */
function mayLink(coef: Float64Array, d: number, nsp: number, loops: ActiveLoops, k0: number): boolean {
  if (!spreadOf(coef, d, nsp)) return false;
  if (!prefilter) return true;
  for (let a = 0; a < NAX; a++) acc[a] = 0;
  for (let k = k0; k < loops.n; k++) {
    const x = loops.dim[k]!;
    const str = loops.stride[k]!;
    let nz = false;
    let fits = true;
    for (let a = 0; a < NAX; a++) {
      const own = coef[x * NA + d * NAX + a]! * str;
      const t = own - acc[a]!;
      acc[a] += own;
      if (t === 0) continue;
      nz = true;
      const g = gAx[a]!;
      if (g === 0 || Math.abs(t) > rAx[a]! || t % g !== 0) fits = false;
    }
    if (nz && fits) return true;
  }
  return false;
}

/**
 * Per data axis of dataspace `d`: the gcd of the spatial loops' offset steps (0 where no spatial loop spreads the
 * axis) and the largest offset difference between two children. False when no spatial loop moves `d`'s data.
 */
function spreadOf(coef: Float64Array, d: number, nsp: number): boolean {
  let any = false;
  for (let a = 0; a < NAX; a++) {
    gAx[a] = 0;
    rAx[a] = 0;
  }
  for (let k = 0; k < nsp; k++) {
    for (let a = 0; a < NAX; a++) {
      const v = Math.abs(coef[spDim[k]! * NA + d * NAX + a]!) * spStride[k]!;
      if (v === 0) continue;
      gAx[a] = gcd(gAx[a]!, v);
      rAx[a] += (spN[k]! - 1) * v;
      any = true;
    }
  }
  return any;
}

/**
 * The link-transfer overrides of one candidate, or null. `ePrev` [L*7] are the extents inside each level's fanout,
 * `E` [L*12] the data-axis extents of each level's tiles, `loops` the active temporal loops of levels 1..L-1.
 */
export function flatLinks(
  sp: LayerSpec,
  nS: ArrayLike<number>,
  keep: ArrayLike<number>,
  sperm: ArrayLike<number>,
  split: ArrayLike<number>,
  o: number,
  ePrev: Float64Array,
  E: Float64Array,
  loops: ActiveLoops,
): CandidateLinks[] | null {
  const L = sp.L;
  const o7 = o * NDIM;
  const coef = sp.coef;
  let found: CandidateLinks[] | null = null;
  let k0 = 0;
  for (let s = 1; s < L; s++) {
    while (k0 < loops.n && loops.lev[k0]! < s) k0++;
    let nsp = 0;
    for (let p = 0; p < NDIM; p++) {
      const x = sperm[o7 + s * NDIM + p]!;
      const n = nS[o7 + s * NDIM + x]!;
      if (n <= 1) continue;
      spDim[nsp] = x;
      spN[nsp] = n;
      spStride[nsp] = ePrev[s * NDIM + x]!;
      spX[nsp] = p < split[o + s]! ? 1 : 0;
      nsp++;
    }
    if (nsp === 0) continue;
    const m = loops.n - k0;
    if (m === 0) continue;
    for (let d = 0; d < 2; d++) {
      if (!keep[(o + s - 1) * NDS + d]) continue;
      if (!mayLink(coef, d, nsp, loops, k0)) continue;
      if (m > MAXSTEP) continue;
      for (let a = 0; a < NAX; a++) Eax[a] = E[(s - 1) * NA + d * NAX + a]!;
      // translations of one step of each loop above the child (the reference's `steps`)
      acc.fill(0);
      for (let j = 0; j < m; j++) {
        const x = loops.dim[k0 + j]!;
        const str = loops.stride[k0 + j]!;
        for (let a = 0; a < NAX; a++) {
          const own = coef[x * NA + d * NAX + a]! * str;
          taus[j * NAX + a] = own - acc[a]!;
          acc[a] += own;
        }
      }
      const n1 = loops.fac[k0]!;
      let ns = 0;
      setStep(ns++, n1 - 1, 0, zero, 0, 0, taus, 0, true);
      // a delta box moves with its origin, so each loop needs one new box: the first loop's box at 0 (P0) and at
      // tau1 (step 0's current box) serve every step, and loop j's box at 0 (Q) also gives it at tau_j
      const hasP0 = deltaBox(taus, 0, zero, 0, p0Lo, p0Len, 0);
      let outer = 1;
      for (let j = m - 1; j >= 1; j--) outer *= loops.fac[k0 + j]!;
      for (let j = 1; j < m; j++) {
        outer /= loops.fac[k0 + j]!;
        const wk = (loops.fac[k0 + j]! - 1) * outer;
        const hasQ = deltaBox(taus, j * NAX, zero, 0, qLo, qLen, 0);
        // step A: from the first loop's box at 0 to loop j's box at tau_j
        stW[ns] = wk;
        stPrev[ns] = hasP0 ? 1 : 0;
        stCur[ns] = hasQ ? 1 : 0;
        for (let a = 0; a < NAX; a++) {
          prevLo[ns * NAX + a] = p0Lo[a]!;
          prevLen[ns * NAX + a] = p0Len[a]!;
          curLo[ns * NAX + a] = qLo[a]! + taus[j * NAX + a]!;
          curLen[ns * NAX + a] = qLen[a]!;
        }
        ns++;
        // step B: from loop j's box at 0 to the first loop's box at tau1
        stW[ns] = (n1 - 1) * wk;
        stPrev[ns] = hasQ ? 1 : 0;
        stCur[ns] = stCur[0]!;
        for (let a = 0; a < NAX; a++) {
          prevLo[ns * NAX + a] = qLo[a]!;
          prevLen[ns * NAX + a] = qLen[a]!;
          curLo[ns * NAX + a] = curLo[a]!;
          curLen[ns * NAX + a] = curLen[a]!;
        }
        ns++;
      }
      // same-extent step pairs with a non-zero translation from the previous box to the current one
      let anyDisp = false;
      for (let i = 0; i < ns; i++) {
        let same = stPrev[i] === 1 && stCur[i] === 1;
        let nz = false;
        let off = false; // moves along an axis the fanout does not spread: no neighbour difference can match
        for (let a = 0; a < NAX && same; a++) {
          if (prevLen[i * NAX + a] !== curLen[i * NAX + a]) same = false;
          const dv = curLo[i * NAX + a]! - prevLo[i * NAX + a]!;
          disp[i * NAX + a] = dv;
          if (dv !== 0) {
            nz = true;
            if (gAx[a] === 0) off = true;
          }
        }
        // 2: no link possible at this step (no previous box, or another extent)
        if (!same) stPrev[i] = 2;
        else if (nz && !off && stW[i] !== 0) anyDisp = true;
      }
      if (!anyDisp) continue;
      // the offset differences between mesh neighbours, derived from the loops (no walk over the children)
      let F = 1;
      let xExtent = 1;
      for (let k = 0; k < nsp; k++) {
        F *= spN[k]!;
        if (spX[k]) xExtent *= spN[k]!;
      }
      const hSize = Math.max(sp.fanX[s]!, xExtent);
      for (let k = 0; k < nsp; k++) for (let a = 0; a < NAX; a++) spV[k * NAX + a] = coef[spDim[k]! * NA + d * NAX + a]! * spStride[k]!;
      nDiff = 0;
      neighbourDiffs(nsp, F, hSize);
      let match = false;
      for (let i = 0; i < ns && !match; i++) {
        if (stPrev[i] !== 1 || stW[i] === 0) continue;
        let nz = false;
        for (let a = 0; a < NAX; a++) if (disp[i * NAX + a] !== 0) nz = true;
        if (!nz) continue;
        for (let k = 0; k < nDiff && !match; k++) {
          let eq = true;
          for (let a = 0; a < NAX; a++) if (disp[i * NAX + a] !== diffs[k * NAX + a]) eq = false;
          if (eq) match = true;
        }
      }
      if (!match) continue;
      // the children's data offsets, X loops innermost (as the reference's `children`), for the simulation
      if (offsets.length < F * NAX) offsets = new Float64Array(F * NAX * 2);
      for (let lin = 0; lin < F; lin++) {
        let r = lin;
        for (let a = 0; a < NAX; a++) offsets[lin * NAX + a] = 0;
        for (let k = 0; k < nsp; k++) {
          const digit = r % spN[k]!;
          r = Math.floor(r / spN[k]!);
          if (digit === 0) continue;
          for (let a = 0; a < NAX; a++) offsets[lin * NAX + a] += spV[k * NAX + a]! * digit;
        }
      }
      // simulate (the reference's `simulate`): per step, children fed by a neighbour and the distinct rest
      const all = new Set<string>();
      for (let c = 0; c < F; c++) all.add(offsetKey(c));
      const groups = all.size;
      let tileWords = 1;
      for (let a = 0; a < NAX; a++) tileWords *= Eax[a]!;
      let ca = groups * tileWords;
      let pas = tileWords;
      let lt = 0;
      for (let i = 0; i < ns; i++) {
        if (!stCur[i] || stW[i] === 0) continue;
        let size = 1;
        for (let a = 0; a < NAX; a++) size *= curLen[i * NAX + a]!;
        if (size === 0) continue;
        let nLinked = 0;
        const rest = new Set<string>();
        for (let c = 0; c < F; c++) {
          if (stPrev[i] === 1 && linkedAt(c, F, hSize, i * NAX)) nLinked++;
          else rest.add(offsetKey(c));
        }
        const w = stW[i]!;
        if (nLinked > 0 && rest.size * size < groups * size) {
          ca += w * rest.size * size;
          lt += w * nLinked * size;
          pas += (w * size * (F - nLinked)) / F;
        } else {
          ca += w * groups * size;
          pas += w * size;
        }
      }
      if (lt > 0) (found ??= []).push({ s, d, ca, pas, peer: lt / F, dataspace: d === 0 ? 'Weights' : 'Inputs', linkTransfers: lt });
    }
  }
  return found;
}
