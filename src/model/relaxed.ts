import { tf } from './backend.js';
import { encodeBatch, NDIM, type Candidate, type EncodedBatch } from './encode.js';
import { formulate, makeStatics, straightThrough, type FormulateOptions, type Masks, type ModelOutputs, type Statics } from './formulate.js';

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
  const masks = refreshMasks(statics, tf.tensor3d(batch.nT, [batch.B, batch.S, NDIM]), tf.tensor3d(batch.nS, [batch.B, batch.S, NDIM]));
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
