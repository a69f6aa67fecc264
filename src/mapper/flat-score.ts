/**
 * Search points straight into the fast kernel's flat layout (`src/model/fast/kernel.ts`): no Mapping object per
 * candidate, link transfers included (computed on the flat arrays).
 */
import { DIMS } from '../workload/layer.js';
import { DIM_IDX, layoutOf, type MapSpace, type Point } from '../mapping/mapspace.js';
import { NDIM, NDS } from '../model/encode.js';
import {
  assertRepresentable,
  DIM_INDEX,
  evalFlat,
  flatBuffers,
  newResults,
  type FastMetrics,
  type FlatCandidates,
} from '../model/fast/evaluate-fast.js';
import { specFor, type LayerSpec } from '../model/fast/spec.js';
import { FlatBatch } from '../parallel/batch.js';
import { evaluateBatch, type ExactPool } from '../parallel/pool.js';

const scratch = flatBuffers();
const checked = new WeakSet<LayerSpec>();

/** Per level, the base order of the spatial loops as `realize` writes them (a constraint's order, else DIMS). */
const baseOrders = new WeakMap<MapSpace, number[][]>();
function baseOrderOf(space: MapSpace): number[][] {
  let b = baseOrders.get(space);
  if (!b) {
    b = space.spatialTemplate.map((t) => (t ? t.order : DIMS).map((d) => DIM_IDX[d]));
    baseOrders.set(space, b);
  }
  return b;
}

/**
 * Write point `p` into flat arrays at level offset `o`. The spatial order is `realize`'s: the X loops first in the
 * base order, then the rest (only non-unit loops matter to the model).
 */
export function flattenPoint(space: MapSpace, p: Point, f: FlatCandidates, o: number): void {
  const lay = layoutOf(space);
  const L = lay.levelSlots.length;
  const { nT, nS, perm, keep, sperm, split } = f;
  const base0 = o * NDIM;
  nT.fill(1, base0, base0 + L * NDIM);
  nS.fill(1, base0, base0 + L * NDIM);
  const bases = baseOrderOf(space);
  for (let s = 0; s < L; s++) {
    const base = base0 + s * NDIM;
    for (const i of lay.levelSlots[s]!) {
      const row = p.f[i]!;
      const into = lay.kind[i] === 'T' ? nT : nS;
      for (let j = 0; j < NDIM; j++) into[base + j]! *= row[j]!;
    }
    const order = p.perm[s]!;
    for (let x = 0; x < NDIM; x++) perm[base + x] = DIM_INDEX.get(order[x]!)!;
    const xs = lay.xSlot[s]!;
    const bo = bases[s]!;
    let n = 0;
    if (xs >= 0) {
      const fx = p.f[xs]!;
      for (const j of bo) if (fx[j]! > 1) sperm[base + n++] = j;
    }
    split[o + s] = n;
    for (const j of bo) if (xs < 0 || !(p.f[xs]![j]! > 1)) sperm[base + n++] = j;
    const k = p.keep[s]!;
    for (let d = 0; d < NDS; d++) keep[(o + s) * NDS + d] = k[d] ? 1 : 0;
  }
}

/** The fast path's spec of a space, checked once for exact float64 counts. */
export function specOfSpace(space: MapSpace): LayerSpec {
  const sp = specFor(space.problem, space.arch);
  if (!checked.has(sp)) {
    assertRepresentable(sp, space.problem.name);
    checked.add(sp);
  }
  return sp;
}

/** Exact cycles, energy (pJ), power (mW) and area (um^2) of points of any spaces. */
export function scorePoints(items: readonly { space: MapSpace; point: Point }[]): FastMetrics {
  const out = newResults(items.length);
  for (let b = 0; b < items.length; b++) {
    const { space, point } = items[b]!;
    flattenPoint(space, point, scratch, 0);
    evalFlat(specOfSpace(space), scratch, 0, out, b);
  }
  return out;
}

/**
 * `scorePoints` through a reusable shared batch, on the pool's threads when one is given (same numbers either way).
 * The results live in `batch.out` until the batch is used again.
 */
export async function scorePointsBatched(
  items: readonly { space: MapSpace; point: Point }[],
  batch: FlatBatch,
  pool: ExactPool | null,
): Promise<FastMetrics> {
  batch.reset();
  for (const { space, point } of items) pushPoint(batch, space, point);
  return pool ? pool.evaluate(batch) : evaluateBatch(batch);
}

/** Append a point to a batch (in this order: `push` may grow the batch's arrays, so `flat` is read after it). */
export function pushPoint(batch: FlatBatch, space: MapSpace, point: Point): void {
  const o = batch.push(specOfSpace(space));
  flattenPoint(space, point, batch.flat, o);
}
