/**
 * The exact model on several cores: a pool of worker threads (Node's `worker_threads`) that evaluates the parts of a
 * shared `FlatBatch` while the calling thread evaluates the last part. The partition is a pure function of the batch
 * size, and every candidate is evaluated on its own by the same kernel, so results are the same with any number of
 * workers, and the same as `evaluateBatch` on one thread.
 *
 * Where worker threads or SharedArrayBuffer do not exist (a browser page, a bundler without Node builtins)
 * `createExactPool` returns null and callers evaluate on their own thread. Idle workers are unref'd: a pool never
 * keeps the process alive after a command ends; `close()` ends its workers.
 */
import type { FastMetrics } from '../model/fast/evaluate-fast.js';
import type { LayerSpec } from '../model/fast/spec.js';
import { evaluateRange, partition, type FlatBatch } from './batch.js';
import type { RunMessage } from './exact-worker.js';
import { isNode, spawnWorker, type NodeWorker } from './spawn.js';

/** Evaluate every candidate of a batch on this thread. */
export function evaluateBatch(batch: FlatBatch): FastMetrics {
  evaluateRange(batch.specs, batch.flat, batch.offset, batch.out, 0, batch.n);
  return batch.out;
}

export class ExactPool {
  private readonly ids = new WeakMap<LayerSpec, number>();
  private nextSpec = 0;
  /** per worker: the spec ids it holds */
  private readonly sent: Set<number>[];
  private nextJob = 0;
  private readonly pending = new Map<number, { resolve: () => void; reject: (e: Error) => void }>();
  private inFlight = 0;
  private specIds: Int32Array = new Int32Array(0);
  private closed = false;
  /** workers that have loaded (a batch never waits for a worker still starting: the calling thread takes its part) */
  private readonly ready: boolean[];
  private readonly started: Promise<void>[];
  private readonly onReady: (() => void)[] = [];
  /**
   * ids of specs collected on this thread, per worker not yet told: a worker holds every spec it was sent until then
   * (a long co-optimization makes hundreds of thousands, one per hardware point and layer)
   */
  private readonly dead: number[][];
  private readonly collected = new FinalizationRegistry<number>((id) => {
    this.workers.forEach((_, k) => {
      if (this.sent[k]!.delete(id)) this.dead[k]!.push(id);
    });
  });

  constructor(
    private readonly workers: NodeWorker[],
    /** batches smaller than this are evaluated on the calling thread (a round trip costs ~0.1 ms) */
    readonly minParallel = 256,
  ) {
    this.sent = workers.map(() => new Set());
    this.dead = workers.map(() => []);
    this.ready = workers.map(() => false);
    this.started = workers.map((_, k) => new Promise<void>((r) => (this.onReady[k] = r)));
    workers.forEach((w, k) => {
      w.on('message', (m: { id: number; ok: boolean; error?: string; ready?: boolean }) => {
        if (m.ready) {
          this.ready[k] = true;
          this.onReady[k]!();
          return;
        }
        const p = this.pending.get(m.id);
        if (!p) return;
        this.pending.delete(m.id);
        if (--this.inFlight === 0) for (const x of this.workers) x.unref();
        if (m.ok) p.resolve();
        else p.reject(new Error(`exact pool worker: ${m.error}`));
      });
      w.on('error', (e) => {
        for (const p of this.pending.values()) p.reject(e);
        this.pending.clear();
      });
      w.unref();
    });
  }

  /** Worker threads (the calling thread evaluates one more part). */
  get size(): number {
    return this.workers.length;
  }

  /** Cycles, energy (pJ), power (mW) and area (um^2) of every candidate of the batch, in `batch.out`. */
  async evaluate(batch: FlatBatch): Promise<FastMetrics> {
    const n = batch.n;
    const live = this.workers.filter((_, k) => this.ready[k]);
    if (this.closed || live.length === 0 || n < this.minParallel) return evaluateBatch(batch);
    // a call while another is in flight gets its own id array
    if (this.specIds.length < n || this.inFlight > 0) this.specIds = new Int32Array(new SharedArrayBuffer(4 * Math.max(n, 2 * this.specIds.length)));
    const specIds = this.specIds;
    for (let b = 0; b < n; b++) {
      const sp = batch.specs[b]!;
      let id = this.ids.get(sp);
      if (id === undefined) {
        this.ids.set(sp, (id = this.nextSpec++));
        this.collected.register(sp, id);
      }
      specIds[b] = id;
    }
    const parts = partition(n, live.length + 1);
    const jobs: Promise<void>[] = [];
    live.forEach((w, j) => {
      const k = this.workers.indexOf(w);
      const [from, to] = parts[j]!;
      if (to <= from) return;
      const newSpecs: [number, LayerSpec][] = [];
      for (let b = from; b < to; b++) {
        const id = specIds[b]!;
        if (!this.sent[k]!.has(id)) {
          this.sent[k]!.add(id);
          newSpecs.push([id, batch.specs[b]!]);
        }
      }
      const id = this.nextJob++;
      const forget = this.dead[k]!.splice(0);
      const msg: RunMessage = { id, newSpecs, forget, flat: batch.flat, offset: batch.offset, specIds, out: batch.out, from, to };
      jobs.push(new Promise<void>((resolve, reject) => this.pending.set(id, { resolve, reject })));
      if (this.inFlight++ === 0) for (const x of this.workers) x.ref();
      w.postMessage(msg);
    });
    const [from, to] = parts[live.length]!;
    evaluateRange(batch.specs, batch.flat, batch.offset, batch.out, from, to);
    await Promise.all(jobs);
    return batch.out;
  }

  /** Per worker, how many specs it holds (those this thread has not collected yet). */
  held(): number[] {
    return this.sent.map((s) => s.size);
  }

  /** Resolves when every worker has loaded (benches and tests wait for it; the search does not need to). */
  async whenReady(): Promise<void> {
    for (const w of this.workers) w.ref();
    await Promise.all(this.started);
    if (this.inFlight === 0) for (const w of this.workers) w.unref();
  }

  /** End the workers. */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}

/**
 * Worker threads a pool gets by default: CODESIGN_WORKERS if set, else one fewer than the cores (0 on one core), and 0
 * inside `node --test` (the suite already runs its files in parallel; the pool's own tests create their pools).
 */
export async function defaultWorkerCount(): Promise<number> {
  if (!isNode()) return 0;
  const vars = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env ?? {};
  const env = vars.CODESIGN_WORKERS;
  if (env !== undefined && env !== '') {
    const n = Number(env);
    if (Number.isInteger(n) && n >= 0 && n <= 64) return n;
  }
  if (vars.NODE_TEST_CONTEXT) return 0;
  const os = await import('node:os');
  return Math.max(0, (os.availableParallelism?.() ?? os.cpus().length) - 1);
}

/**
 * A pool of `workers` threads (default `defaultWorkerCount()`; batches under `minParallel` stay on the calling
 * thread), or null where worker threads do not exist or none
 * are wanted. Under tsx (the sources) the workers load the TypeScript worker through the same loader.
 */
export async function createExactPool(workers?: number, minParallel = 256): Promise<ExactPool | null> {
  if (!isNode()) return null;
  const n = workers ?? (await defaultWorkerCount());
  if (n <= 0) return null;
  const list = await Promise.all(Array.from({ length: n }, () => spawnWorker('exact-worker')));
  return new ExactPool(list, minParallel);
}

let shared: Promise<ExactPool | null> | null = null;

/** One process-wide pool (created on first use, unref'd, so it never keeps a command alive). */
export function sharedExactPool(): Promise<ExactPool | null> {
  return (shared ??= createExactPool());
}
