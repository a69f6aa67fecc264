import assert from 'node:assert/strict';
import { test } from 'node:test';
import { getPreset, presetNames } from '../src/hardware/presets.js';
import { randomValidPoint, rng } from '../src/mapping/random.js';
import { relaxJoint, type Start } from '../src/mapper/relax.js';
import { buildTask } from '../src/mapper/task.js';
import { getNetwork } from '../src/workload/networks.js';

/**
 * The mapping relaxation's step on typed arrays (src/mapper/relax-typed.ts: softmax shares, per-level factors, the
 * model kernel, capacity and fanout penalties, objective) against tf.grad of relaxJoint's tensor loss with the tensor
 * formulation, around the starts of random valid mappings of every preset (logits moved at random, so that capacity
 * and fanout overflow), without and with the penalty weight.
 */
for (const name of presetNames()) {
  test(`typed relaxation step = tf.grad of the tensor loss (${name})`, async () => {
    const preset = getPreset(name);
    const layers = getNetwork('resnet18').layers.slice(0, 6);
    const task = buildTask(layers, preset.arch, () => preset.constraints, name === 'simple-os' ? 'edp' : 'latency');
    const r = rng(3);
    const starts: Start[] = [];
    task.layers.forEach((lt, layer) => {
      for (let i = 0; i < 6; i++) {
        const p = randomValidPoint(lt.space, r);
        if (p) starts.push({ layer, point: p });
      }
    });
    const reports: { mu: number; typedLoss: number; typedGrad: Float64Array; tensorLoss: number; tensorGrad: Float32Array }[] = [];
    await relaxJoint(task, starts, {
      steps: 0,
      learningRate: 0.1,
      refreshEvery: 10,
      penaltyStart: 1,
      penaltyEnd: 300,
      model: 'typed',
      probe: { mus: [0, 300], perturb: (z) => z.forEach((v, i) => (z[i] = v + (r() - 0.5) * 3)), report: (x) => reports.push(x) },
    });
    assert.equal(reports.length, 2);
    // per start: float32 noise of the reference is relative to the start's largest partial derivative
    const row = task.layers[0]!.space.slots.length * 7;
    for (const rep of reports) {
      assert.ok(
        Math.abs(rep.typedLoss - rep.tensorLoss) <= 1e-5 * Math.abs(rep.tensorLoss),
        `mu ${rep.mu}: loss ${rep.typedLoss} vs ${rep.tensorLoss}`,
      );
      let worst = 0;
      for (let s = 0; s < rep.tensorGrad.length; s += row) {
        let scale = 0;
        for (let i = s; i < s + row; i++) scale = Math.max(scale, Math.abs(rep.tensorGrad[i]!));
        for (let i = s; i < s + row; i++) worst = Math.max(worst, Math.abs(rep.typedGrad[i]! - rep.tensorGrad[i]!) / (scale + 1e-9));
      }
      assert.ok(worst < 1e-3, `mu ${rep.mu}: gradient off by ${worst.toExponential(2)} of its start's largest entry`);
    }
    if (reports[1]!.tensorLoss > reports[0]!.tensorLoss * 1.001) withPenalties.push(name);
  });
}

const withPenalties: string[] = [];
test('the penalties are active at some of these starts, so that their gradient is checked too', () => {
  assert.ok(withPenalties.length === presetNames().length, `penalties active only on ${withPenalties.join(', ')}`);
});
