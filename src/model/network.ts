import type { Accelerator } from '../hardware/accelerator.js';
import type { Constraints } from '../mapping/constraints.js';
import { defaultPoint } from '../mapping/default.js';
import { InfeasibleError } from '../errors.js';
import { checkMapping } from '../mapping/check.js';
import { buildMapSpace, fits, realize } from '../mapping/mapspace.js';
import type { Mapping } from '../mapping/mapping.js';
import { layerToProblem, type ConvLayer, type Problem } from '../workload/layer.js';
import { evaluate, type Evaluation } from './evaluate.js';

export interface LayerEvaluation {
  layer: ConvLayer;
  problem: Problem;
  /** identical groups of a grouped (non-depthwise) conv, each evaluated as this problem */
  groups: number;
  mapping: Mapping;
  result: Evaluation;
}

export interface NetworkTotals {
  cycles: number;
  energy_pJ: number;
  macs: number;
  /** energy in J x cycles, as Timeloop reports EDP */
  edp: number;
}

/** Totals over layers, counting repeats and groups (layers run one after another). */
export function networkTotals(
  rows: readonly { layer: ConvLayer; groups: number; result: { cycles: number; energy_pJ: number; macs: number } }[],
): NetworkTotals {
  let cycles = 0;
  let energy = 0;
  let macs = 0;
  for (const r of rows) {
    const n = r.layer.repeat * r.groups;
    cycles += n * r.result.cycles;
    energy += n * r.result.energy_pJ;
    macs += n * r.result.macs;
  }
  return { cycles, energy_pJ: energy, macs, edp: energy * 1e-12 * cycles };
}

/** Evaluate every layer of a network with the simple valid default mapping, in one batched call. */
export async function evaluateNetworkDefault(
  layers: readonly ConvLayer[],
  arch: Accelerator,
  constraintsFor: (p: Problem) => Constraints | null,
): Promise<{ layers: LayerEvaluation[]; total: NetworkTotals }> {
  const prepared = layers.map((layer) => {
    const { problem, count } = layerToProblem(layer);
    const space = buildMapSpace(problem, arch, constraintsFor(problem));
    const point = defaultPoint(space);
    // only valid mappings are scored: a layer whose constraints no mapping meets, or whose default does not fit
    // (its smallest tiles overflow a buffer), is refused with the rule
    const why = space.infeasible ?? fits(space, point, true).reason;
    if (why) throw new InfeasibleError(`${layer.name} on ${arch.name}: ${why}`);
    const mapping = realize(space, point);
    const v = checkMapping(problem, arch, mapping, space.constraints ?? undefined)[0];
    if (v) throw new Error(`internal: the default mapping of ${layer.name} is invalid: ${v.message} [${v.rule}]`);
    return { layer, problem, groups: count, mapping };
  });
  const results = await evaluate(prepared.map((p) => ({ problem: p.problem, arch, mapping: p.mapping })));
  const rows = prepared.map((p, i) => ({ ...p, result: results[i]! }));
  return { layers: rows, total: networkTotals(rows) };
}
