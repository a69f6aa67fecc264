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
  [k: string]: T;
  /** [B,K] temporal slot (levels 1..S-1) is non-unit */
  act: T;
  /** [B,S-1,K,4] the one Inputs axis of a halo strip */
  stripAxis: T;
  /** [B,S-1,K,3] the step resends the whole tile */
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
  coefInputsT: T; // [B,7,4]
  relevanceT: T; // [B,7,3] dim indexes the dataspace
  sel1T: T; // [B,7,12]
  sel2T: T;
  /** [B,S,12] reduced strides of the two spatial loops feeding an axis (diagonal sharing), from the encoder */
  aRed: T;
  bRed: T;
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
    coefInputsT: coefT.slice([0, 0, NAX], [B, NDIM, NAX]),
    relevanceT: tf.tidy(() => tf.cast(tf.greater(tf.sum(coefT.reshape([B, NDIM, NDS, NAX]), 3), 0), 'float32')),
    sel1T,
    sel2T,
    aRed: tf.tensor3d(batch.aRed, [B, S, A]),
    bRed: tf.tensor3d(batch.bRed, [B, S, A]),
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

const stopGradient = tf.customGrad(((x: T) => ({ value: tf.clone(x), gradFunc: (dy: T) => tf.zerosLike(dy) })) as unknown as Parameters<
  typeof tf.customGrad
>[0]) as unknown as (x: T) => T;

/** Forward `hard`, backward the gradient of `soft`. */
export function straightThrough(soft: T, hard: T): T {
  return tf.add(soft, stopGradient(tf.sub(hard, soft)));
}

/** [B] um^2: instances x area per instance over the levels, plus the MACs. */
export function totalArea(a: ArchTensors): T {
  return tf.add(tf.sum(tf.mul(a.instances, a.area), 1), tf.mul(a.macInstances, a.macArea));
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
  const exact = opts.mode === 'exact';
  const st8 = opts.straightThrough ?? true;
  // counts are whole words; relaxed mode rounds only in the forward pass, so that it equals the exact mode at integers
  const roundCount = (x: T) => (exact ? tf.round(x) : st8 ? straightThrough(x, tf.round(x)) : x);

  // Extents: e(s) = product of temporal and spatial factors at levels <= s, per dim.
  const both = tf.mul(nT, nS);
  const lowerIncl = constMatrix(S, S, (s, r) => r <= s).reshape([1, S, S, 1]);
  const e = maskedProd(both.reshape([B, 1, S, NDIM]), lowerIncl, 2); // [B,S,7]
  const ePrev = tf.concat([tf.ones([B, 1, NDIM]), e.slice([0, 0, 0], [B, S - 1, NDIM])], 1);
  const sigT = tf.mul(ePrev, nS); // stride of a temporal loop at level s

  // Tile of each (level, dataspace): product over axes of the projected bounding-box extent.
  const E = tf.add(tf.matMul(tf.sub(e, 1), st.coefT), 1); // [B,S,12]
  const tile = tf.prod(E.reshape([B, S, NDS, NAX]), 3); // [B,S,3]

  // Temporal loops above some level: slots k = (level-1)*7 + position for levels 1..S-1 (innermost first); rows r are
  // the levels 0..S-2 that have loops above them.
  const R = S - 1;
  const K = R * NDIM;
  const permUp = st.perm.slice([0, 1, 0, 0], [B, R, NDIM, NDIM]);
  const nSlot = tf.sum(tf.mul(permUp, nT.slice([0, 1, 0], [B, R, NDIM]).reshape([B, R, 1, NDIM])), 3).reshape([B, K]);
  const sigSlot = tf.sum(tf.mul(permUp, sigT.slice([0, 1, 0], [B, R, NDIM]).reshape([B, R, 1, NDIM])), 3).reshape([B, K]);
  const act = givenMasks ? givenMasks.act : tf.cast(tf.greater(nSlot, 1.5), 'float32');
  const above = constMatrix(R, K, (r, k) => Math.floor(k / NDIM) + 1 > r).reshape([1, R, K]);
  const valid = tf.mul(above, act.reshape([B, 1, K])); // [B,R,K]

  // Inputs: translation of a carry into slot k over the loops above level r (inner loops jump back from index 1).
  const cSlot = tf.mul(tf.matMul(permUp.reshape([B, K, NDIM]), st.coefInputsT), sigSlot.reshape([B, K, 1])); // [B,K,4]
  const cAct = tf.mul(cSlot, act.reshape([B, K, 1]));
  // Exclusive prefix sums over slots (a triangular matMul: tf.cumsum's gradient is unreliable off the last axis).
  const prefixT = tf.matMul(
    cAct.transpose([0, 2, 1]).reshape([B * NAX, K]),
    constMatrix(K, K, (j, k) => j < k),
  ); // [B*4,K]
  // the prefix sum of the slots of levels <= r, to be taken off (a selection matMul: gather's gradient has no wasm kernel)
  const baseT = tf.matMul(
    cAct.transpose([0, 2, 1]).reshape([B * NAX, K]),
    constMatrix(K, R, (j, r) => Math.floor(j / NDIM) + 1 <= r),
  );
  const tau = tf.add(
    tf.sub(cSlot.reshape([B, 1, K, NAX]), prefixT.reshape([B, NAX, K]).transpose([0, 2, 1]).reshape([B, 1, K, NAX])),
    baseT.reshape([B, NAX, R]).transpose([0, 2, 1]).reshape([B, R, 1, NAX]),
  ); // [B,R,K,4]
  const EI = E.slice([0, 0, NAX], [B, R, NAX]).reshape([B, R, 1, NAX]);

  let masks: Masks;
  if (givenMasks) {
    masks = givenMasks;
  } else {
    // Inputs (§3.1): a step repeating the first step's translation sends only the new strip, or nothing if it did not
    // move; any other translation, a standstill after a move included, resets and resends the whole tile.
    const firstValid = tf.mul(valid, tf.cast(tf.less(tf.cumsum(valid, 2, true), 0.5), 'float32'));
    const tau1 = tf.sum(tf.mul(firstValid.reshape([B, R, K, 1]), tau), 2, true); // [B,R,1,4]
    const nzAx = tf.cast(tf.greater(tf.abs(tau), 0.5), 'float32');
    const nz = tf.sum(nzAx, 3); // [B,R,K]
    const eq = tf.prod(tf.cast(tf.less(tf.abs(tf.sub(tau, tau1)), 0.5), 'float32'), 3);
    const strip = tf.mul(eq, tf.cast(tf.equal(nz, 1), 'float32'));
    const fullI = tf.add(tf.sub(1, eq), tf.mul(eq, tf.cast(tf.greater(nz, 1.5), 'float32')));
    // Weights and Outputs have one dim per axis, so a step reuses the tile until the first relevant loop and resends
    // it whole from there on (the closed form of §3.2).
    const relSlot = tf.matMul(permUp.reshape([B, K, NDIM]), st.relevanceT); // [B,K,3]
    const eligible = tf.mul(valid.reshape([B, R, 1, K]), relSlot.transpose([0, 2, 1]).reshape([B, 1, NDS, K]));
    const fromFirst = tf.cast(tf.greater(tf.cumsum(eligible, 3), 0.5), 'float32').transpose([0, 1, 3, 2]); // [B,R,K,3]
    const isI = tf.tensor1d([0, 1, 0]).reshape([1, 1, 1, NDS]);
    const full = tf.add(tf.mul(fromFirst, tf.sub(1, isI)), tf.mul(fullI.reshape([B, R, K, 1]), isI));
    masks = { act, stripAxis: tf.mul(nzAx, strip.reshape([B, R, K, 1])), full, aRed: st.aRed, bRed: st.bRed };
  }

  // Weight of all carries into slot k: (n_k - 1) * product of the loops outside it.
  const suffix = maskedProd(nSlot.reshape([B, 1, K]), constMatrix(K, K, (k, l) => l > k).reshape([1, K, K]), 2); // [B,K]
  const aw = tf.mul(above, tf.mul(tf.sub(nSlot, 1), suffix).reshape([B, 1, K])); // [B,R,K]
  // Words sent per step as a fraction of the tile: 0 (reuse), a halo strip |tau_a|/E_a (Inputs), or 1 (full).
  const stripFrac = tf.sum(tf.mul(masks.stripAxis, tf.minimum(1, tf.div(tf.abs(tau), EI))), 3); // [B,R,K]
  const steps = tf.add(
    tf.matMul(aw.reshape([B * R, 1, K]), masks.full.reshape([B * R, K, NDS])).reshape([B, R, NDS]),
    tf.mul(tf.sum(tf.mul(aw, stripFrac), 2).reshape([B, R, 1]), tf.tensor1d([0, 1, 0]).reshape([1, 1, NDS])),
  );
  const fillsRaw = tf.mul(tile, tf.concat([tf.add(1, steps), tf.ones([B, 1, NDS])], 1)); // D: [B,S,3] words per instance
  // counts are integers (a halo strip is a whole number of slices); float32 products can land a hair off
  const fills = roundCount(fillsRaw);

  // Multicast groups U: distinct child offsets per axis; two loops feeding one axis share diagonals.
  const n1 = tf.add(tf.matMul(tf.sub(nS, 1), st.sel1T), 1); // [B,S,12]
  const n2 = tf.add(tf.matMul(tf.sub(nS, 1), st.sel2T), 1);
  const uAxis = tf.sub(tf.mul(n1, n2), tf.mul(tf.relu(tf.sub(n1, masks.bRed)), tf.relu(tf.sub(n2, masks.aRed))));
  const U = tf.prod(uAxis.reshape([B, S, NDS, NAX]), 3); // [B,S,3]

  const computeCycles = tf.prod(nT.reshape([B, S * NDIM]), 1); // [B]
  const spatialPerLevel = tf.prod(nS, 2); // [B,S]
  const utilizedMacs = tf.prod(spatialPerLevel, 1);
  const strictlyAbove = constMatrix(S, S, (s, r) => r > s).reshape([1, S, S]);
  const instances = maskedProd(spatialPerLevel.reshape([B, 1, S]), strictlyAbove, 2); // [B,S]

  // Content accesses through bypass chains (§6), and Outputs partitions (§7), level by level.
  const keepL = tf.unstack(st.keep, 1); // S x [B,3]
  const fillsL = tf.unstack(fills, 1);
  const UL = tf.unstack(U, 1);
  const ca: T[] = [];
  for (let s = 0; s < S; s++) {
    const source =
      s === 0 ? computeCycles.reshape([B, 1]) : tf.add(tf.mul(keepL[s - 1]!, fillsL[s - 1]!), tf.mul(tf.sub(1, keepL[s - 1]!), ca[s - 1]!));
    let c = tf.mul(UL[s]!, source);
    if (link) {
      const m = link.mask.slice([0, s, 0], [B, 1, NDS]).reshape([B, NDS]);
      c = tf.add(tf.mul(tf.sub(1, m), c), tf.mul(m, link.ca.slice([0, s, 0], [B, 1, NDS]).reshape([B, NDS])));
    }
    ca.push(roundCount(c));
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
  const levelNeeds = tf.stack([tf.mul(cc, tf.ones([1, S])), tf.mul(rd, a.invRead), tf.mul(wr, a.invWrite), tf.mul(tf.add(rd, wr), a.invShared)], 2);
  const sharp = opts.smoothMaxSharpness ?? 30;
  const smoothMax = (x: T, axis: number) => {
    if (exact) return tf.max(x, axis);
    // a soft maximum on log values, so that the sharpness does not depend on the magnitude of the cycle counts
    const soft = tf.exp(tf.div(tf.logSumExp(tf.mul(tf.log(tf.maximum(x, 1e-9)), sharp), axis), sharp));
    return st8 ? straightThrough(soft, tf.max(x, axis)) : soft;
  };
  const levelCycles = ceil(smoothMax(levelNeeds, 2)); // [B,S]
  const cycles = smoothMax(tf.concat([cc, levelCycles], 1), 1); // [B]

  // Timeloop v3.0.3 charges no leakage: an ERT `leak` action is read but not charged (static power is the cost
  // model's own term, on top of this dynamic energy)
  const levelEnergy = dynamicLevelEnergy;
  const energy = tf.add(tf.sum(levelEnergy, 1), tf.mul(st.macs, a.macEnergy));
  const power = tf.div(tf.mul(energy, a.clockGHz), cycles); // pJ per ns = mW
  const area = totalArea(a);

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
