import assert from 'node:assert/strict';
import { test } from 'node:test';
import { getPreset, presetNames } from '../src/hardware/presets.js';
import { buildMapSpace, realize } from '../src/mapping/mapspace.js';
import { randomValidPoint, rng } from '../src/mapping/random.js';
import { initBackend, tf } from '../src/model/backend.js';
import type { Candidate } from '../src/model/encode.js';
import type { ArchTensors, ModelOutputs } from '../src/model/formulate.js';
import { ARCH_INPUTS, relaxedKernel } from '../src/model/relaxed-kernel.js';
import { kernelMasks, kernelStatics, prepareRelaxed, relaxedOutputs, relaxedOutputsKernel } from '../src/model/relaxed.js';
import { layerToProblem } from '../src/workload/layer.js';
import { getNetwork } from '../src/workload/networks.js';

/**
 * The typed-array kernel (src/model/relaxed-kernel.ts) against the reference: tf.grad of the tensor formulation in
 * relaxed mode, value and gradient (w.r.t. the log-factors and every hardware input), on random relaxed points around
 * random valid mappings of every preset, with the masks of the integer point, straight-through on and off.
 */
function candidates(name: string, n: number, seed: number): Candidate[] {
  const preset = getPreset(name);
  const r = rng(seed);
  const layers = [...getNetwork('resnet18').layers, ...getNetwork('mobilenetv2').layers.slice(0, 8)];
  const out: Candidate[] = [];
  while (out.length < n)
    for (const layer of layers) {
      const { problem } = layerToProblem(layer);
      const space = buildMapSpace(problem, preset.arch, problem.depthwise ? preset.depthwiseConstraints : preset.constraints);
      const p = randomValidPoint(space, r);
      if (p && out.length < n) out.push({ problem, arch: preset.arch, mapping: realize(space, p) });
    }
  return out;
}

/** |a - b| small against the size of the reference vector (per candidate row of `row` entries). */
function worst(a: ArrayLike<number>, b: ArrayLike<number>, row: number): number {
  let w = 0;
  for (let s = 0; s < a.length; s += row) {
    let scale = 0;
    for (let i = s; i < s + row; i++) scale = Math.max(scale, Math.abs(b[i]!));
    for (let i = s; i < s + row; i++) w = Math.max(w, Math.abs(a[i]! - b[i]!) / (scale + 1e-12));
  }
  return w;
}

for (const name of presetNames()) {
  test(`relaxed typed-array kernel = tf.grad of the tensor formulation (${name}, 160 random relaxed points)`, async () => {
    await initBackend();
    const cands = candidates(name, 160, 11);
    const rb = prepareRelaxed(cands);
    const { B, S } = rb.batch;
    const ks = kernelStatics(rb.batch);
    const km = kernelMasks(rb.masks);
    const r = rng(5);
    // log-factors off the integers: non-unit loops move both ways, unit loops up a little (as relaxed starts do)
    const jitter = (n: Float32Array) => Float32Array.from(n, (x) => Math.log(x) + (x > 1 ? (r() - 0.5) * 0.8 : r() < 0.3 ? r() * 0.3 : 0));
    const lt = jitter(rb.batch.nT);
    const ls = jitter(rb.batch.nS);
    // upstream weights of the loss: d/dcycles, d/denergy, d/dtile per candidate
    const wC = Float32Array.from({ length: B }, () => r() + 0.5);
    const wE = Float32Array.from({ length: B }, () => r() + 0.5);
    const wTile = Float32Array.from({ length: B * S * 3 }, () => r() * 1e-3);
    for (const straightThrough of [true, false]) {
      const opts = { straightThrough };
      const archKeys = ARCH_INPUTS as readonly (keyof ArchTensors)[];
      const loss = (o: { cycles: tf.Tensor; energy: tf.Tensor; tile: tf.Tensor }) =>
        tf.add(
          tf.add(tf.sum(tf.mul(tf.log(o.cycles), tf.tensor1d(wC))), tf.sum(tf.mul(tf.log(o.energy), tf.tensor1d(wE)))),
          tf.sum(tf.mul(o.tile, tf.tensor3d(wTile, [B, S, 3]))),
        ) as tf.Scalar;
      const withArch = (xs: tf.Tensor[]) => ({
        ...rb.statics,
        arch: { ...rb.statics.arch, ...Object.fromEntries(archKeys.map((k, i) => [k, xs[i]!])) },
      });
      const args = [tf.tensor3d(lt, [B, S, 7]), tf.tensor3d(ls, [B, S, 7]), ...archKeys.map((k) => rb.statics.arch[k])];
      const ref = tf.valueAndGrads((...xs: tf.Tensor[]) => loss(relaxedOutputs(xs[0]!, xs[1]!, withArch(xs.slice(2)), rb.masks, opts)))(args);
      const got = tf.valueAndGrads((...xs: tf.Tensor[]) => loss(relaxedOutputsKernel(xs[0]!, xs[1]!, withArch(xs.slice(2)), ks, km, opts)))(args);
      const refO = tf.tidy(
        () => relaxedOutputs(args[0]!, args[1]!, rb.statics, rb.masks, opts) as unknown as tf.NamedTensorMap,
      ) as unknown as ModelOutputs;
      const kern = relaxedKernel(lt, ls, ks, km, archArrays(rb.statics.arch), opts).out;
      const label = `${name}, straight-through ${straightThrough}`;
      assert.ok(worst(kern.cycles, refO.cycles.dataSync(), 1) < 1e-4, `${label}: cycles`);
      assert.ok(worst(kern.energy, refO.energy.dataSync(), 1) < 1e-4, `${label}: energy`);
      assert.ok(worst(kern.tile, refO.tile.dataSync(), S * 3) < 1e-5, `${label}: tiles`);
      const v0 = ref.value.dataSync()[0]!;
      const v1 = got.value.dataSync()[0]!;
      assert.ok(Math.abs(v0 - v1) <= 1e-5 * Math.abs(v0), `${label}: loss ${v1} vs ${v0}`);
      const names = ['logT', 'logS', ...archKeys];
      ref.grads.forEach((g, i) => {
        const row = i < 2 ? S * 7 : names[i] === 'macEnergy' ? 1 : S;
        const w = worst(got.grads[i]!.dataSync(), g.dataSync(), row);
        if (process.env.KERNEL_TEST_VERBOSE) console.log(label, names[i], w.toExponential(2));
        assert.ok(w < 1e-3, `${label}: gradient w.r.t. ${names[i]} off by ${w.toExponential(2)} of its row's largest entry`);
      });
      tf.dispose([ref.value, got.value, ...ref.grads, ...got.grads, ...args.slice(0, 2), ...Object.values(refO as unknown as tf.NamedTensorMap)]);
    }
    rb.dispose();
  });
}

function archArrays(a: ArchTensors): Parameters<typeof relaxedKernel>[4] {
  return Object.fromEntries(ARCH_INPUTS.map((k) => [k, a[k].dataSync()])) as unknown as Parameters<typeof relaxedKernel>[4];
}
