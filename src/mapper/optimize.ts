/**
 * Mapping optimization on a fixed accelerator: the library entry point behind `codesign optimize`.
 * Runs a search method over all layers at once, then re-checks every winning mapping with the mapping check
 * (constraints included) and evaluates it with the exact model.
 */
import type { Accelerator } from '../hardware/accelerator.js';
import { checkMapping } from '../mapping/check.js';
import type { Constraints } from '../mapping/constraints.js';
import { fits, outermostPoint, realize } from '../mapping/mapspace.js';
import { InfeasibleError } from '../errors.js';
import type { Mapping } from '../mapping/mapping.js';
import { evaluate, type Evaluation } from '../model/evaluate.js';
import { networkTotals, type NetworkTotals } from '../model/network.js';
import type { ConvLayer, Problem } from '../workload/layer.js';
import { codesignSearch } from './codesign-search.js';
import { buildTask, type Objective, type SearchOptions, type SearchResult, type SearchTask } from './task.js';

export type SearchMethod = (task: SearchTask, opts: SearchOptions) => Promise<SearchResult>;

export interface OptimizedLayer {
  layer: ConvLayer;
  problem: Problem;
  groups: number;
  mapping: Mapping;
  result: Evaluation;
}

export interface OptimizeOutput {
  arch: Accelerator;
  objective: Objective;
  layers: OptimizedLayer[];
  total: NetworkTotals;
  search: SearchResult;
}

export interface OptimizeOptions {
  objective: Objective;
  seed: number;
  /** seconds */
  timeLimit: number;
  onProgress?: (fraction: number, total: number) => void;
  method?: SearchMethod;
}

export async function optimizeMappings(
  layers: readonly ConvLayer[],
  arch: Accelerator,
  constraintsFor: (p: Problem) => Constraints | null,
  opts: OptimizeOptions,
): Promise<OptimizeOutput> {
  const task = buildTask(layers, arch, constraintsFor, opts.objective);
  // constraints no mapping can meet are known before any search
  const stuck = task.layers.find((lt) => lt.space.infeasible);
  if (stuck) throw new InfeasibleError(`${stuck.layer.name} on ${arch.name}: ${stuck.space.infeasible}`);
  const searchOpts: SearchOptions = { seed: opts.seed, timeLimit: opts.timeLimit };
  if (opts.onProgress) searchOpts.onProgress = opts.onProgress;
  const search = await (opts.method ?? codesignSearch)(task, searchOpts);
  const mappings = task.layers.map((lt, i) => {
    const best = search.best[i];
    if (!best) {
      // even the smallest tiles (every factor at DRAM) do not fit: name what overflows
      const why = lt.space.infeasible ?? fits(lt.space, outermostPoint(lt.space), true).reason ?? 'no mapping meets the constraints';
      throw new InfeasibleError(`${lt.layer.name} on ${arch.name}: ${why}`);
    }
    const mapping = realize(lt.space, best.point);
    const violations = checkMapping(lt.problem, arch, mapping, lt.space.constraints ?? undefined);
    if (violations.length > 0) throw new Error(`internal: the search produced an invalid mapping for ${lt.layer.name}: ${violations[0]!.message}`);
    return mapping;
  });
  const results = await evaluate(task.layers.map((lt, i) => ({ problem: lt.problem, arch, mapping: mappings[i]! })));
  const rows = task.layers.map((lt, i) => ({ layer: lt.layer, problem: lt.problem, groups: lt.groups, mapping: mappings[i]!, result: results[i]! }));
  return { arch, objective: opts.objective, layers: rows, total: networkTotals(rows), search };
}
