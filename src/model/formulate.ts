import { tf } from './backend.js';
import { NAX, NDIM, NDS, type EncodedArch, type EncodedBatch } from './encode.js';

type T = tf.Tensor;

/**
 * The discrete structure of a batch: which temporal loops are non-unit, how each loop's delta is classified
 * (reuse / halo strip / full refetch, TIMELOOP-SEMANTICS §3.1) and the reduced strides of the diagonal-sharing
 * count (§4). The exact mode derives it from its own integer factors; the relaxed mode takes it from a reference
 * integer point and keeps it constant, so that both modes evaluate the same formula.
 */
export interface Masks {
  /** [B,J] temporal slot is non-unit */
  act: T;
  /** [B,S,J,12] the one data axis of a halo strip, per (dataspace, axis) */
  stripAxis: T;
  /** [B,S,J,3] the step resends the whole tile */
  full: T;
  /** [B,S,12] strides of the two loops feeding an axis, divided by their gcd */
  aRed: T;
  bRed: T;
}

/** Constant tensors of a batch (structure, problem, hardware). */
export interface Statics {
  B: number;
  S: number;
  perm: T; // [B,S,7,7]
  coefT: T; // [B,7,12]
  sel1T: T; // [B,7,12]
  sel2T: T;
  has1: T; // [B,1,12]
  has2: T;
  coefSel1T: T; // coefficient of the primary dim, [B,7,12]
  coefSel2T: T;
  keep: T; // [B,S,3]
  macs: T; // [B]
  arch: ArchTensors;
}

export interface ArchTensors {
  eRead: T; // [B,S]
  eWrite: T;
  eLeak: T;
  block: T;
  invRead: T;
  invWrite: T;
  invShared: T;
  instances: T;
  area: T;
  macEnergy: T; // [B]
  macArea: T;
  macInstances: T;
  clockGHz: T;
}

/** Per-candidate results as tensors. Counts are per instance, as Timeloop prints them. */
export interface ModelOutputs {
  cycles: T; // [B]
  energy: T; // [B] pJ
  power: T; // [B] mW
  area: T; // [B] um^2
  computeCycles: T; // [B]
  utilizedMacs: T; // [B]
  levelEnergy: T; // [B,S] pJ
  levelCycles: T; // [B,S]
  reads: T; // [B,S,3]
  fills: T;
  updates: T;
  instances: T; // [B,S] utilized instances
  tile: T; // [B,S,3] utilized capacity in words
  multicast: T; // [B,S,3] distinct destinations per parent read (U)
}

/** Adjustments for inter-PE link transfers (§8), computed outside the hot path for the few candidates that have them. */
export interface LinkAdjust {
  /** [B,S,3] replaces the content accesses of a parent level where `mask` is 1 */
  mask: T;
  ca: T;
  /** [B,S,3] added to a child's reads and fills; `pas` replaces its fills where `mask` marks the child */
  peer: T;
  childMask: T;
  pas: T;
}

export interface FormulateOptions {
  /** exact: integer factors, hard max and ceil. relaxed: straight-through ceil/max with smooth gradients. */
  mode: 'exact' | 'relaxed';
  /** sharpness of the smooth maximum used for gradients in relaxed mode (on log cycles) */
  smoothMaxSharpness?: number;
  /**
   * relaxed mode only: forward values equal the exact model's (ceil of blocks and cycles, hard max) while gradients
   * follow the smooth versions. Off: the forward values are smooth too (for finite-difference checks).
   */
  straightThrough?: boolean;
}

export function makeStatics(batch: EncodedBatch, archData: EncodedArch): Statics {
  const { B, S } = batch;
  const A = NDS * NAX;
  const coefT = tf.tensor3d(batch.coef, [B, NDIM, A]);
  const sel1T = tf.tensor3d(batch.sel1, [B, NDIM, A]);
  const sel2T = tf.tensor3d(batch.sel2, [B, NDIM, A]);
  return {
    B,
    S,
    perm: tf.tensor4d(batch.perm, [B, S, NDIM, NDIM]),
    coefT,
    sel1T,
    sel2T,
    has1: tf.sum(sel1T, 1, true),
    has2: tf.sum(sel2T, 1, true),
    coefSel1T: tf.mul(coefT, sel1T),
    coefSel2T: tf.mul(coefT, sel2T),
    keep: tf.tensor3d(batch.keep, [B, S, NDS]),
    macs: tf.tensor1d(batch.macs),
    arch: archTensors(archData, B, S),
  };
}

export function archTensors(a: EncodedArch, B: number, S: number): ArchTensors {
  const m = (x: Float32Array) => tf.tensor2d(x, [B, S]);
  return {
    eRead: m(a.eRead),
    eWrite: m(a.eWrite),
    eLeak: m(a.eLeak),
    block: m(a.block),
    invRead: m(a.invRead),
    invWrite: m(a.invWrite),
    invShared: m(a.invShared),
    instances: m(a.instances),
    area: m(a.area),
    macEnergy: tf.tensor1d(a.macEnergy),
    macArea: tf.tensor1d(a.macArea),
    macInstances: tf.tensor1d(a.macInstances),
    clockGHz: tf.tensor1d(a.clockGHz),
  };
}

const stopGradient = tf.customGrad((x: T, save: (t: T[]) => void) => {
  void save;
  return { value: tf.clone(x), gradFunc: (dy: T) => tf.zerosLike(dy) };
}) as (x: T) => T;

/** Forward `hard`, backward the gradient of `soft`. */
export function straightThrough(soft: T, hard: T): T {
  return tf.add(soft, stopGradient(tf.sub(hard, soft)));
}

/** Lower-triangular style 0/1 matrix m[i][j] = pred(i, j). */
function constMatrix(rows: number, cols: number, pred: (i: number, j: number) => boolean): T {
  const v = new Float32Array(rows * cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) v[i * cols + j] = pred(i, j) ? 1 : 0;
  return tf.tensor2d(v, [rows, cols]);
}

/** Product over `axis` of x where mask is 1 (mask broadcasts against x). */
function maskedProd(x: T, mask: T, axis: number): T {
  return tf.prod(tf.add(tf.mul(mask, tf.sub(x, 1)), 1), axis);
}

function gcd(a: T, b: T): T {
  // Euclid on float tensors holding integers; 40 rounds cover every value below 2^24.
  let x = a;
  let y = b;
  for (let i = 0; i < 40; i++) {
    const zero = tf.lessEqual(y, 0.5);
    const safeY = tf.where(zero, tf.onesLike(y), y);
    const r = tf.mod(x, safeY);
    x = tf.where(zero, x, y);
    y = tf.where(zero, y, r);
  }
  return tf.maximum(x, 1);
}

/**
 * The model (DESIGN §2, TIMELOOP-SEMANTICS §1-§10) for a whole batch: tiles, temporal deltas (fills), multicast
 * groups, bypass chains, partitions, per-level counts, energy, cycles, power and area.
 * nT, nS: [B,S,7] factors in linear space (exact integers, or exp of relaxed log-factors).
 */
export function formulate(
  nT: T,
  nS: T,
  st: Statics,
  opts: FormulateOptions,
  givenMasks?: Masks,
  link?: LinkAdjust,
): { out: ModelOutputs; masks: Masks } {
  const { B, S } = st;
  const J = S * NDIM;
  const A = NDS * NAX;
  const exact = opts.mode === 'exact';

  // Extents: e(s) = product of temporal and spatial factors at levels <= s, per dim.
  const both = tf.mul(nT, nS);
  const lowerIncl = constMatrix(S, S, (s, r) => r <= s).reshape([1, S, S, 1]);
  const e = maskedProd(both.reshape([B, 1, S, NDIM]), lowerIncl, 2); // [B,S,7]
  const ePrev = tf.concat([tf.ones([B, 1, NDIM]), e.slice([0, 0, 0], [B, S - 1, NDIM])], 1);
  const sigT = tf.mul(ePrev, nS); // stride of a temporal loop at level s
  const sigS = ePrev; // stride of a spatial loop at level s

  // Tile of each (level, dataspace): product over axes of the projected bounding-box extent.
  const E = tf.add(tf.matMul(tf.sub(e, 1), st.coefT), 1); // [B,S,12]
  const tile = tf.prod(E.reshape([B, S, NDS, NAX]), 3); // [B,S,3]

  // Temporal loops as slots in loop-nest order: slot j = level*7 + position (innermost first).
  const nSlot = tf.sum(tf.mul(st.perm, nT.reshape([B, S, 1, NDIM])), 3).reshape([B, J]);
  const sigSlot = tf.sum(tf.mul(st.perm, sigT.reshape([B, S, 1, NDIM])), 3).reshape([B, J]);
  const act = givenMasks ? givenMasks.act : tf.cast(tf.greater(nSlot, 1.5), 'float32');

  // Translation a step of each slot causes, per (dataspace, axis).
  const cSlot = tf.mul(tf.matMul(st.perm.reshape([B, J, NDIM]), st.coefT), sigSlot.reshape([B, J, 1])); // [B,J,12]
  const cAct = tf.mul(cSlot, act.reshape([B, J, 1]));
  // Exclusive prefix sums over slots (a triangular matMul: tf.cumsum's gradient is unreliable off the last axis).
  const prefixT = tf.matMul(cAct.transpose([0, 2, 1]).reshape([B * A, J]), constMatrix(J, J + 1, (j, k) => j < k)); // [B*12,J+1]
  const prefix = prefixT.reshape([B, A, J + 1]).transpose([0, 2, 1]); // [B,J+1,12]
  // the prefix just above level s (a selection matMul: gather's gradient has no wasm kernel)
  const base = tf
    .matMul(prefixT, constMatrix(J + 1, S, (k, s) => k === (s + 1) * NDIM))
    .reshape([B, A, S])
    .transpose([0, 2, 1]); // [B,S,12]
  // tau[b,s,k] = the translation of a carry into slot k, over the loops above level s (inner loops jump back).
  const tau = tf.add(
    tf.sub(cSlot.reshape([B, 1, J, A]), prefix.slice([0, 0, 0], [B, J, A]).reshape([B, 1, J, A])),
    base.reshape([B, S, 1, A]),
  ); // [B,S,J,12]
  const above = constMatrix(S, J, (s, k) => Math.floor(k / NDIM) > s).reshape([1, S, J]);
  const valid = tf.mul(above, act.reshape([B, 1, J])); // [B,S,J]

  let masks: Masks;
  const Eexp = E.reshape([B, S, 1, A]);
  if (givenMasks) {
    masks = givenMasks;
  } else {
    const firstValid = tf.mul(valid, tf.cast(tf.less(tf.cumsum(valid, 2, true), 0.5), 'float32'));
    const tau1 = tf.sum(tf.mul(firstValid.reshape([B, S, J, 1]), tau), 2, true); // [B,S,1,12]
    const nzAx = tf.cast(tf.greater(tf.abs(tau), 0.5), 'float32');
    const eqAx = tf.cast(tf.less(tf.abs(tf.sub(tau, tau1)), 0.5), 'float32');
    const nz = tf.sum(nzAx.reshape([B, S, J, NDS, NAX]), 4); // [B,S,J,3]
    const eq = tf.prod(eqAx.reshape([B, S, J, NDS, NAX]), 4);
    // A step that repeats the first step's translation sends only the new strip (nothing if it did not move);
    // any other translation, a standstill after a move included, resets and resends the whole tile.
    const strip = tf.mul(eq, tf.cast(tf.equal(nz, 1), 'float32'));
    const full = tf.add(tf.sub(1, eq), tf.mul(eq, tf.cast(tf.greater(nz, 1.5), 'float32')));
    const stripAxis = tf.mul(nzAx, tf.tile(strip.reshape([B, S, J, NDS, 1]), [1, 1, 1, 1, NAX]).reshape([B, S, J, A]));
    const { aRed, bRed } = reducedStrides(nS, sigS, st, B, S);
    masks = { act, stripAxis, full, aRed, bRed };
  }

  // Fraction of the tile each step sends: 0 (reuse), a halo strip |tau_a|/E_a, or 1 (full refetch).
  const stripFrac = tf.minimum(1, tf.div(tf.abs(tau), Eexp));
  const deltaFrac = tf.add(
    masks.full,
    tf.sum(tf.mul(masks.stripAxis, stripFrac).reshape([B, S, J, NDS, NAX]), 4),
  ); // [B,S,J,3]
  // Weight of all carries into slot k: (n_k - 1) * product of the loops outside it.
  const outer = constMatrix(J, J, (k, l) => l > k).reshape([1, J, J]);
  const suffix = maskedProd(tf.tile(nSlot.reshape([B, 1, J]), [1, J, 1]), outer, 2); // [B,J]
  const w = tf.mul(tf.sub(nSlot, 1), suffix);
  const fills = tf.mul(
    tile,
    tf.add(1, tf.sum(tf.mul(tf.mul(above, w.reshape([B, 1, J])).reshape([B, S, J, 1]), deltaFrac), 2)),
  ); // D: [B,S,3] words each instance receives

  // Multicast groups U: distinct child offsets per axis; two loops feeding one axis share diagonals.
  const n1 = tf.add(tf.matMul(tf.sub(nS, 1), st.sel1T), 1); // [B,S,12]
  const n2 = tf.add(tf.matMul(tf.sub(nS, 1), st.sel2T), 1);
  const uAxis = tf.sub(tf.mul(n1, n2), tf.mul(tf.relu(tf.sub(n1, masks.bRed)), tf.relu(tf.sub(n2, masks.aRed))));
  const U = tf.prod(uAxis.reshape([B, S, NDS, NAX]), 3); // [B,S,3]

  const computeCycles = tf.prod(nT.reshape([B, S * NDIM]), 1); // [B]
  const spatialPerLevel = tf.prod(nS, 2); // [B,S]
  const utilizedMacs = tf.prod(spatialPerLevel, 1);
  const strictlyAbove = constMatrix(S, S, (s, r) => r > s).reshape([1, S, S]);
  const instances = maskedProd(tf.tile(spatialPerLevel.reshape([B, 1, S]), [1, S, 1]), strictlyAbove, 2); // [B,S]

  // Content accesses through bypass chains (§6), and Outputs partitions (§7), level by level.
  const keepL = tf.unstack(st.keep, 1); // S x [B,3]
  const fillsL = tf.unstack(fills, 1);
  const UL = tf.unstack(U, 1);
  const ca: T[] = [];
  for (let s = 0; s < S; s++) {
    const source = s === 0 ? computeCycles.reshape([B, 1]) : tf.add(tf.mul(keepL[s - 1]!, fillsL[s - 1]!), tf.mul(tf.sub(1, keepL[s - 1]!), ca[s - 1]!));
    let c = tf.mul(UL[s]!, source);
    if (link) {
      const m = link.mask.slice([0, s, 0], [B, 1, NDS]).reshape([B, NDS]);
      c = tf.add(tf.mul(tf.sub(1, m), c), tf.mul(m, link.ca.slice([0, s, 0], [B, 1, NDS]).reshape([B, NDS])));
    }
    ca.push(c);
  }
  const caT = tf.stack(ca, 1); // [B,S,3]
  const outIdx = 2;
  const partO: T[] = new Array(S);
  const UO = tf.unstack(U.slice([0, 0, outIdx], [B, S, 1]).reshape([B, S]), 1);
  partO[S - 1] = tile.slice([0, S - 1, outIdx], [B, 1, 1]).reshape([B]);
  for (let s = S - 2; s >= 0; s--) {
    const q = tf.div(partO[s + 1]!, UO[s + 1]!);
    partO[s] = exact ? tf.floor(tf.add(q, 1e-3)) : q;
  }
  const isO = tf.tensor1d([0, 0, 1]).reshape([1, 1, NDS]);
  const part = tf.mul(tf.stack(partO, 1).reshape([B, S, 1]), isO); // [B,S,3]
  const notTop = constMatrix(1, S, (_, s) => s < S - 1).reshape([1, S, 1]);
  let pas = fills;
  let peer: T = tf.zeros([B, S, NDS]);
  if (link) {
    pas = tf.add(tf.mul(tf.sub(1, link.childMask), pas), tf.mul(link.childMask, link.pas));
    peer = link.peer;
  }
  const reads = tf.mul(st.keep, tf.add(tf.sub(caT, part), peer));
  const fillCount = tf.mul(tf.mul(st.keep, notTop), tf.add(tf.sub(pas, part), peer));
  const updates = tf.mul(tf.mul(st.keep, isO), caT);

  // Energy (§10): per block, `write` for fills and updates, times utilized instances.
  const a = st.arch;
  const blk = a.block.reshape([B, S, 1]);
  const st8 = opts.straightThrough ?? true;
  const ceil = (x: T) => (exact ? tf.ceil(x) : st8 ? straightThrough(x, tf.ceil(x)) : x);
  const accessEnergy = tf.add(
    tf.mul(ceil(tf.div(reads, blk)), a.eRead.reshape([B, S, 1])),
    tf.mul(tf.add(ceil(tf.div(fillCount, blk)), ceil(tf.div(updates, blk))), a.eWrite.reshape([B, S, 1])),
  );
  const dynamicLevelEnergy = tf.mul(tf.sum(accessEnergy, 2), instances); // [B,S]

  // Cycles (§10): each level is slowed by its busiest port; the run takes the slowest level.
  const rd = tf.sum(reads, 2);
  const wr = tf.sum(tf.add(fillCount, updates), 2);
  const cc = computeCycles.reshape([B, 1]);
  const levelNeeds = tf.stack([tf.tile(cc, [1, S]), tf.mul(rd, a.invRead), tf.mul(wr, a.invWrite), tf.mul(tf.add(rd, wr), a.invShared)], 2);
  const sharp = opts.smoothMaxSharpness ?? 30;
  const smoothMax = (x: T, axis: number) => {
    if (exact) return tf.max(x, axis);
    // a soft maximum on log values, so that the sharpness does not depend on the magnitude of the cycle counts
    const soft = tf.exp(tf.div(tf.logSumExp(tf.mul(tf.log(tf.maximum(x, 1e-9)), sharp), axis), sharp));
    return st8 ? straightThrough(soft, tf.max(x, axis)) : soft;
  };
  const levelCycles = ceil(smoothMax(levelNeeds, 2)); // [B,S]
  const cycles = smoothMax(tf.concat([cc, levelCycles], 1), 1); // [B]

  const leak = tf.mul(tf.mul(a.eLeak, a.instances), cycles.reshape([B, 1]));
  const levelEnergy = tf.add(dynamicLevelEnergy, leak);
  const energy = tf.add(tf.sum(levelEnergy, 1), tf.mul(st.macs, a.macEnergy));
  const power = tf.div(tf.mul(energy, a.clockGHz), cycles); // pJ per ns = mW
  const area = tf.add(tf.sum(tf.mul(a.instances, a.area), 1), tf.mul(a.macInstances, a.macArea));

  return {
    out: {
      cycles,
      energy,
      power,
      area,
      computeCycles,
      utilizedMacs,
      levelEnergy,
      levelCycles,
      reads,
      fills: fillCount,
      updates,
      instances,
      tile,
      multicast: U,
    },
    masks,
  };
}

/** Strides of the (up to) two spatial loops feeding each axis, divided by their gcd (for diagonal sharing). */
function reducedStrides(nS: T, sigS: T, st: Statics, B: number, S: number): { aRed: T; bRed: T } {
  void nS;
  void B;
  void S;
  // An absent loop gets stride 1 so that the count reduces to the other loop's factor.
  const av = tf.add(tf.matMul(sigS, st.coefSel1T), tf.sub(1, st.has1));
  const bv = tf.add(tf.matMul(sigS, st.coefSel2T), tf.sub(1, st.has2));
  const g = gcd(av, bv);
  return { aRed: tf.div(av, g), bRed: tf.div(bv, g) };
}
