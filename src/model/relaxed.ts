import { tf } from './backend.js';
import { encodeBatch, NDIM, type Candidate, type EncodedBatch } from './encode.js';
import {
  formulate,
  makeStatics,
  straightThrough,
  totalArea,
  type ArchTensors,
  type FormulateOptions,
  type Masks,
  type ModelOutputs,
  type Statics,
} from './formulate.js';
import {
  ARCH_INPUTS,
  compileMasks,
  compileStatics,
  relaxedBackward,
  relaxedForward,
  type KernelArch,
  type KernelMasks,
  type KernelStatics,
} from './relaxed-kernel.js';

/**
 * The relaxed, differentiable model: the same formulation as the exact one, fed with continuous log tiling factors.
 * The discrete structure (permutations, keep, which loops are non-unit, how each step's delta is classified) is
 * frozen from a reference integer point; refresh it with `refreshMasks` when the rounded point changes.
 */
export interface RelaxedBatch {
  batch: EncodedBatch;
  statics: Statics;
  masks: Masks;
  dispose(): void;
}

export function prepareRelaxed(cands: readonly Candidate[]): RelaxedBatch {
  const { batch, arch } = encodeBatch(cands);
  const statics = makeStatics(batch, arch);
  keepAll(statics);
  const nT = tf.tensor3d(batch.nT, [batch.B, batch.S, NDIM]);
  const nS = tf.tensor3d(batch.nS, [batch.B, batch.S, NDIM]);
  const masks = refreshMasks(statics, nT, nS);
  tf.dispose([nT, nS]);
  return {
    batch,
    statics,
    masks,
    dispose() {
      tf.dispose(Object.values(statics.arch));
      tf.dispose(Object.values(statics).filter((v): v is tf.Tensor => v instanceof tf.Tensor));
      tf.dispose(Object.values(this.masks));
    },
  };
}

function keepAll(st: Statics): void {
  for (const v of Object.values(st)) if (v instanceof tf.Tensor) tf.keep(v);
  for (const v of Object.values(st.arch)) tf.keep(v);
}

/** Masks of the integer point (nT, nS): the exact model's own classification, kept for later relaxed calls. */
export function refreshMasks(st: Statics, nT: tf.Tensor, nS: tf.Tensor): Masks {
  const masks = tf.tidy(() => formulate(nT, nS, st, { mode: 'exact' }).masks) as Masks;
  for (const m of Object.values(masks)) tf.keep(m);
  return masks;
}

/** Model outputs at continuous log-factors logT, logS ([B,S,7], natural log). Differentiable with tf.grad. */
export function relaxedOutputs(logT: tf.Tensor, logS: tf.Tensor, st: Statics, masks: Masks, opts: Omit<FormulateOptions, 'mode'> = {}): ModelOutputs {
  return formulate(snapToInteger(tf.exp(logT)), snapToInteger(tf.exp(logS)), st, { ...opts, mode: 'relaxed' }, masks).out;
}

/**
 * exp(log n) is not exactly n in float32; factors within 1e-4 of an integer are moved onto it in the forward pass
 * (the gradient passes straight through), so that the relaxed model reproduces the exact model at integer points.
 */
function snapToInteger(n: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const r = tf.round(n);
    const close = tf.greaterEqual(tf.mul(n, 1e-4), tf.abs(tf.sub(n, r))); // Less has no registered gradient
    const snapped = tf.where(close, r, n);
    return straightThrough(n, snapped);
  });
}

/** The batch's structure as the typed-array kernel reads it (no copy: views of the encoded batch). */
export function kernelStatics(batch: EncodedBatch): KernelStatics {
  return compileStatics({
    B: batch.B,
    S: batch.S,
    perm: batch.perm,
    coef: batch.coef,
    sel1: batch.sel1,
    sel2: batch.sel2,
    keep: batch.keep,
    macs: batch.macs,
  });
}

/** Frozen masks read back once (at each refresh), for the typed-array kernel. */
export function kernelMasks(m: Masks): KernelMasks {
  const read = (t: tf.Tensor) => t.dataSync() as Float32Array;
  return compileMasks(
    { act: read(m.act), stripAxis: read(m.stripAxis), full: read(m.full), aRed: read(m.aRed), bRed: read(m.bRed) },
    m.act.shape[0]!,
  );
}

/** Hardware inputs read back once, for the typed-array kernel when they are constants (no hardware variables). */
export function kernelArch(a: ArchTensors): KernelArch {
  return Object.fromEntries(ARCH_INPUTS.map((k) => [k, a[k].dataSync() as Float32Array])) as unknown as KernelArch;
}

/** Whether the typed-array kernel can serve the current backend (tensor data lives in CPU memory). */
export function kernelAvailable(): boolean {
  return tf.getBackend() === 'wasm' || tf.getBackend() === 'cpu';
}

/**
 * What the relaxed search reads (cycles, energy, tile, area) from the typed-array kernel of src/model/relaxed-kernel.ts:
 * the same values and gradients as `relaxedOutputs` (pinned by test/model-relaxed-kernel.test.ts), as one custom-gradient
 * op instead of a thousand tfjs kernels. Gradients flow to logT, logS and the hardware tensors of `st.arch`.
 */
export function relaxedOutputsKernel(
  logT: tf.Tensor,
  logS: tf.Tensor,
  st: Statics,
  ks: KernelStatics,
  km: KernelMasks,
  opts: Omit<FormulateOptions, 'mode'> = {},
): Pick<ModelOutputs, 'cycles' | 'energy' | 'tile' | 'area'> {
  const { B, S } = st;
  const W = 2 + S * 3;
  const op = tf.customGrad(((...args: tf.Tensor[]) => {
    const inputs = args.slice(0, 2 + ARCH_INPUTS.length).map((t) => t.dataSync() as Float32Array);
    const arch = Object.fromEntries(ARCH_INPUTS.map((k, i) => [k, inputs[2 + i]!])) as unknown as Parameters<typeof relaxedForward>[4];
    const { out, tape } = relaxedForward(inputs[0]!, inputs[1]!, ks, km, arch, opts);
    return {
      value: tf.tensor2d(pack(out.cycles, out.energy, out.tile, B, S), [B, W]),
      gradFunc: (dy: tf.Tensor) => {
        const g = dy.dataSync() as Float32Array;
        const up = { cycles: new Float32Array(B), energy: new Float32Array(B), tile: new Float32Array(B * S * 3) };
        for (let b = 0; b < B; b++) {
          up.cycles[b] = g[b * W]!;
          up.energy[b] = g[b * W + 1]!;
          up.tile.set(g.subarray(b * W + 2, (b + 1) * W), b * S * 3);
        }
        const grads = relaxedBackward(tape, up);
        return [
          tf.tensor(grads.logT, args[0]!.shape),
          tf.tensor(grads.logS, args[1]!.shape),
          ...ARCH_INPUTS.map((k, i) => tf.tensor(grads.arch[k], args[2 + i]!.shape)),
        ];
      },
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as (...xs: tf.Tensor[]) => tf.Tensor;
  const a = st.arch;
  const packed = op(logT, logS, ...ARCH_INPUTS.map((k) => (a as ArchTensors)[k]));
  return {
    cycles: packed.slice([0, 0], [B, 1]).reshape([B]),
    energy: packed.slice([0, 1], [B, 1]).reshape([B]),
    tile: packed.slice([0, 2], [B, S * 3]).reshape([B, S, 3]),
    area: totalArea(a),
  };
}

function pack(cycles: Float32Array, energy: Float32Array, tile: Float32Array, B: number, S: number): Float32Array {
  const W = 2 + S * 3;
  const v = new Float32Array(B * W);
  for (let b = 0; b < B; b++) {
    v[b * W] = cycles[b]!;
    v[b * W + 1] = energy[b]!;
    v.set(tile.subarray(b * S * 3, (b + 1) * S * 3), b * W + 2);
  }
  return v;
}
