/**
 * Step 1 of the search (DESIGN §3.1): relaxed nonlinear programming over log tiling factors.
 * Each start owns logits z[d][slot]; a dim's free log-size is split over its allowed slots by a softmax, so factor
 * products equal the layer sizes by construction. Capacity and fanout enter as growing quadratic penalties on the
 * log overflow. Loop orders and keep bits are discrete: each start fixes them (canonical stationary orders and random
 * ones, spread over the batch), and the model's masks are refreshed from the rounded point every few steps.
 * Hundreds of starts over all layers run as one batch; Adam steps all of them at once.
 */
import { DIMS } from '../workload/layer.js';
import { InputError } from '../errors.js';
import { realize, type Point } from '../mapping/mapspace.js';
import { initBackend, tf } from '../model/backend.js';
import { NDIM, type Candidate } from '../model/encode.js';
import {
  kernelArch,
  kernelAvailable,
  kernelMasks,
  kernelStatics,
  prepareRelaxed,
  refreshMasks,
  relaxedOutputs,
  relaxedOutputsKernel,
} from '../model/relaxed.js';
import { TypedAdam, TypedMappingLoss } from './relax-typed.js';
import type { Objective, SearchTask } from './task.js';
import type { ArchTensors, Masks } from '../model/formulate.js';

export interface Start {
  layer: number;
  /** gives the loop orders and keep bits; its factors seed the logits */
  point: Point;
}

export interface RelaxOptions {
  steps: number;
  learningRate: number;
  /** refresh the discrete masks from the rounded point every this many steps */
  refreshEvery: number;
  /** penalty weight at the first and last step (geometric in between) */
  penaltyStart: number;
  penaltyEnd: number;
  /** stop early when this returns true (checked between steps) */
  shouldStop?: () => boolean;
  /**
   * how the model's value and gradient are computed: `typed`, the hand-derived typed-array kernel
   * (src/model/relaxed-kernel.ts, CPU-side backends only), and without hardware variables the whole step on typed
   * arrays (src/mapper/relax-typed.ts); `kernel`, the kernel as one op inside the tfjs loss; `tensor`, tf.grad of the
   * tensor formulation (the reference, and the path of GPU backends); `auto` (default) takes `typed` where it can run.
   */
  model?: 'auto' | 'typed' | 'kernel' | 'tensor';
  /** test hook (test/relax-typed.test.ts): the typed step's loss and gradient against the tensor reference at the start */
  probe?: {
    mus: number[];
    perturb?: (z: Float64Array) => void;
    report(r: { mu: number; typedLoss: number; typedGrad: Float64Array; tensorLoss: number; tensorGrad: Float32Array }): void;
  };
}

export const DEFAULT_RELAX: RelaxOptions = { steps: 120, learningRate: 0.15, refreshEvery: 10, penaltyStart: 1, penaltyEnd: 300 };

/** The relaxed optimum of every start: the continuous log-factor of each (dim, slot). */
export interface RelaxedStart extends Start {
  /** [dim index][slot] natural-log factor, free part only (pinned factors excluded) */
  logFactors: number[][];
}

/**
 * Hardware variables shared by groups of starts (co-optimization, `src/coopt/relax-hardware.ts`): they give each start
 * its accelerator's tensors, capacities and fanouts, and add the network-level loss of each group.
 */
export interface HardwareTerms<H> {
  v: tf.Variable;
  rows(): HardwareRows;
  networkLoss(objective: Objective, o: { cycles: tf.Tensor; energy: tf.Tensor; area: tf.Tensor }, h: HardwareRows, mu: number): tf.Tensor;
  values(): Promise<H>;
  dispose(): void;
}

/** Each start's accelerator tensors, capacities and fanouts, from its group's hardware variables. */
export interface HardwareRows {
  arch: ArchTensors;
  logCap: tf.Tensor;
  logFoX: tf.Tensor;
  logFoY: tf.Tensor;
  /** the same per group, computed once a step and shared by the network loss */
  perGroup?: { logValues: tf.Tensor; arch: ArchTensors; words: tf.Tensor };
}

/** Builds the hardware terms for a batch of B starts. */
export type HardwareTermsFactory<H> = (B: number) => HardwareTerms<H>;

function objectiveLoss(objective: Objective, energy: tf.Tensor, cycles: tf.Tensor): tf.Tensor {
  switch (objective) {
    case 'edp':
      return tf.add(tf.log(energy), tf.log(cycles));
    case 'latency':
      return tf.add(tf.log(cycles), tf.mul(0.01, tf.log(energy)));
    case 'energy':
      return tf.add(tf.log(energy), tf.mul(0.01, tf.log(cycles)));
  }
}

export async function relax(task: SearchTask, starts: readonly Start[], opts: RelaxOptions = DEFAULT_RELAX): Promise<RelaxedStart[]> {
  return (await relaxJoint(task, starts, opts)).starts;
}

export async function relaxJoint<H>(
  task: SearchTask,
  starts: readonly Start[],
  opts: RelaxOptions = DEFAULT_RELAX,
  hw?: HardwareTermsFactory<H>,
): Promise<{ starts: RelaxedStart[]; hardware: H | null }> {
  const B = starts.length;
  if (B === 0) return { starts: [], hardware: null };
  await initBackend();
  const spaces = starts.map((s) => task.layers[s.layer]!.space);
  const slots = spaces[0]!.slots;
  const nSlot = slots.length;
  const L = task.arch.levels.length;

  // constants per start: allowed slots, free log-size per dim, pinned log-factors, initial logits
  const allowed = new Float32Array(B * NDIM * nSlot);
  const freeLog = new Float32Array(B * NDIM);
  const fixedLog = new Float32Array(B * NDIM * nSlot);
  const init = new Float32Array(B * NDIM * nSlot);
  starts.forEach((st, b) => {
    const sp = spaces[b]!;
    DIMS.forEach((d, x) => {
      const F = sp.primes[d].reduce((a, p) => a + Math.log(p), 0);
      freeLog[b * NDIM + x] = F;
      for (let k = 0; k < nSlot; k++) {
        const i = (b * NDIM + x) * nSlot + k;
        allowed[i] = sp.allowed[d][k] ? 1 : 0;
        fixedLog[i] = Math.log(sp.fixed[d][k]!);
        const free = st.point.f[k]![x]! / sp.fixed[d][k]!;
        init[i] = Math.log(Math.log(free) + 0.3); // logits whose softmax is close to the start's shares
      }
    });
  });
  const tSel = new Float32Array(nSlot * L);
  const sSel = new Float32Array(nSlot * L);
  slots.forEach((s, k) => ((s.kind === 'T' ? tSel : sSel)[k * L + s.level] = 1));
  const xSel = new Float32Array(nSlot * L);
  const ySel = new Float32Array(nSlot * L);
  slots.forEach((s, k) => {
    if (s.kind === 'X') xSel[k * L + s.level] = 1;
    if (s.kind === 'Y') ySel[k * L + s.level] = 1;
  });
  const logCap = new Float32Array(L);
  const capMask = new Float32Array(L);
  const logFoX = new Float32Array(L);
  const logFoY = new Float32Array(L);
  task.arch.levels.forEach((lv, s) => {
    if (lv.capacityWords !== null) {
      logCap[s] = Math.log(lv.capacityWords);
      capMask[s] = 1;
    }
    logFoX[s] = Math.log(spaces[0]!.fanout[s]!.x);
    logFoY[s] = Math.log(spaces[0]!.fanout[s]!.y);
  });

  const cands: Candidate[] = starts.map((st, b) => ({
    problem: task.layers[st.layer]!.problem,
    arch: task.arch,
    mapping: realize(spaces[b]!, st.point),
  }));
  const rb = prepareRelaxed(cands);
  const S = rb.batch.S;
  const pad = S - L;
  const c = tf.tidy(() => ({
    allowed: tf.tensor3d(allowed, [B, NDIM, nSlot]),
    negMask: tf.mul(tf.sub(1, tf.tensor3d(allowed, [B, NDIM, nSlot])), -1e4),
    freeLog: tf.tensor2d(freeLog, [B, NDIM]).reshape([B, NDIM, 1]),
    fixedLog: tf.tensor3d(fixedLog, [B, NDIM, nSlot]),
    tSel: tf.tensor2d(tSel, [nSlot, L]),
    sSel: tf.tensor2d(sSel, [nSlot, L]),
    xSel: tf.tensor2d(xSel, [nSlot, L]),
    ySel: tf.tensor2d(ySel, [nSlot, L]),
    logCap: tf.tensor1d(logCap).reshape([1, L]),
    capMask: tf.tensor1d(capMask).reshape([1, L]),
    logFoX: tf.tensor1d(logFoX).reshape([1, L]),
    logFoY: tf.tensor1d(logFoY).reshape([1, L]),
  }));
  const z = tf.tidy(() => tf.variable(tf.tensor3d(init, [B, NDIM, nSlot]))); // tidy: the initial tensor is not kept twice
  const hv = hw ? hw(B) : null;
  const optimizer = tf.train.adam(opts.learningRate);

  // free log-factor per (dim, slot), then per-level temporal and spatial log-factors [B,S,7]
  const freeFactors = () => tf.mul(tf.softmax(tf.add(z, c.negMask), 2), c.freeLog);
  const levelFactors = (lf: tf.Tensor) => {
    const all = tf.add(lf, c.fixedLog).reshape([B * NDIM, nSlot]);
    const toLevels = (sel: tf.Tensor) => {
      const perLevel = tf.matMul(all, sel).reshape([B, NDIM, L]).transpose([0, 2, 1]);
      return pad > 0 ? tf.concat([tf.zeros([B, pad, NDIM]), perLevel], 1) : perLevel;
    };
    return { logT: toLevels(c.tSel), logS: toLevels(c.sSel), all };
  };

  // CODESIGN_RELAXED=tensor|kernel|typed overrides the default, for before/after measurements of whole runs
  const envValue = (globalThis as { process?: { env?: Record<string, string> } }).process?.env?.CODESIGN_RELAXED;
  const env = (['auto', 'typed', 'kernel', 'tensor'] as const).find((m) => m === envValue);
  if (envValue && !env) throw new InputError('environment', 'CODESIGN_RELAXED', 'auto, typed, kernel or tensor', envValue);
  const model = opts.model ?? env ?? 'auto';
  const typed = model === 'tensor' ? false : kernelAvailable();
  if ((model === 'typed' || model === 'kernel') && !typed)
    throw new Error(`the typed-array relaxed kernel needs the wasm or cpu backend, not ${tf.getBackend()}`);
  const ks = typed ? kernelStatics(rb.batch) : null;
  let masks: Masks = rb.masks;
  let km = ks ? kernelMasks(masks) : null;
  // masks of the rounded point (the exact model's own classification), from per-level log-factors
  const refreshFrom = (levels: () => { logT: tf.Tensor; logS: tf.Tensor }) => {
    const next = tf.tidy(() => {
      const { logT, logS } = levels();
      return refreshMasks(rb.statics, tf.maximum(tf.round(tf.exp(logT)), 1), tf.maximum(tf.round(tf.exp(logS)), 1));
    });
    tf.dispose(Object.values(masks).filter((m) => !Object.values(rb.statics).includes(m)));
    masks = next;
    if (ks) km = kernelMasks(masks);
  };
  const refresh = () => refreshFrom(() => levelFactors(freeFactors()));
  const schedule = (step: number) => opts.penaltyStart * Math.pow(opts.penaltyEnd / opts.penaltyStart, step / Math.max(1, opts.steps - 1));

  /** The step's loss as tensors (the reference of the typed step); `kernel`: the model through the typed kernel op. */
  const tensorLoss = (mu: number, kernel: boolean): tf.Scalar => {
    const lf = freeFactors();
    const { logT, logS, all } = levelFactors(lf);
    const h = hv?.rows();
    const st = h ? { ...rb.statics, arch: h.arch } : rb.statics;
    const o = kernel && ks && km ? relaxedOutputsKernel(logT, logS, st, ks, km) : relaxedOutputs(logT, logS, st, masks);
    const used = tf.sum(tf.mul(o.tile, rb.statics.keep), 2).slice([0, pad], [B, L]);
    const capOver = tf.mul(tf.relu(tf.sub(tf.log(tf.maximum(used, 1)), h ? h.logCap : c.logCap)), c.capMask);
    const xUse = tf.matMul(all, c.xSel).reshape([B, NDIM, L]).sum(1);
    const yUse = tf.matMul(all, c.ySel).reshape([B, NDIM, L]).sum(1);
    const foOver = tf.add(tf.relu(tf.sub(xUse, h ? h.logFoX : c.logFoX)), tf.relu(tf.sub(yUse, h ? h.logFoY : c.logFoY)));
    const penalty = tf.add(tf.sum(tf.square(capOver), 1), tf.sum(tf.square(foOver), 1));
    const rowLoss = h ? tf.mul(mu, penalty) : tf.add(objectiveLoss(task.objective, o.energy, o.cycles), tf.mul(mu, penalty));
    const groupLoss = h && hv ? hv.networkLoss(task.objective, o, h, mu) : tf.scalar(0);
    return tf.add(tf.sum(rowLoss), groupLoss) as tf.Scalar;
  };

  // without hardware variables on a CPU-side backend, the whole step runs on typed arrays (src/mapper/relax-typed.ts):
  // the same loss, its gradient and tfjs's Adam update, no tensor per step
  if (ks && km && !hv && model !== 'kernel') {
    const loss = new TypedMappingLoss({
      B,
      S,
      L,
      nSlot,
      slotLevel: Int32Array.from(slots.map((s) => s.level)),
      slotKind: slots.map((s) => s.kind),
      allowed,
      freeLog,
      fixedLog,
      logCap,
      capMask,
      logFoX,
      logFoY,
      objective: task.objective,
      ks,
      arch: kernelArch(rb.statics.arch),
    });
    const zArr = Float64Array.from(init);
    const gz = new Float64Array(zArr.length);
    if (opts.probe) {
      // test hook: loss and gradient w.r.t. the logits at the start (moved by `perturb`), typed against tf.grad of the
      // tensor formulation
      if (opts.probe.perturb) {
        opts.probe.perturb(zArr);
        const z32 = Float32Array.from(zArr);
        zArr.set(z32);
        z.assign(tf.tensor3d(z32, [B, NDIM, nSlot]));
      }
      for (const mu of opts.probe.mus) {
        const typedLoss = loss.lossAndGrad(zArr, km, mu, gz);
        const ref = tf.variableGrads(() => tensorLoss(mu, false), [z]);
        opts.probe.report({
          mu,
          typedLoss,
          typedGrad: Float64Array.from(gz),
          tensorLoss: ref.value.dataSync()[0]!,
          tensorGrad: ref.grads[z.name]!.dataSync() as Float32Array,
        });
        tf.dispose([ref.value, ...Object.values(ref.grads)]);
      }
    }
    const adam = new TypedAdam(opts.learningRate, zArr.length);
    for (let step = 0; step < opts.steps; step++) {
      if (opts.shouldStop?.()) break;
      if (step > 0 && step % opts.refreshEvery === 0) {
        loss.factors(zArr);
        refreshFrom(() => ({ logT: tf.tensor3d(loss.logT, [B, S, NDIM]), logS: tf.tensor3d(loss.logS, [B, S, NDIM]) }));
      }
      loss.lossAndGrad(zArr, km!, schedule(step), gz);
      adam.step(zArr, gz);
      if (step % 10 === 9) await tf.nextFrame?.();
    }
    loss.factors(zArr);
    const values = loss.lf;
    optimizer.dispose();
    z.dispose();
    tf.dispose(Object.values(c));
    tf.dispose(Object.values(masks));
    rb.dispose();
    return { starts: startsFrom(values), hardware: null };
  }

  for (let step = 0; step < opts.steps; step++) {
    if (opts.shouldStop?.()) break;
    if (step > 0 && step % opts.refreshEvery === 0) refresh();
    const mu = schedule(step);
    const cost = optimizer.minimize(() => tf.tidy(() => tensorLoss(mu, true)), true, hv ? [z, hv.v] : [z]);
    cost?.dispose();
    if (step % 10 === 9) await tf.nextFrame?.();
  }

  const lf = tf.tidy(freeFactors); // tidy: the masked logits and their softmax would outlive the call
  const values = (await lf.data()) as Float32Array;
  lf.dispose();
  const hardware = hv ? await hv.values() : null;
  optimizer.dispose();
  z.dispose();
  hv?.dispose();
  tf.dispose(Object.values(c));
  tf.dispose(Object.values(masks));
  rb.dispose();
  return { starts: startsFrom(values), hardware };

  function startsFrom(values: Float32Array | Float64Array): RelaxedStart[] {
    return starts.map((st, b) => ({
      ...st,
      logFactors: DIMS.map((_, x) => Array.from(values.subarray((b * NDIM + x) * nSlot, (b * NDIM + x + 1) * nSlot))),
    }));
  }
}
