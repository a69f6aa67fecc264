/**
 * The mapping part of a batched hardware-point search, on whichever thread runs it (the evaluator's or the search
 * thread): score the starts, walk from the best few of each (hardware, layer) with the best-improvement local search,
 * then score slower, lower-power versions of where the walkers ended and of each layer's lowest-energy mapping (what a
 * tight power budget spreads over time). Every scored mapping enters its layer task's archive.
 */
import type { Accelerator } from '../hardware/accelerator.js';
import type { Point } from '../mapping/mapspace.js';
import { localSearch, ScoreCache, scoreCached, type Walker } from '../mapper/local.js';
import { Incumbents, Scorer, type LayerTask, type Objective, type SearchTask } from '../mapper/task.js';
import type { ExactPool } from '../parallel/pool.js';
import type { PowerParetoArchive } from './power-archive.js';
import { throttled } from './throttle.js';

export interface WalkInput {
  arch: Accelerator;
  layerTasks: LayerTask[];
  /** per layer task */
  archives: PowerParetoArchive[];
  starts: { layer: number; point: Point }[];
  objective: Objective;
  /** walkers per layer task */
  walkers: number;
  rounds: number;
  /** seconds */
  timeLimit: number;
  pool: ExactPool | null;
}

export async function walkFromStarts(x: WalkInput): Promise<{ ends: Walker[]; evaluations: number }> {
  const task: SearchTask = { arch: x.arch, objective: x.objective, layers: x.layerTasks };
  const scorer = new Scorer(task, x.pool);
  scorer.archives = x.archives;
  const cache = new ScoreCache(x.layerTasks.length);
  const scored = await scoreCached(scorer, cache, x.starts);
  // walkers per (hardware, layer): the best few starts
  const byLayer = new Map<number, Walker[]>();
  x.starts.forEach((s, i) => {
    if (!Number.isFinite(scored[i]!.score)) return;
    const list = byLayer.get(s.layer) ?? [];
    list.push({ layer: s.layer, point: s.point, scored: scored[i]! });
    byLayer.set(s.layer, list);
  });
  const walkers = [...byLayer.values()].flatMap((ws) => ws.sort((a, b) => a.scored.score - b.scored.score).slice(0, x.walkers));
  const inc = new Incumbents(task, { seed: 1, timeLimit: Math.max(0.001, x.timeLimit) });
  const ends = await localSearch(task, scorer, cache, inc, walkers, { maxRounds: x.rounds });
  const frugal = x.archives.flatMap((a, layer) => {
    const o = a.options.reduce<(typeof a.options)[number] | null>((b, y) => (b === null || y.energy < b.energy ? y : b), null);
    return o ? [{ layer, point: o.point }] : [];
  });
  const slow = [...ends, ...frugal].flatMap((w) => throttled(x.layerTasks[w.layer]!.space, w.point, 5).map((point) => ({ layer: w.layer, point })));
  await scoreCached(scorer, cache, slow, true);
  return { ends, evaluations: scorer.evaluations };
}
