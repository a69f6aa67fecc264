import { getTemplate, originalValues } from '../src/hardware/template.js';
import { getPreset } from '../src/hardware/presets.js';
import { defaultPoint } from '../src/mapping/default.js';
import { hardwareTerms } from '../src/coopt/relax-hardware.js';
import { buildTask } from '../src/mapper/task.js';
import { getNetwork } from '../src/workload/networks.js';
import { initBackend, tf } from '../src/model/backend.js';
import { relaxJoint } from '../src/mapper/relax.js';
const template = getTemplate('eyeriss-like');
const preset = getPreset('eyeriss-like');
const task = buildTask(getNetwork('resnet18').layers, template.base, () => preset.constraints, 'latency');
await initBackend();
const starts = task.layers.map((lt, layer) => ({ layer, point: defaultPoint(lt.space) }));
for (const hw of [true]) for (const steps of [1, 11]) {
  const p = await tf.profile(async () => { await relaxJoint(task, starts, { steps, learningRate: 0.1, refreshEvery: 10, penaltyStart: 1, penaltyEnd: 10 }, hw ? hardwareTerms({ template, group: starts.map(() => 0), init: [originalValues(template)], goal: { kind: 'budget', budgets: { power_mW: 300, area_mm2: null } }, weight: starts.map(() => 1) }) : undefined); return tf.scalar(0); });
  const by = new Map<string, number>(); for (const k of p.kernels) by.set(k.name, (by.get(k.name) ?? 0) + 1);
  console.log(hw ? 'joint' : 'map', steps, 'steps:', p.kernels.length, 'kernels', [...by].sort((a, b) => b[1] - a[1]).slice(0, 12).map(([k, n]) => `${k}:${n}`).join(' '));
}
