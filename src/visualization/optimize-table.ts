import * as fmt from '../cli/format.js';
import type { OptimizeOutput } from '../mapper/optimize.js';

/** The readable per-layer table of an optimization, with units. */
export function summaryTable(out: OptimizeOutput): string {
  const rows = out.layers.map((l) => {
    const cycles = l.result.cycles * l.groups;
    const energy = l.result.energy_pJ * l.groups;
    return [
      l.layer.name,
      String(l.layer.repeat),
      cycles.toLocaleString('en-US'),
      fmt.energy(energy),
      (energy * 1e-12 * cycles).toExponential(3),
      (l.result.energy_pJ / l.result.macs).toFixed(3),
      (l.result.utilization * 100).toFixed(1),
    ];
  });
  const t = out.total;
  return (
    `${out.arch.name}, objective ${out.objective}, ${out.search.method} search: ${out.search.evaluations.toLocaleString('en-US')} evaluations in ${out.search.seconds.toFixed(1)} s\n\n` +
    fmt.table(['layer', 'repeat', 'cycles', 'energy', 'EDP (J*cycles)', 'pJ/MAC', 'util %'], rows) +
    `\n\ntotal (all repeats): ${fmt.cycles(t.cycles)}, ${fmt.energy(t.energy_pJ)}, EDP ${t.edp.toExponential(4)} J*cycles, ` +
    `${(t.energy_pJ / t.macs).toFixed(3)} pJ/MAC, area ${fmt.area(out.layers[0]?.result.area_um2 ?? 0)}`
  );
}
