/**
 * The mapping relaxation's loss (src/mapper/relax.ts, the tfjs closure of `relaxJoint` without hardware variables) and
 * its Adam step on typed arrays, around the hand-derived model kernel (src/model/relaxed-kernel.ts): a step then builds
 * no tensor at all. test/relax-typed.test.ts pins loss and gradient to tf.grad of the tfjs closure.
 */
import { NDIM } from '../model/encode.js';
import { relaxedBackward, relaxedForward, type KernelArch, type KernelMasks, type KernelStatics } from '../model/relaxed-kernel.js';
import type { Objective } from './task.js';

export interface TypedLossSpec {
  B: number;
  /** model levels (padded) and the architecture's own levels: pad = S - L levels at the inner end */
  S: number;
  L: number;
  nSlot: number;
  /** per slot: level and whether it is temporal ('T') or spatial ('X', 'Y') */
  slotLevel: Int32Array;
  slotKind: ('T' | 'X' | 'Y')[];
  allowed: Float32Array; // [B,7,nSlot]
  freeLog: Float32Array; // [B,7]
  fixedLog: Float32Array; // [B,7,nSlot]
  logCap: Float32Array; // [L]
  capMask: Float32Array;
  logFoX: Float32Array;
  logFoY: Float32Array;
  objective: Objective;
  ks: KernelStatics;
  arch: KernelArch;
}

/** (energy, cycles) weights of the objective's log terms (relax.ts `objectiveLoss`). */
function objectiveWeights(o: Objective): [number, number] {
  return o === 'edp' ? [1, 1] : o === 'latency' ? [0.01, 1] : [1, 0.01];
}

export class TypedMappingLoss {
  /** free log-factor per (start, dim, slot), and with the pinned part */
  readonly lf: Float64Array;
  readonly all: Float64Array;
  readonly p: Float64Array;
  readonly logT: Float32Array;
  readonly logS: Float32Array;
  constructor(readonly spec: TypedLossSpec) {
    const n = spec.B * NDIM * spec.nSlot;
    this.lf = new Float64Array(n);
    this.all = new Float64Array(n);
    this.p = new Float64Array(n);
    this.logT = new Float32Array(spec.B * spec.S * NDIM);
    this.logS = new Float32Array(spec.B * spec.S * NDIM);
  }

  /** softmax of the allowed logits times the free log-size, then per-level temporal and spatial log-factors */
  factors(z: Float64Array): void {
    const { B, S, L, nSlot, allowed, freeLog, fixedLog, slotLevel, slotKind } = this.spec;
    const pad = S - L;
    this.logT.fill(0);
    this.logS.fill(0);
    for (let row = 0; row < B * NDIM; row++) {
      const o = row * nSlot;
      let m = -Infinity;
      // tfjs: softmax(z + (1 - allowed) * -1e4)
      for (let k = 0; k < nSlot; k++) m = Math.max(m, z[o + k]! + (1 - allowed[o + k]!) * -1e4);
      let sum = 0;
      for (let k = 0; k < nSlot; k++) {
        const e = Math.exp(z[o + k]! + (1 - allowed[o + k]!) * -1e4 - m);
        this.p[o + k] = e;
        sum += e;
      }
      const b = (row / NDIM) | 0;
      const d = row - b * NDIM;
      for (let k = 0; k < nSlot; k++) {
        this.p[o + k] /= sum;
        this.lf[o + k] = this.p[o + k]! * freeLog[row]!;
        const a = this.lf[o + k]! + fixedLog[o + k]!;
        this.all[o + k] = a;
        const j = (b * S + pad + slotLevel[k]!) * NDIM + d;
        if (slotKind[k] === 'T') this.logT[j] += a;
        else this.logS[j] += a;
      }
    }
  }

  /** Loss (summed over starts) and its gradient w.r.t. the logits z, at penalty weight mu. */
  lossAndGrad(z: Float64Array, km: KernelMasks, mu: number, gz: Float64Array): number {
    const { B, S, L, nSlot, freeLog, slotLevel, slotKind, logCap, capMask, logFoX, logFoY, ks, arch } = this.spec;
    const pad = S - L;
    this.factors(z);
    const { out, tape } = relaxedForward(this.logT, this.logS, ks, km, arch);
    const [wE, wC] = objectiveWeights(this.spec.objective);
    const up = { cycles: new Float32Array(B), energy: new Float32Array(B), tile: new Float32Array(B * S * 3) };
    const gAll = new Float64Array(B * NDIM * nSlot);
    const xUse = new Float64Array(L);
    const yUse = new Float64Array(L);
    let loss = 0;
    for (let b = 0; b < B; b++) {
      const cyc = out.cycles[b]!;
      const en = out.energy[b]!;
      loss += wE * Math.log(en) + wC * Math.log(cyc);
      up.cycles[b] = wC / cyc;
      up.energy[b] = wE / en;
      // capacity: relu(log(max(used, 1)) - logCap) on bounded levels
      for (let l = 0; l < L; l++) {
        if (capMask[l] === 0) continue;
        let used = 0;
        for (let ds = 0; ds < 3; ds++) used += out.tile[(b * S + pad + l) * 3 + ds]! * ks.keep[(b * S + pad + l) * 3 + ds]!;
        const over = Math.log(Math.max(used, 1)) - logCap[l]!;
        if (!(over > 0)) continue;
        loss += mu * over * over;
        if (used < 1) continue; // tf.maximum(used, 1) passes no gradient below 1
        const g = (mu * 2 * over) / used;
        for (let ds = 0; ds < 3; ds++) up.tile[(b * S + pad + l) * 3 + ds] = g * ks.keep[(b * S + pad + l) * 3 + ds]!;
      }
      // fanout: relu(log spatial X use - log fanout X) + the same for Y, squared
      xUse.fill(0);
      yUse.fill(0);
      for (let d = 0; d < NDIM; d++)
        for (let k = 0; k < nSlot; k++) {
          const a = this.all[(b * NDIM + d) * nSlot + k]!;
          if (slotKind[k] === 'X') xUse[slotLevel[k]!] += a;
          else if (slotKind[k] === 'Y') yUse[slotLevel[k]!] += a;
        }
      for (let l = 0; l < L; l++) {
        const ox = xUse[l]! - logFoX[l]!;
        const oy = yUse[l]! - logFoY[l]!;
        const fo = Math.max(0, ox) + Math.max(0, oy);
        if (fo === 0) continue;
        loss += mu * fo * fo;
        const g = mu * 2 * fo;
        for (let d = 0; d < NDIM; d++)
          for (let k = 0; k < nSlot; k++) {
            if (slotLevel[k] !== l) continue;
            if ((slotKind[k] === 'X' && ox > 0) || (slotKind[k] === 'Y' && oy > 0)) gAll[(b * NDIM + d) * nSlot + k] += g;
          }
      }
    }
    const grads = relaxedBackward(tape, up);
    // back through the per-level sums, the free share and the softmax
    for (let row = 0; row < B * NDIM; row++) {
      const b = (row / NDIM) | 0;
      const d = row - b * NDIM;
      const o = row * nSlot;
      let dot = 0;
      for (let k = 0; k < nSlot; k++) {
        const j = (b * S + pad + slotLevel[k]!) * NDIM + d;
        const g = gAll[o + k]! + (slotKind[k] === 'T' ? grads.logT[j]! : grads.logS[j]!);
        gAll[o + k] = g * freeLog[row]!; // d loss / d p
        dot += gAll[o + k]! * this.p[o + k]!;
      }
      for (let k = 0; k < nSlot; k++) gz[o + k] = this.p[o + k]! * (gAll[o + k]! - dot);
    }
    return loss;
  }
}

/** tf.train.adam's update (beta1 0.9, beta2 0.999, epsilon 1e-7 as tfjs uses in float32) on a typed array. */
export class TypedAdam {
  private readonly m: Float64Array;
  private readonly v: Float64Array;
  private accBeta1 = 0.9;
  private accBeta2 = 0.999;
  constructor(
    private readonly lr: number,
    n: number,
  ) {
    this.m = new Float64Array(n);
    this.v = new Float64Array(n);
  }
  step(x: Float64Array, g: Float64Array): void {
    const b1 = 0.9;
    const b2 = 0.999;
    const c1 = 1 - this.accBeta1;
    const c2 = 1 - this.accBeta2;
    for (let i = 0; i < x.length; i++) {
      const m = b1 * this.m[i]! + (1 - b1) * g[i]!;
      const v = b2 * this.v[i]! + (1 - b2) * g[i]! * g[i]!;
      this.m[i] = m;
      this.v[i] = v;
      x[i] = x[i]! - (this.lr * (m / c1)) / (Math.sqrt(v / c2) + 1e-7);
    }
    this.accBeta1 *= b1;
    this.accBeta2 *= b2;
  }
}
