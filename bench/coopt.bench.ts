/**
 * `npm run bench:coopt`: (1) the time to co-optimize one budget point end to end (mapping priming, relaxed joint
 * optimization, hardware search, final mapping search) for ResNet-18 on eyeriss-like under 400 mW; (2) the
 * epsilon-constraint sweep over the default power budgets against the weighted-sum sweep on the same number of model
 * evaluations, with both hypervolumes. Writes out/bench-pareto/ (front.json, report.html).
 *
 * Env: BENCH_SEED (1), BENCH_TIME_PER_POINT (40), BENCH_TEMPLATE (eyeriss-like), BENCH_SWEEP (1).
 */
import { getPreset } from '../src/hardware/presets.js';
import { getTemplate } from '../src/hardware/template.js';
import { DEFAULT_POWER_BUDGETS } from '../src/cli/commands/pareto.js';
import { paretoSweep, latencyMs } from '../src/coopt/sweep.js';
import { writeFront } from '../src/visualization/front-output.js';
import { getNetwork } from '../src/workload/networks.js';

const env = process.env;
const seed = Number(env.BENCH_SEED ?? 1);
const timePerPoint = Number(env.BENCH_TIME_PER_POINT ?? 40);
const template = getTemplate(env.BENCH_TEMPLATE ?? 'eyeriss-like');
const preset = getPreset(template.name);
const layers = getNetwork('resnet18').layers;
const constraintsFor = (p: { depthwise: boolean }) => (p.depthwise ? preset.depthwiseConstraints : preset.constraints);

const t0 = performance.now();
const one = await paretoSweep({
  template,
  layers,
  constraintsFor,
  powerBudgets: [400],
  areaBudget: null,
  seed,
  timePerPoint,
  compareWeightedSum: false,
});
const wall = (performance.now() - t0) / 1000;
const p = one.constrained[0]!;
console.log(
  `one budget point (400 mW), end to end: ${wall.toFixed(1)} s wall on this machine; ` +
    (p.result
      ? `latency ${(p.result.latency_cycles / 1e6).toFixed(2)} Mcycles (${latencyMs(p.result).toFixed(2)} ms), ${p.result.power_mW.toFixed(1)} mW, ${p.result.area_mm2.toFixed(3)} mm^2, hardware ${JSON.stringify(p.result.hw.values)}`
      : `infeasible: ${p.infeasible}`),
);

if (env.BENCH_SWEEP !== '0') {
  const budgets = DEFAULT_POWER_BUDGETS.split(',').map(Number);
  const t1 = performance.now();
  const sweep = await paretoSweep({
    template,
    layers,
    constraintsFor,
    powerBudgets: budgets,
    areaBudget: null,
    seed,
    timePerPoint,
    compareWeightedSum: true,
  });
  console.log(`\nsweep of ${budgets.length} power budgets + weighted sum: ${((performance.now() - t1) / 1000).toFixed(0)} s`);
  const front = await writeFront('out/bench-pareto', sweep, { problems: sweep.problems, template }, constraintsFor, { network: 'resnet18' });
  const show = (label: string, pts: typeof front.points) => {
    console.log(`\n${label}`);
    for (const q of pts) {
      console.log(
        `  budget ${String(q.budget.power_mW ?? '-').padStart(5)} mW  latency ${q.latency_ms.toFixed(2).padStart(8)} ms  power ${q.power_mW.toFixed(1).padStart(7)} mW  energy ${(q.energy_pJ / 1e9).toFixed(2)} mJ  area ${q.area_mm2.toFixed(3)} mm^2  ${JSON.stringify(q.hardware)}`,
      );
    }
  };
  show(`epsilon-constraint front (${sweep.evaluations.constrained.toLocaleString('en-US')} evaluations):`, front.points);
  for (const x of sweep.constrained.filter((c) => c.infeasible)) console.log(`  infeasible: ${x.infeasible}`);
  show(`weighted-sum front (${sweep.evaluations.weighted?.toLocaleString('en-US')} evaluations):`, front.weighted_sum?.points ?? []);
  console.log(
    `\nhypervolume (ms x mW, reference ${sweep.hypervolume.reference.latency_ms.toFixed(2)} ms, ${sweep.hypervolume.reference.power_mW.toFixed(1)} mW): ` +
      `epsilon-constraint ${sweep.hypervolume.constrained.toFixed(1)}, weighted sum ${sweep.hypervolume.weighted?.toFixed(1)}`,
  );
}
