import assert from 'node:assert/strict';
import { test } from 'node:test';
import { getPreset } from '../src/hardware/presets.js';
import { getTemplate, instantiate, originalValues } from '../src/hardware/template.js';
import { leakageOf, leakagePowerT } from '../src/hardware/leakage.js';
import { capacityOfT, archTensorsFor, toLogVector } from '../src/hardware/template.js';
import { checkMapping } from '../src/mapping/check.js';
import { HardwareEvaluator } from '../src/coopt/hardware-eval.js';
import { COOPT_METHODS } from '../src/coopt/methods.js';
import { runCoOptMethod } from '../src/coopt/run-method.js';
import { exactPoint } from '../src/visualization/front-output.js';
import { getNetwork } from '../src/workload/networks.js';
import { initBackend, tf } from '../src/model/backend.js';

const preset = getPreset('eyeriss-like');
const constraintsFor = () => preset.constraints;
const layers = getNetwork('resnet18').layers.filter((l) => ['resnet18_layer3_0_downsample'].includes(l.name));
const goal = { kind: 'budget' as const, budgets: { power_mW: 300, area_mm2: 1.5 } };
// small fixed amounts of work, so that each run ends on its own and is a function of the seed
const small = {
  hardwareStarts: 2,
  relaxSteps: 20,
  restarts: 1,
  samples: 8,
  batch: 3,
  initial: 4,
  rounds: 2,
  steps: 20,
  starts: 2,
  population: 8,
  generations: 3,
};

test('leakage: every component of every preset leaks, the tensor version agrees, DRAM does not', async () => {
  await initBackend();
  for (const name of ['eyeriss-like', 'simba-like', 'simple-ws', 'simple-os']) {
    const t = getTemplate(name);
    const b = leakageOf(instantiate(t, originalValues(t)));
    assert.ok(b.total_mW > 0 && b.mac.total_mW > 0, name);
    assert.equal(b.levels.find((l) => /dram/i.test(l.name))!.total_mW, 0);
    const lv = tf.tensor2d([toLogVector(t, originalValues(t))]);
    const a = archTensorsFor(t, lv);
    const T = leakagePowerT(t.base, capacityOfT(t, lv).words, a.instances, a.macInstances, a.eLeak);
    const got = (await T.data())[0]!;
    assert.ok(Math.abs(got - b.total_mW) / b.total_mW < 1e-4, `${name}: tensor ${got} vs ${b.total_mW}`);
  }
  // more PEs and bigger buffers leak more
  const t = getTemplate('eyeriss-like');
  const v = originalValues(t);
  assert.ok(leakageOf(instantiate(t, { ...v, 'weights_spad.depth': 384 })).total_mW > leakageOf(instantiate(t, v)).total_mW);
});

test('leakage on and off: the power breakdown sums to the power, off gives the dynamic figures only', async () => {
  const t = getTemplate('eyeriss-like');
  const figures = [];
  for (const leakage of [true, false]) {
    const ev = new HardwareEvaluator(t, layers, constraintsFor, { rounds: 5, walkers: 1, objective: 'edp', leakage });
    await ev.prime(1, 30);
    const [hw] = await ev.evaluate([originalValues(t)], () => 30);
    const r = ev.judge(hw!, { kind: 'budget', budgets: { power_mW: null, area_mm2: null } });
    assert.ok(Math.abs(r.power_breakdown_mW.dynamic + r.power_breakdown_mW.leakage - r.power_mW) < 1e-9 * r.power_mW);
    const x = await exactPoint(
      { ...ev, problems: ev.problems, template: t, leakage },
      { goal: r.hw ? { kind: 'budget', budgets: { power_mW: null, area_mm2: null } } : goal, result: r, mappings: ev.mappings(r), infeasible: null },
      constraintsFor,
      'p',
    );
    const pb = x!.point.power_breakdown_mW!;
    assert.ok(Math.abs(pb.dynamic + pb.leakage - x!.point.power_mW) < 1e-9 * x!.point.power_mW);
    assert.equal(pb.leakage > 0, leakage);
    figures.push({ r, pb });
  }
  // the same mappings' dynamic power either way; leakage adds on top
  assert.ok(figures[0]!.r.power_mW > figures[1]!.r.power_mW * 0.999);
});

for (const method of COOPT_METHODS) {
  test(`${method}: meets the budgets with valid mappings, deterministic per seed when it ends on its own`, async () => {
    const t = getTemplate('eyeriss-like');
    const run = async () => {
      const ev = new HardwareEvaluator(t, layers, constraintsFor, { rounds: 5, walkers: 1, objective: 'edp' });
      return runCoOptMethod(method, ev, { goal, seed: 5, timeLimit: 600, ...small } as never);
    };
    const a = await run();
    assert.ok(a.best.feasible && a.best.power_mW <= 300 * (1 + 1e-9) && a.best.area_mm2 <= 1.5, `${a.best.power_mW} mW ${a.best.area_mm2} mm^2`);
    a.mappings.forEach((m, l) => assert.deepEqual(checkMapping(a.best.hw.tasks[l]!.problem, a.best.hw.arch, m, preset.constraints), []));
    assert.ok(a.trace.length > 0 && a.trace.every((p, i) => i === 0 || p.t >= a.trace[i - 1]!.t));
    const b = await run();
    assert.equal(b.best.latency_cycles, a.best.latency_cycles);
    assert.deepEqual(b.best.hw.values, a.best.hw.values);
  });
}
