/**
 * What every search works on: the layers of a network on one accelerator, each with its map space, and one scorer
 * shared by all methods (the batched exact model), so that comparisons use the same model, validity rules and budget.
 */
import type { Accelerator } from '../hardware/accelerator.js';
import type { Constraints } from '../mapping/constraints.js';
import { buildMapSpace, fits, type MapSpace, type Point } from '../mapping/mapspace.js';
import { scorePointsBatched } from './flat-score.js';
import { FlatBatch } from '../parallel/batch.js';
import type { ExactPool } from '../parallel/pool.js';
import type { ParetoArchive } from './archive.js';
import { layerToProblem, type ConvLayer, type Problem } from '../workload/layer.js';

export type Objective = 'edp' | 'latency' | 'energy';

export interface LayerTask {
  layer: ConvLayer;
  problem: Problem;
  /** identical groups of a grouped conv (each runs this problem) */
  groups: number;
  space: MapSpace;
}

export interface SearchTask {
  arch: Accelerator;
  objective: Objective;
  layers: LayerTask[];
}

export function buildTask(
  layers: readonly ConvLayer[],
  arch: Accelerator,
  constraintsFor: (p: Problem) => Constraints | null,
  objective: Objective,
): SearchTask {
  return {
    arch,
    objective,
    layers: layers.map((layer) => {
      const { problem, count } = layerToProblem(layer);
      return { layer, problem, groups: count, space: buildMapSpace(problem, arch, constraintsFor(problem)) };
    }),
  };
}

/** Lower is better. EDP in J x cycles, latency in cycles, energy in pJ. */
export function score(objective: Objective, cycles: number, energyPJ: number): number {
  switch (objective) {
    case 'edp':
      return energyPJ * 1e-12 * cycles;
    case 'latency':
      // ties in cycles are broken by energy, so that latency search still prefers the cheaper mapping
      return cycles * (1 + 1e-9 * Math.log1p(energyPJ));
    case 'energy':
      return energyPJ * (1 + 1e-9 * Math.log1p(cycles));
  }
}

export interface Scored {
  score: number;
  cycles: number;
  energy: number;
}

/**
 * Scores points of any layers in one batched exact evaluation. Points that do not fit (capacity, fanout) score
 * Infinity without reaching the model. Counts evaluations for budget reporting.
 */
export class Scorer {
  evaluations = 0;
  /** when set, every scored point is offered to its layer's (cycles, energy) Pareto archive */
  archives: ParetoArchive[] | null = null;
  private readonly batch = new FlatBatch(1024);
  private busy = false;
  /** `pool`: worker threads for large batches (null: this thread only; the numbers are the same) */
  constructor(
    readonly task: SearchTask,
    readonly pool: ExactPool | null = null,
  ) {}

  /** `fitted`: the caller has already checked every point with `fits` (the local search does), so skip it here. */
  async score(items: readonly { layer: number; point: Point }[], fitted = false): Promise<Scored[]> {
    const out: Scored[] = items.map(() => ({ score: Infinity, cycles: Infinity, energy: Infinity }));
    const idx: number[] = [];
    const cands: { space: MapSpace; point: Point }[] = [];
    for (let i = 0; i < items.length; i++) {
      const { layer, point } = items[i]!;
      const lt = this.task.layers[layer]!;
      if (!fitted && !fits(lt.space, point).ok) continue;
      idx.push(i);
      // each layer task carries its own accelerator, so one batch can score several hardware variants
      cands.push({ space: lt.space, point });
    }
    if (cands.length === 0) return out;
    // one shared batch per scorer; a call while another is in flight gets its own
    const own = this.busy ? new FlatBatch(cands.length) : this.batch;
    this.busy = true;
    let m;
    try {
      m = await scorePointsBatched(cands, own, this.pool);
    } finally {
      if (own === this.batch) this.busy = false;
    }
    this.evaluations += cands.length;
    idx.forEach((i, k) => {
      out[i] = { score: score(this.task.objective, m.cycles[k]!, m.energy[k]!), cycles: m.cycles[k]!, energy: m.energy[k]! };
      this.archives?.[items[i]!.layer]?.offer({ cycles: m.cycles[k]!, energy: m.energy[k]!, point: items[i]!.point });
    });
    return out;
  }
}

/** Per-layer best points of a search, with a trace of the network total over time. */
export interface SearchResult {
  method: string;
  best: ({ point: Point; scored: Scored } | null)[];
  /** elapsed seconds and the sum over layers (x repeats x groups) of the best score so far */
  trace: { t: number; total: number }[];
  evaluations: number;
  seconds: number;
}

export interface SearchOptions {
  seed: number;
  /** wall-clock budget in seconds */
  timeLimit: number;
  /** called now and then with the fraction of the budget used and the current total */
  onProgress?: (fraction: number, total: number) => void;
  /** worker threads for the exact model (default: the process-wide pool, `sharedExactPool`; null: this thread only) */
  pool?: ExactPool | null;
}

/** Sum over layers of the best score, weighted by how often the layer runs. */
export function totalScore(task: SearchTask, best: SearchResult['best']): number {
  return best.reduce((a, b, i) => a + (b ? b.scored.score * task.layers[i]!.layer.repeat * task.layers[i]!.groups : Infinity), 0);
}

/** Bookkeeping shared by the searches: best per layer, the trace, the deadline. */
export class Incumbents {
  readonly best: SearchResult['best'];
  readonly trace: SearchResult['trace'] = [];
  private readonly t0 = performance.now();
  constructor(
    readonly task: SearchTask,
    readonly opts: SearchOptions,
  ) {
    this.best = task.layers.map(() => null);
  }

  elapsed(): number {
    return (performance.now() - this.t0) / 1000;
  }

  timeLeft(): number {
    return this.opts.timeLimit - this.elapsed();
  }

  /** Offer a scored point; returns true if it is the layer's new best. */
  offer(layer: number, point: Point, scored: Scored): boolean {
    const cur = this.best[layer];
    if (!Number.isFinite(scored.score) || (cur && cur.scored.score <= scored.score)) return false;
    this.best[layer] = { point, scored };
    return true;
  }

  /** Record the current total in the trace (call after each batch). */
  mark(): void {
    const total = totalScore(this.task, this.best);
    const last = this.trace[this.trace.length - 1];
    if (!last || last.total !== total) this.trace.push({ t: this.elapsed(), total });
    this.opts.onProgress?.(Math.min(1, this.elapsed() / this.opts.timeLimit), total);
  }

  result(method: string, evaluations: number): SearchResult {
    return { method, best: this.best, trace: this.trace, evaluations, seconds: this.elapsed() };
  }
}
