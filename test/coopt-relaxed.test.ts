import assert from 'node:assert/strict';
import { test } from 'node:test';
import { getPreset } from '../src/hardware/presets.js';
import { areaOf, getTemplate, originalValues } from '../src/hardware/template.js';
import { buildMapSpace, pointFromMapping } from '../src/mapping/mapspace.js';
import { HardwareEvaluator, type Goal } from '../src/coopt/hardware-eval.js';
import { tf } from '../src/model/backend.js';
import { relaxJoint } from '../src/mapper/relax.js';
import { hardwareTerms } from '../src/coopt/relax-hardware.js';
import type { SearchTask } from '../src/mapper/task.js';
import { layerToProblem } from '../src/workload/layer.js';
import { getNetwork } from '../src/workload/networks.js';

const template = getTemplate('eyeriss-like');
const preset = getPreset('eyeriss-like');
const layers = getNetwork('resnet18')
  .layers.filter((l) => ['resnet18_layer3_conv3x3', 'resnet18_layer4_conv3x3'].includes(l.name))
  .map((layer) => {
    const { problem, count } = layerToProblem(layer);
    return { layer, problem, groups: count, space: buildMapSpace(problem, template.base, preset.constraints) };
  });

const ev = new HardwareEvaluator(
  template,
  layers.map((l) => l.layer),
  () => preset.constraints,
);

async function relaxedHardware(goal: Goal): Promise<Record<string, number>> {
  if (!ev.primed) await ev.prime(1, 20); // good mappings on the original hardware to start from, as the co-optimizer does
  const task: SearchTask = { arch: template.base, objective: 'latency', layers };
  const starts = layers.map((lt, l) => ({ layer: l, point: pointFromMapping(lt.space, ev.seeds[l]![0]!) }));
  const { hardware } = await relaxJoint(
    task,
    starts,
    { steps: 60, learningRate: 0.1, refreshEvery: 10, penaltyStart: 1, penaltyEnd: 100 },
    hardwareTerms({
      template,
      group: [0, 0],
      init: [originalValues(template)],
      goal,
      weight: layers.map((l) => l.layer.repeat),
    }),
  );
  const v = hardware!.values[0]!;
  for (const x of template.variables)
    assert.ok(v[x.name]! >= x.min * 0.999 && v[x.name]! <= x.max * 1.001, `${x.name} = ${v[x.name]} within its range`);
  return v;
}

test('gradients flow into the hardware variables: latency grows the PE array, an area budget shrinks the chip', async () => {
  const pes0 = 14 * 12;
  const area0 = areaOf(template, originalValues(template)) / 1e6;
  const free = await relaxedHardware({ kind: 'budget', budgets: { power_mW: null, area_mm2: null } });
  const pes = free['PE.meshX']! * free['PE.meshY']!;
  assert.ok(pes > pes0 * 1.2, `no budget: ${pes.toFixed(0)} PEs, started from ${pes0}`);
  const small = await relaxedHardware({ kind: 'budget', budgets: { power_mW: null, area_mm2: 1 } });
  const area = areaOf(template, small) / 1e6;
  assert.ok(area < 1.15 && area < area0 * 0.6, `1 mm^2 budget: ${area.toFixed(3)} mm^2, started from ${area0.toFixed(3)}`);
});

test('a relaxation leaves no tensor behind, on every model path, with and without hardware variables', async () => {
  if (!ev.primed) await ev.prime(1, 20);
  const task: SearchTask = { arch: template.base, objective: 'latency', layers };
  const starts = layers.map((lt, l) => ({ layer: l, point: pointFromMapping(lt.space, ev.seeds[l]![0]!) }));
  const opts = { steps: 12, learningRate: 0.1, refreshEvery: 10, penaltyStart: 1, penaltyEnd: 100 };
  const terms = () =>
    hardwareTerms({
      template,
      group: [0, 0],
      init: [originalValues(template)],
      goal: { kind: 'budget', budgets: { power_mW: 200, area_mm2: null } },
      weight: layers.map((l) => l.layer.repeat),
    });
  for (const model of ['typed', 'kernel', 'tensor'] as const)
    for (const withHardware of [false, true]) {
      const run = () => relaxJoint(task, starts, { ...opts, model }, withHardware ? terms() : undefined);
      await run(); // the first call may create the backend's own lasting tensors
      const before = tf.memory().numTensors;
      await run();
      assert.equal(tf.memory().numTensors - before, 0, `${model}, ${withHardware ? 'with' : 'without'} hardware variables`);
    }
});
