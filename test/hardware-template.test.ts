import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fanoutBelow, type Accelerator } from '../src/hardware/accelerator.js';
import { getPreset } from '../src/hardware/presets.js';
import {
  archTensorsFor,
  areaOf,
  capacityOf,
  capacityOfT,
  checkValues,
  fanoutOf,
  fanoutOfT,
  getTemplate,
  instantiate,
  legalizeValues,
  originalValues,
  templateNames,
  toLogVector,
  writeHardwareYaml,
  type HardwareTemplate,
} from '../src/hardware/template.js';
import { acceleratorArea } from '../src/hardware/accelerator.js';
import { initBackend, tf } from '../src/model/backend.js';
import { prepareRelaxed, relaxedOutputs } from '../src/model/relaxed.js';
import { buildAccelerator } from '../src/timeloop/arch.js';
import { loadRefCase } from './helpers/cases.js';

const NAMES = ['eyeriss-like', 'simba-like', 'simple-ws', 'simple-os'];
const close = (a: number, b: number, rel = 1e-5): boolean => Math.abs(a - b) <= rel * Math.max(Math.abs(a), Math.abs(b), 1e-9);

/** Deterministic pseudo-random legal points. */
function randomPoints(t: HardwareTemplate, n: number, seed = 1): Record<string, number>[] {
  let s = seed;
  const rnd = (): number => (s = (s * 1103515245 + 12345) % 2147483648) / 2147483648;
  const out: Record<string, number>[] = [];
  for (let i = 0; i < n; i++) {
    const v: Record<string, number> = {};
    for (const x of t.variables) v[x.name] = Math.exp(Math.log(x.min) + rnd() * (Math.log(x.max) - Math.log(x.min)));
    out.push(legalizeValues(t, v));
  }
  return out;
}

function reparse(arch: Accelerator): Accelerator {
  const y = writeHardwareYaml(arch);
  const { arch: back, warnings } = buildAccelerator({
    arch: { text: y.arch, file: 'arch.yaml' },
    ert: { text: y.ert, file: 'ERT.yaml' },
    art: { text: y.art, file: 'ART.yaml' },
    name: arch.name,
  });
  assert.deepEqual(warnings, []);
  // hardwareKeep comes from the preset, not from the YAML
  back.levels.forEach((l, s) => (l.hardwareKeep = arch.levels[s]!.hardwareKeep));
  return back;
}

test('templates: names, variables, ranges and original values', () => {
  assert.deepEqual(templateNames(), NAMES);
  const ey = getTemplate('eyeriss_like');
  assert.deepEqual(
    ey.variables.map((v) => [v.name, v.kind, v.original]),
    [
      ['PE.meshX', 'meshX', 14],
      ['PE.meshY', 'meshY', 12],
      ['shared_glb.depth', 'depth', 16384],
      ['ifmap_spad.depth', 'depth', 12],
      ['weights_spad.depth', 'depth', 192],
      ['psum_spad.depth', 'depth', 16],
    ],
  );
  assert.equal(ey.variables[2]!.step, 'power of two');
  assert.equal(ey.variables[3]!.step, 'integer');
  const sb = getTemplate('simba-like', { bandwidth: true });
  assert.deepEqual(
    sb.variables.map((v) => v.name),
    ['PE.meshX', 'PE.meshY', 'GlobalBuffer.depth', 'PEInputBuffer.depth', 'PEWeightBuffer.depth', 'PEAccuBuffer.depth', 'GlobalBuffer.bandwidth'],
  );
  assert.deepEqual(
    sb.meshes.map((m) => [m.variable, m.axis, m.file]),
    [
      ['PE.meshX', 'x', 16],
      ['PE.meshY', 'y', 1],
    ],
  );
  for (const n of NAMES) {
    const t = getTemplate(n, { bandwidth: true });
    for (const v of t.variables) {
      assert.ok(v.allowed(v.original) && v.min <= v.original && v.original <= v.max, `${n} ${v.name}`);
      assert.ok(v.allowed(v.min) && v.allowed(v.max), `${n} ${v.name} range ends`);
    }
    assert.deepEqual(checkValues(t, originalValues(t)), []);
  }
  assert.throws(() => getTemplate('tpu-like'), /unknown template/);
});

test('instantiate at the original values equals the preset (every number, names, attributes and YAML tree)', () => {
  for (const n of NAMES) {
    for (const bandwidth of [false, true]) {
      const t = getTemplate(n, { bandwidth });
      assert.deepEqual(instantiate(t, {}), getPreset(n).arch, `${n} (bandwidth ${bandwidth})`);
      assert.deepEqual(instantiate(t, originalValues(t)), getPreset(n).arch, n);
    }
  }
});

test('instantiate at other sizes: meshes and instances consistent below the PE array, capacities, bandwidths', () => {
  const ey = getTemplate('eyeriss-like', { bandwidth: true });
  const a = instantiate(ey, { 'PE.meshX': 8, 'PE.meshY': 4, 'shared_glb.depth': 4096, 'weights_spad.depth': 100, 'shared_glb.bandwidth': 32 });
  const glb = a.levels.find((l) => l.name === 'shared_glb')!;
  assert.equal(glb.capacityWords, 4096 * 4);
  assert.equal(glb.attributes.memory_depth, 4096);
  assert.equal(glb.readBandwidth, 32);
  assert.equal(glb.writeBandwidth, 32);
  assert.equal(glb.attributes.n_banks, 64);
  assert.equal(a.levels.find((l) => l.name === 'weights_spad')!.capacityWords, 100);
  for (const l of a.levels.slice(0, 3)) {
    assert.equal(l.instances, 32);
    assert.equal(l.meshX, 8);
    assert.equal(l.meshY, 4);
    assert.match(l.hierarchicalName, /^system\.eyeriss\.PE\[0\.\.31\]\./);
  }
  assert.equal(a.mac.instances, 32);
  assert.deepEqual(fanoutBelow(a, 3), { x: 8, y: 4, total: 32 });
  // simba: the 4 weight/accumulation buffers and 16 registers + MACs per PE are kept
  const sb = getTemplate('simba-like');
  const b = instantiate(sb, { 'PE.meshX': 4, 'PE.meshY': 2 });
  assert.deepEqual(
    b.levels.map((l) => [l.name, l.instances, l.meshX, l.meshY]),
    [
      ['PEWeightRegs', 128, 4, 32],
      ['PEAccuBuffer', 32, 4, 8],
      ['PEWeightBuffer', 32, 4, 8],
      ['PEInputBuffer', 8, 4, 2],
      ['GlobalBuffer', 1, 1, 1],
      ['DRAM', 1, 1, 1],
    ],
  );
  assert.equal(b.mac.instances, 128);
  assert.deepEqual(fanoutBelow(b, 3), { x: 1, y: 4, total: 4 });
  assert.deepEqual(fanoutBelow(b, 1), { x: 1, y: 4, total: 4 });
  assert.deepEqual(fanoutBelow(b, 4), { x: 4, y: 2, total: 8 });
  assert.equal(b.levels[3]!.hierarchicalName, 'System.ws.PE[0..7].PEInputBuffer');
  assert.equal(b.levels[2]!.hierarchicalName, 'System.ws.PE[0..7].PEWeightBuffer[0..3]');
  // costs move with the sizes, in the right direction
  const base = getPreset('eyeriss-like').arch;
  const big = instantiate(ey, { 'weights_spad.depth': 384, 'shared_glb.depth': 32768 });
  assert.ok(big.levels[1]!.energy.read > base.levels[1]!.energy.read && big.levels[1]!.areaUm2 > base.levels[1]!.areaUm2);
  assert.ok(big.levels[3]!.energy.read > base.levels[3]!.energy.read && big.levels[3]!.areaUm2 > base.levels[3]!.areaUm2);
  assert.equal(big.levels[0]!.energy.read, base.levels[0]!.energy.read);
  assert.ok(Math.abs(areaOf(ey, { 'weights_spad.depth': 384, 'shared_glb.depth': 32768 }) - acceleratorArea(big)) < 1e-6 * acceleratorArea(big));
});

test('writeHardwareYaml round-trips through the Timeloop readers at non-original sizes', () => {
  for (const n of NAMES) {
    const t = getTemplate(n, { bandwidth: true });
    for (const v of randomPoints(t, 12, n.length)) {
      const a = instantiate(t, v);
      assert.deepEqual(reparse(a), a, `${n} ${JSON.stringify(v)}`);
    }
    // extreme corners
    const lo = Object.fromEntries(t.variables.map((x) => [x.name, x.min]));
    const hi = legalizeValues(t, Object.fromEntries(t.variables.map((x) => [x.name, x.max])));
    for (const v of [lo, hi]) {
      const a = instantiate(t, v);
      assert.deepEqual(reparse(a), a, `${n} corner ${JSON.stringify(v)}`);
    }
  }
});

test('legalization: allowed values, nearest value, joint PE limit, errors', () => {
  const t = getTemplate('eyeriss-like', { bandwidth: true });
  const v = (name: string) => t.variables.find((x) => x.name === name)!;
  assert.equal(v('shared_glb.depth').legalize(20000), 16384);
  assert.equal(v('shared_glb.depth').legalize(24000), 32768);
  assert.equal(v('shared_glb.depth').legalize(1), 1024);
  assert.equal(v('shared_glb.depth').legalize(1e9), 262144);
  assert.equal(v('shared_glb.depth').allowed(12288), false);
  assert.equal(v('shared_glb.depth').allowed(8192), true);
  assert.equal(v('ifmap_spad.depth').legalize(12.4), 12);
  assert.equal(v('ifmap_spad.depth').legalize(0.2), 1);
  assert.equal(v('ifmap_spad.depth').allowed(13), true);
  assert.equal(v('ifmap_spad.depth').allowed(13.5), false);
  assert.equal(v('PE.meshX').legalize(7.6), 8);
  assert.equal(v('PE.meshX').legalize(Number.NaN), 1);
  assert.equal(v('shared_glb.bandwidth').legalize(20), 16);
  assert.equal(v('shared_glb.bandwidth').allowed(48), false);
  for (const x of t.variables) for (const r of [0.001, 0.3, 1, 2.5, 17, 999, 1e7]) assert.ok(x.allowed(x.legalize(r * x.original)), `${x.name} ${r}`);
  const l = legalizeValues(t, { 'PE.meshX': 60, 'PE.meshY': 40.2 });
  assert.ok(l['PE.meshX']! * l['PE.meshY']! <= t.maxMeshProduct);
  assert.deepEqual(checkValues(t, l), []);
  assert.equal(checkValues(t, { 'PE.meshX': 64, 'PE.meshY': 64 }).length, 1);
  assert.throws(() => instantiate(t, { 'PE.meshX': 64, 'PE.meshY': 64 }), /at most 1024 PEs/);
  assert.throws(() => instantiate(t, { 'shared_glb.depth': 20000 }), /shared_glb\.depth: expected a power of two/);
  assert.throws(() => instantiate(t, { 'PE.meshX': 3.5 }), /PE\.meshX: expected an integer/);
  assert.throws(() => instantiate(t, { 'bogus.depth': 4 }), /unknown variable/);
});

test('fanoutOf and capacityOf agree with the instantiated accelerator, and their tensor versions with them', async () => {
  await initBackend('cpu');
  for (const n of NAMES) {
    const t = getTemplate(n, { bandwidth: true });
    const pts = randomPoints(t, 5, 7);
    for (const v of pts) {
      const a = instantiate(t, v);
      assert.deepEqual(
        fanoutOf(t, v),
        a.levels.map((_, s) => fanoutBelow(a, s)),
        n,
      );
      assert.deepEqual(
        capacityOf(t, v).map((c) => (c === null ? null : Math.floor(c))),
        a.levels.map((l) => l.capacityWords),
        n,
      );
    }
    const logs = tf.tensor2d(pts.map((v) => toLogVector(t, v)));
    const fo = fanoutOfT(t, logs);
    const cap = capacityOfT(t, logs);
    const [x, total, words] = [fo.x, fo.total, cap.words].map((q) => q.arraySync() as number[][]);
    pts.forEach((v, b) => {
      const fn = fanoutOf(t, v);
      const cn = capacityOf(t, v);
      fn.forEach((f, s) => {
        assert.ok(close(x![b]![s]!, f.x) && close(total![b]![s]!, f.total), `${n} fanout ${s}`);
        assert.equal(cap.bounded[s], cn[s] !== null);
        if (cn[s] !== null) assert.ok(close(words![b]![s]!, cn[s]!), `${n} capacity ${s}`);
      });
    });
    tf.dispose([logs, fo.x, fo.y, fo.total, cap.words]);
  }
});

test('archTensorsFor equals the instantiated numbers (and the preset at the original point)', async () => {
  await initBackend('cpu');
  for (const n of NAMES) {
    const t = getTemplate(n, { bandwidth: true });
    const pts = [originalValues(t), ...randomPoints(t, 6, 3)];
    const at = archTensorsFor(t, tf.tensor2d(pts.map((v) => toLogVector(t, v))));
    const get = (k: keyof typeof at) => at[k].arraySync() as number[][] | number[];
    const m = Object.fromEntries(Object.keys(at).map((k) => [k, get(k as keyof typeof at)])) as Record<string, number[][] | number[]>;
    pts.forEach((v, b) => {
      const a = instantiate(t, v);
      const S = a.levels.length;
      assert.deepEqual(at.eRead.shape, [pts.length, S]);
      a.levels.forEach((l, s) => {
        const row = (k: string): number => (m[k] as number[][])[b]![s]!;
        const inv = (bw: number | null): number => (bw ? 1 / bw : 0);
        assert.ok(close(row('eRead'), l.energy.read), `${n} b${b} ${l.name} eRead ${row('eRead')} vs ${l.energy.read}`);
        assert.ok(close(row('eWrite'), l.energy.write), `${n} ${l.name} eWrite`);
        assert.ok(close(row('eLeak'), l.energy.leak), `${n} ${l.name} eLeak`);
        assert.ok(close(row('area'), l.areaUm2), `${n} ${l.name} area ${row('area')} vs ${l.areaUm2}`);
        assert.ok(close(row('instances'), l.instances), `${n} ${l.name} instances`);
        assert.equal(row('block'), l.blockSize);
        assert.ok(close(row('invRead'), inv(l.readBandwidth)), `${n} ${l.name} invRead`);
        assert.ok(close(row('invWrite'), inv(l.writeBandwidth)), `${n} ${l.name} invWrite`);
        assert.ok(close(row('invShared'), inv(l.sharedBandwidth)), `${n} ${l.name} invShared`);
      });
      const col = (k: string): number => (m[k] as number[])[b]!;
      assert.ok(close(col('macEnergy'), a.mac.energyPerMAC));
      assert.ok(close(col('macArea'), a.mac.areaUm2));
      assert.ok(close(col('macInstances'), a.mac.instances));
      assert.equal(col('clockGHz'), a.clockGHz);
    });
    tf.dispose(Object.values(at));
  }
});

test('gradients flow through the hardware variables: finite, and costs non-decreasing in the sizes', async () => {
  await initBackend('cpu');
  for (const n of NAMES) {
    const t = getTemplate(n, { bandwidth: true });
    const logs = tf.tensor2d([toLogVector(t, {}), toLogVector(t, randomPoints(t, 1, 11)[0]!)]);
    const depthCols = t.variables.map((v, i) => (v.kind === 'depth' ? i : -1)).filter((i) => i >= 0);
    const meshCols = t.variables.map((v, i) => (v.kind === 'meshX' || v.kind === 'meshY' ? i : -1)).filter((i) => i >= 0);
    for (const k of ['eRead', 'eWrite', 'area', 'instances', 'macInstances'] as const) {
      const g = tf.grad((lv: tf.Tensor) => tf.sum(archTensorsFor(t, lv)[k]))(logs);
      const gv = g.arraySync() as number[][];
      for (const row of gv) {
        for (const x of row) assert.ok(Number.isFinite(x), `${n} d${k} finite`);
        if (k !== 'instances' && k !== 'macInstances')
          for (const i of depthCols) assert.ok(row[i]! >= 0, `${n} d${k}/d${t.variables[i]!.name} = ${row[i]}`);
        else for (const i of meshCols) assert.ok(row[i]! > 0, `${n} d${k}/d${t.variables[i]!.name}`);
      }
      g.dispose();
    }
    logs.dispose();
  }
});

test('the relaxed model runs on template arch tensors: same energy at the original point, gradients w.r.t. hardware', async () => {
  await initBackend('cpu');
  for (const [id, name] of [
    ['eyeriss_like__resnet18_layer2_conv3x3__mapper', 'eyeriss-like'],
    ['simba_like__alexnet_conv2__mapper', 'simba-like'],
    ['simple_os__alexnet_conv3__mapper', 'simple-os'],
  ] as const) {
    const c = loadRefCase(id);
    const t = getTemplate(name);
    const rb = prepareRelaxed([c.cand]);
    const { B, S } = rb.batch;
    const logT = tf.log(tf.tensor3d(rb.batch.nT, [B, S, 7]));
    const logS = tf.log(tf.tensor3d(rb.batch.nS, [B, S, 7]));
    const ref = tf.tidy(() => relaxedOutputs(logT, logS, rb.statics, rb.masks).energy.dataSync()[0]!);
    const logs = tf.tensor2d([toLogVector(t, {})]);
    const mine = tf.tidy(() => relaxedOutputs(logT, logS, { ...rb.statics, arch: archTensorsFor(t, logs) }, rb.masks).energy.dataSync()[0]!);
    assert.ok(close(mine, ref), `${id}: ${mine} vs ${ref}`);
    const g = tf.tidy(() =>
      tf
        .grad((lv: tf.Tensor) => relaxedOutputs(logT, logS, { ...rb.statics, arch: archTensorsFor(t, lv) }, rb.masks).energy.sum())(logs)
        .dataSync(),
    );
    for (const x of g) assert.ok(Number.isFinite(x), `${id} gradient`);
    const gi = t.variables.findIndex((v) => v.name.endsWith('.depth'));
    assert.ok(g[gi]! >= 0, `${id}: energy grows with the global buffer depth (${g[gi]})`);
    tf.dispose([logT, logS, logs]);
    rb.dispose();
  }
});
