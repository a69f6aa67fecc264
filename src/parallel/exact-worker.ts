/**
 * A worker thread of the exact pool (`pool.ts`): it holds the LayerSpecs it has been sent and evaluates the ranges of
 * shared batches it is given, writing the results in place.
 */
import { parentPort } from 'node:worker_threads';
import type { FastMetrics, FlatCandidates } from '../model/fast/evaluate-fast.js';
import type { LayerSpec } from '../model/fast/spec.js';
import { evaluateRange } from './batch.js';

export interface RunMessage {
  id: number;
  /** specs not sent before: [global id, spec] */
  newSpecs: [number, LayerSpec][];
  /** ids of specs the calling thread no longer has (none of this batch) */
  forget: number[];
  flat: FlatCandidates;
  offset: Int32Array;
  /** per candidate: the global id of its spec */
  specIds: Int32Array;
  out: FastMetrics;
  from: number;
  to: number;
}

const specs = new Map<number, LayerSpec>();
const view: LayerSpec[] = [];

parentPort!.postMessage({ id: -1, ok: true, ready: true });
parentPort!.on('message', (m: RunMessage) => {
  try {
    for (const id of m.forget) specs.delete(id);
    for (const [id, sp] of m.newSpecs) specs.set(id, sp);
    for (let b = m.from; b < m.to; b++) view[b] = specs.get(m.specIds[b]!)!;
    evaluateRange(view, m.flat, m.offset, m.out, m.from, m.to);
    view.length = 0;
    parentPort!.postMessage({ id: m.id, ok: true });
  } catch (e) {
    parentPort!.postMessage({ id: m.id, ok: false, error: e instanceof Error ? e.message : String(e) });
  }
});
