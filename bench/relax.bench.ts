/**
 * The relaxed stage alone: wall time per Adam step of `relaxJoint` in the two shapes `codesign pareto` runs on
 * ResNet-18 / eyeriss-like: the mapping-only relaxation of the mapping search (28 starts per layer, 120 steps) and the
 * joint relaxation with hardware variables (6 hardware groups x every layer, 80 steps). Prints a checksum of the
 * results, so that a faster implementation can be checked to give the same answer. `npx tsx bench/relax.bench.ts`.
 */
import { getTemplate, originalValues } from '../src/hardware/template.js';
import { getPreset } from '../src/hardware/presets.js';
import { defaultPoint } from '../src/mapping/default.js';
import { randomValidPoint, rng } from '../src/mapping/random.js';
import { relaxJoint, DEFAULT_RELAX, type Start } from '../src/mapper/relax.js';
import { hardwareTerms } from '../src/coopt/relax-hardware.js';
import { randomValues } from '../src/coopt/coopt.js';
import { buildTask, Scorer } from '../src/mapper/task.js';
import { legalize } from '../src/mapper/legalize.js';
import { getNetwork } from '../src/workload/networks.js';
import { initBackend, tf } from '../src/model/backend.js';

const template = getTemplate('eyeriss-like');
const preset = getPreset('eyeriss-like');
const layers = getNetwork('resnet18').layers;
const task = buildTask(layers, template.base, () => preset.constraints, 'latency');
await initBackend();
const which = (process.env.RELAX_BENCH ?? 'map,joint').split(',');
const repeat = Number(process.env.REPEAT ?? 1);
// typed: the hand-derived kernel (src/model/relaxed-kernel.ts); tensor: tf.grad of the tensor formulation
const model = (process.env.RELAX_MODEL ?? 'auto') as 'auto' | 'typed' | 'tensor';

function checksum(xs: number[]): string {
  let h = 0;
  for (const x of xs) h = (h * 31 + Math.round(x * 1e4)) % 1000000007;
  return `${h} (sum ${xs.reduce((a, b) => a + b, 0).toFixed(4)})`;
}

for (let rep = 0; rep < repeat; rep++) {
  if (which.includes('map')) {
    const r = rng(Number(process.env.SEED ?? 1));
    const starts: Start[] = [];
    task.layers.forEach((lt, layer) => {
      for (let i = 0; i < 28; i++) starts.push({ layer, point: randomValidPoint(lt.space, r, 200) ?? defaultPoint(lt.space) });
    });
    const steps = Number(process.env.STEPS ?? DEFAULT_RELAX.steps);
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    const res = await relaxJoint(task, starts, { ...DEFAULT_RELAX, steps, model });
    const ms = performance.now() - t0;
    const cpu = (process.cpuUsage(c0).user + process.cpuUsage(c0).system) / 1000;
    // quality of what the stage yields: every relaxed start legalized and scored by the exact model; the geomean over
    // layers of the best legalized latency (the task's objective)
    const legal = res.starts.map((st) => ({ layer: st.layer, point: legalize(task.layers[st.layer]!.space, st) }));
    const scored = await new Scorer(task).score(legal);
    const bestPerLayer = task.layers.map((_, l) => Math.min(...scored.filter((_, i) => legal[i]!.layer === l).map((x) => x.score)));
    const geo = Math.exp(bestPerLayer.reduce((a, x) => a + Math.log(x), 0) / bestPerLayer.length);
    const meanLog = scored.reduce((a, x) => a + Math.log(x.score), 0) / scored.length;
    console.log(
      `${model} mapping relax: geomean over layers of the best legalized start ${geo.toExponential(6)}, geomean of all ${Math.exp(meanLog).toExponential(6)} (latency objective)`,
    );
    console.log(
      `${model} mapping relax: ${starts.length} starts, ${steps} steps: ${(ms / 1000).toFixed(2)} s, ${(ms / steps).toFixed(1)} ms/step wall, ${(cpu / steps).toFixed(1)} ms/step CPU; checksum ${checksum(res.starts.flatMap((s) => s.logFactors.flat()))}`,
    );
  }
  if (which.includes('joint')) {
    const r = rng(1);
    const init = [originalValues(template), ...Array.from({ length: 5 }, () => randomValues(template, r))];
    const starts: Start[] = [];
    const group: number[] = [];
    const weight: number[] = [];
    init.forEach((_, g) =>
      task.layers.forEach((lt, layer) => {
        starts.push({ layer, point: randomValidPoint(lt.space, r, 200) ?? defaultPoint(lt.space) });
        group.push(g);
        weight.push(lt.layer.repeat * lt.groups);
      }),
    );
    const steps = Number(process.env.STEPS ?? 80);
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    const res = await relaxJoint(
      task,
      starts,
      { steps, learningRate: 0.12, refreshEvery: 10, penaltyStart: 1, penaltyEnd: 100, model },
      hardwareTerms({ template, group, init, goal: { kind: 'budget', objective: 'latency', budgets: { power_mW: 300, area_mm2: null } }, weight }),
    );
    const ms = performance.now() - t0;
    const cpu = (process.cpuUsage(c0).user + process.cpuUsage(c0).system) / 1000;
    const hw = res.hardware!.values.flatMap((v) => Object.values(v).map((x) => Math.log(x)));
    console.log(
      `${model} joint relax: ${starts.length} starts, ${steps} steps: ${(ms / 1000).toFixed(2)} s, ${(ms / steps).toFixed(1)} ms/step wall, ${(cpu / steps).toFixed(1)} ms/step CPU; checksum ${checksum(hw)} / ${checksum(res.starts.flatMap((s) => s.logFactors.flat()))}`,
    );
  }
}
console.log(
  `tensors left: ${tf.memory().numTensors}; load ${(await import('node:os'))
    .loadavg()
    .map((x) => x.toFixed(2))
    .join(' ')}`,
);
