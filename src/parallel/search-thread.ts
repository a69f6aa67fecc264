/**
 * A second core for the co-optimizer: one worker thread that runs whole mapping searches of some layers of a hardware
 * point, or the walks of some hardware points of a batch, while the calling thread does the rest. Jobs queue in order; each ends by its wall-clock
 * deadline. Null where worker threads do not exist or none are wanted (CODESIGN_WORKERS=0, one core, a browser page):
 * callers then do the same work on their own thread. The thread is unref'd while idle, so it never keeps a command
 * alive.
 */
import type { Accelerator } from '../hardware/accelerator.js';
import type { Constraints } from '../mapping/constraints.js';
import type { Option } from '../mapper/archive.js';
import type { Objective, SearchResult } from '../mapper/task.js';
import type { Walker } from '../mapper/local.js';
import type { Point } from '../mapping/mapspace.js';
import type { ConvLayer, Problem } from '../workload/layer.js';
import { defaultWorkerCount } from './pool.js';
import { isNode, spawnWorker, type NodeWorker } from './spawn.js';

export type JobLayer = { layer: ConvLayer; problem: Problem; groups: number; constraints: Constraints | null };

/** A full mapping search (`codesignSearch`) of some layers of one hardware point. */
export interface SearchLayersJob {
  kind: 'search';
  arch: Accelerator;
  layers: JobLayer[];
  seed: number;
  /** `codesignSearch`'s starts and walkers per layer (default: its own) */
  startsPerLayer?: number;
  walkersPerLayer?: number;
}

/** `walkFromStarts` (src/coopt/hardware-walk.ts) on every layer of some hardware points. */
export interface WalkJob {
  kind: 'walk';
  /** per point; its layer tasks are numbered point-major (point j, layer l: j x layers + l) */
  archs: Accelerator[];
  layers: JobLayer[];
  starts: { layer: number; point: Point }[];
  /** per layer task, the mappings its archive holds already */
  known: Option[][];
  walkers: number;
  rounds: number;
}

export type SearchJob = (SearchLayersJob | WalkJob) & {
  id: number;
  objective: Objective;
  /** the job ends by this wall-clock time (ms since the epoch, `Date.now()`: a job that waited for the thread to load
   * gets what is left) */
  until: number;
};

export interface SearchOutcome {
  /** per layer (task), the non-dominated mappings found */
  options: Option[][];
  /** a search: per layer, the best mapping for the job's objective */
  best: SearchResult['best'];
  /** a walk: where the walkers ended */
  ends: Walker[];
  evaluations: number;
}

export type SearchReply =
  | { id: number; ok: true; ready: true }
  | ({ id: number; ok: true; ready?: undefined } & SearchOutcome)
  | { id: number; ok: false; ready?: undefined; error: string };

type Distribute<T> = T extends unknown ? Omit<T, 'id'> : never;

export class SearchThread {
  private nextJob = 0;
  private readonly pending = new Map<number, { resolve: (o: SearchOutcome) => void; reject: (e: Error) => void }>();

  private loaded!: () => void;
  private readonly ready = new Promise<void>((r) => (this.loaded = r));

  constructor(private readonly worker: NodeWorker) {
    worker.on('message', (m: SearchReply) => {
      if (m.ready) {
        this.loaded();
        return;
      }
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      if (this.pending.size === 0) worker.unref();
      if (m.ok) p.resolve({ options: m.options, best: m.best, ends: m.ends, evaluations: m.evaluations });
      else p.reject(new Error(`search thread: ${m.error}`));
    });
    worker.on('error', (e) => {
      for (const p of this.pending.values()) p.reject(e);
      this.pending.clear();
    });
    worker.unref();
  }

  /** Resolves when the thread has loaded (benches wait for it; the searches do not need to). */
  async whenReady(): Promise<void> {
    this.worker.ref();
    await this.ready;
    if (this.pending.size === 0) this.worker.unref();
  }

  /** End the thread. */
  async close(): Promise<void> {
    await this.worker.terminate();
  }

  run(job: Distribute<SearchJob>): Promise<SearchOutcome> {
    const id = this.nextJob++;
    const done = new Promise<SearchOutcome>((resolve, reject) => this.pending.set(id, { resolve, reject }));
    if (this.pending.size === 1) this.worker.ref();
    this.worker.postMessage({ ...job, id });
    return done;
  }
}

/** A search thread of its own (null where worker threads do not exist); `close()` ends it. */
export async function createSearchThread(): Promise<SearchThread | null> {
  return isNode() ? new SearchThread(await spawnWorker('search-worker')) : null;
}

let shared: Promise<SearchThread | null> | null = null;

/**
 * The process-wide search thread (created on first use), or null when there is no second core to give it: the same
 * rule as the exact pool's (CODESIGN_WORKERS, else the cores less one, none inside `node --test`).
 */
export function sharedSearchThread(): Promise<SearchThread | null> {
  return (shared ??= (async () => ((await defaultWorkerCount()) > 0 ? createSearchThread() : null))());
}
