/** The Timeloop files and summaries of one optimized accelerator (pure; ./optimize-output.js writes them). */
import type { OptimizeOutput } from '../mapper/optimize.js';
import { writeArchitectureYaml, writeArtYaml, writeErtYaml } from '../timeloop/arch.js';
import { writeConstraintsYaml } from '../timeloop/constraints.js';
import { writeMappingYaml } from '../timeloop/mapping.js';
import { writeProblemYaml } from '../timeloop/problem.js';
import type { Constraints } from '../mapping/constraints.js';
import type { Problem } from '../workload/layer.js';
import { summaryTable } from './optimize-table.js';

export interface Summary {
  layers: {
    name: string;
    shape: { N: number; K: number; C: number; P: number; Q: number; R: number; S: number; Hstride: number; Wstride: number; groups: number };
    repeat: number;
    cycles: number;
    energy_pJ: number;
    edp: number;
    mapping: string;
  }[];
  total: { cycles: number; energy_pJ: number; edp: number };
}

/**
 * Each layer's file name stem: its name with path-unsafe characters as '_' (exported node names such as
 * `model/conv2d/Conv2D` or `/layer1/Conv` would otherwise make folders), with `_2`, `_3`, ... added when two names
 * become the same stem, so no layer's files overwrite another's.
 */
export function layerFileStems(names: readonly string[]): string[] {
  const used = new Set<string>();
  return names.map((name) => {
    const safe = name.replace(/[^A-Za-z0-9_.-]+/g, '_');
    let stem = safe;
    for (let i = 2; used.has(stem); i++) stem = `${safe}_${i}`;
    used.add(stem);
    return stem;
  });
}

/** summary.json: per-layer figures for one occurrence (all groups), totals over repeats; EDP in J x cycles. */
export function summaryJson(out: OptimizeOutput): Summary {
  const stems = layerFileStems(out.layers.map((l) => l.layer.name));
  return {
    layers: out.layers.map((l, i) => {
      const cycles = l.result.cycles * l.groups;
      const energy = l.result.energy_pJ * l.groups;
      const { N, K, C, P, Q, R, S, Hstride, Wstride, groups } = l.layer;
      return {
        name: l.layer.name,
        shape: { N, K, C, P, Q, R, S, Hstride, Wstride, groups },
        repeat: l.layer.repeat,
        cycles,
        energy_pJ: energy,
        edp: energy * 1e-12 * cycles,
        mapping: `${stems[i]}.map.yaml`,
      };
    }),
    total: { cycles: out.total.cycles, energy_pJ: out.total.energy_pJ, edp: out.total.edp },
  };
}

/**
 * The files of one optimized accelerator, as (name, text): arch.yaml, ERT.yaml, ART.yaml (the accelerator), and per
 * layer <name>.problem.yaml, <name>.map.yaml and, when constraints applied, <name>.constraints.yaml, so that
 * `timeloop-model arch.yaml ERT.yaml ART.yaml <name>.problem.yaml <name>.map.yaml` re-checks any layer; plus
 * summary.json and summary.txt. Pure (the CLI writes them to a folder, the web app zips them).
 */
export function optimizeOutputFiles(out: OptimizeOutput, constraintsFor: (p: Problem) => Constraints | null): [string, string][] {
  const files: [string, string][] = [
    ['arch.yaml', writeArchitectureYaml(out.arch)],
    ['ERT.yaml', writeErtYaml(out.arch)],
    ['ART.yaml', writeArtYaml(out.arch)],
  ];
  const stems = layerFileStems(out.layers.map((l) => l.layer.name));
  out.layers.forEach((l, i) => {
    const base = stems[i]!;
    files.push([`${base}.problem.yaml`, writeProblemYaml(l.problem)]);
    files.push([`${base}.map.yaml`, writeMappingYaml(l.mapping, out.arch, l.problem)]);
    const c = constraintsFor(l.problem);
    if (c) files.push([`${base}.constraints.yaml`, writeConstraintsYaml(c)]);
  });
  files.push(['summary.json', JSON.stringify(summaryJson(out), null, 2) + '\n']);
  files.push(['summary.txt', summaryTable(out) + '\n']);
  return files;
}
