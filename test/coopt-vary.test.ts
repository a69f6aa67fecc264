import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { leakageEnergy, leakageOf } from '../src/hardware/leakage.js';
import { evaluate } from '../src/model/evaluate.js';
import { loadAccelerator, loadMappingFile, loadProblem } from '../src/timeloop/files.js';
import type { FrontJson, FrontPoint } from '../src/visualization/front.js';
import { problemMacs } from '../src/workload/layer.js';
import { runCli } from './helpers/cli.js';
import { GraphBuilder, writeModel } from './helpers/onnx-builder.js';

const GEMMINI = 'test/fixtures/archs/gemmini-like.v04.yaml';
const SMALL = 'test/fixtures/archs/small-os.v03.yaml';

/** Every exported point read back from its Timeloop files and evaluated gives the numbers front.json reports. */
async function recheck(dir: string, p: FrontPoint): Promise<void> {
  const pdir = join(dir, p.mappings_dir);
  const { arch, warnings } = loadAccelerator({ arch: join(pdir, 'arch.yaml'), ert: join(pdir, 'ERT.yaml'), art: join(pdir, 'ART.yaml') });
  assert.deepEqual(warnings, [], p.mappings_dir);
  const cands = p.layers!.map((l) => {
    const problem = loadProblem(join(pdir, `${l.name}.problem.yaml`));
    // what timeloop-model would accept (e.g. no spatial directive on a level without a fanout)
    const { mapping, refusals } = loadMappingFile(join(pdir, `${l.name}.map.yaml`), arch, problem);
    assert.deepEqual(refusals, [], `${p.mappings_dir} ${l.name}`);
    return { problem, arch, mapping };
  });
  const results = await evaluate(cands);
  let cycles = 0;
  let energy = 0;
  p.layers!.forEach((l, i) => {
    assert.equal(results[i]!.cycles, l.cycles, `${p.mappings_dir} ${l.name} cycles`);
    assert.ok(Math.abs(results[i]!.energy_pJ - l.energy_pJ) <= 1e-9 * l.energy_pJ, `${p.mappings_dir} ${l.name} energy`);
    cycles += l.cycles * l.repeat;
    energy += l.energy_pJ * l.repeat;
  });
  assert.equal(cycles, p.latency_cycles);
  // front.json's energy is Timeloop's (dynamic) energy plus the leakage of the read-back hardware over the latency
  const leak = leakageOf(arch).total_mW;
  assert.ok(Math.abs(p.power_breakdown_mW!.leakage - leak) <= 1e-9 * leak, `${p.mappings_dir} leakage`);
  energy += leakageEnergy(leak, cycles, arch.clockGHz);
  assert.ok(Math.abs(energy - p.energy_pJ) <= 1e-9 * energy, `${p.mappings_dir} energy ${energy} vs ${p.energy_pJ}`);
  assert.ok(Math.abs(results[0]!.area_um2 / 1e6 - p.area_mm2) <= 1e-9 * p.area_mm2);
  if (p.hardware.datawidth !== undefined) assert.equal(arch.mac.datawidth, p.hardware.datawidth);
}

test('pareto --arch: a Gemmini-like v0.4 file with --vary and datawidths; every exported point re-checks', async () => {
  const dir = join(mkdtempSync(join(tmpdir(), 'vary-')), 'out');
  const r = await runCli([
    'pareto',
    '--network',
    'resnet18',
    '--layers',
    'resnet18_fc',
    '--arch',
    GEMMINI,
    '--vary',
    'Column.meshX=4..32,Row.meshY=4..32,Scratchpad.depth=1024..16384,Accumulator.depth=16..256,datawidth=4,8',
    '--power-budgets',
    '800',
    '--time-per-point',
    '2',
    '--out',
    dir,
  ]);
  assert.equal(r.code, 0, r.err);
  assert.match(r.err, /no ERT given: energies from the fitted cost model/);
  const front = JSON.parse(readFileSync(join(dir, 'front.json'), 'utf8')) as FrontJson;
  assert.deepEqual(
    front.datawidths!.map((d) => [d.datawidth, d.template]),
    [
      [4, 'gemmini@4b'],
      [8, 'gemmini'],
    ],
  );
  assert.equal(front.hypervolume, null);
  assert.deepEqual([...new Set(front.points.map((p) => p.hardware.datawidth))], [4, 8]);
  for (const p of front.points) {
    assert.equal(p.hardware.template, 'gemmini');
    for (const k of ['Column.meshX', 'Row.meshY', 'Scratchpad.depth', 'Accumulator.depth']) assert.equal(typeof p.hardware[k], 'number', k);
    assert.match(p.mappings_dir, new RegExp(`^points/${p.hardware.datawidth}b-`));
    await recheck(dir, p);
  }
  // the narrower datapath costs less energy per MAC at the same mapping quality: its front sits lower in energy
  const e = (w: number) => Math.min(...front.points.filter((p) => p.hardware.datawidth === w).map((p) => p.energy_pJ));
  assert.ok(e(4) < e(8), `4-bit ${e(4)} pJ vs 8-bit ${e(8)} pJ`);
  const html = readFileSync(join(dir, 'report.html'), 'utf8');
  assert.ok(html.includes('4-bit front') && html.includes('8-bit front'));
});

test('pareto --arch: a v0.3 file with its default --vary and a weighted-sum comparison; points re-check', async () => {
  const dir = join(mkdtempSync(join(tmpdir(), 'vary-')), 'out');
  const r = await runCli([
    'pareto',
    '--network',
    'resnet18',
    '--layers',
    'resnet18_layer4_0_downsample',
    '--arch',
    SMALL,
    '--power-budgets',
    '100',
    '--time-per-point',
    '2',
    '--compare-weighted-sum',
    '--out',
    dir,
  ]);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /varied: PE\.meshX=1\.\.64,PE\.meshY=1\.\.64,GLB\.depth=512\.\.131072,InBuf\.depth=2\.\.512,OutRF\.depth=1\.\.128/);
  const front = JSON.parse(readFileSync(join(dir, 'front.json'), 'utf8')) as FrontJson;
  assert.deepEqual(Object.keys(front).sort(), ['hypervolume', 'leakage', 'method', 'points', 'weighted_sum']);
  for (const p of [...front.points, ...front.weighted_sum!.points]) {
    assert.equal(p.hardware.template, 'chip');
    assert.ok(existsSync(join(dir, p.mappings_dir, 'arch.yaml')));
    await recheck(dir, p);
  }
});

test('pareto on an ONNX model with a dynamic batch (--input-shape) and a non-preset v0.3 file with --vary; points re-check', async () => {
  const g = new GraphBuilder();
  let x = g.input('image', ['batch', 3, 16, 16]);
  x = g.node('Conv', [x, g.weight([8, 3, 3, 3])], { pads: [1, 1, 1, 1] }, { name: 'conv1' });
  x = g.node('Relu', [x]);
  x = g.node('Conv', [x, g.weight([16, 8, 3, 3])], { strides: [2, 2], pads: [1, 1, 1, 1] }, { name: 'conv2' });
  x = g.node('GlobalAveragePool', [x]);
  x = g.node('Flatten', [x], { axis: 1 });
  x = g.node('Gemm', [x, g.weight([10, 16]), g.weight([10])], { transB: 1 }, { name: 'fc' });
  g.output(x);
  const model = writeModel('tiny-vary.onnx', g.encode(13));
  const dir = join(mkdtempSync(join(tmpdir(), 'vary-')), 'out');
  const vary = 'PE.meshX=1..16,PE.meshY=1..16,GLB.depth=512..8192';
  const r = await runCli([
    'pareto',
    '--network',
    model,
    '--input-shape',
    'image=2,3,16,16',
    '--arch',
    SMALL,
    '--vary',
    vary,
    '--power-budgets',
    'none',
    '--time-per-point',
    '2',
    '--out',
    dir,
  ]);
  assert.equal(r.code, 0, r.err);
  const front = JSON.parse(readFileSync(join(dir, 'front.json'), 'utf8')) as FrontJson;
  assert.equal(front.points.length, 1);
  const p = front.points[0]!;
  assert.deepEqual(Object.keys(p.hardware).sort(), ['GLB.depth', 'PE.meshX', 'PE.meshY', 'template']);
  // batch 2: conv1 8x3x9 MACs on 16x16, conv2 16x8x9 on 8x8, fc 16x10
  const macs = p.layers!.reduce((a, l) => a + problemMacs(loadProblem(join(dir, p.mappings_dir, `${l.name}.problem.yaml`))) * l.repeat, 0);
  assert.equal(macs, 2 * (8 * 3 * 9 * 256 + 16 * 8 * 9 * 64 + 160));
  await recheck(dir, p);
});

test('pareto --vary: bad specs get one line naming the spec and exit 2', async () => {
  for (const [args, re] of [
    [['--arch', SMALL, '--vary', 'Nope.depth=1..4'], /--vary: Nope\.depth=1\.\.4: expected a storage level/],
    [['--arch', SMALL, '--vary', 'GLB.depth=64..8'], /--vary: GLB\.depth=64\.\.8: expected MIN <= MAX/],
    [['--arch', SMALL, '--vary', 'DRAM.depth=1..8'], /--vary: DRAM\.depth=1\.\.8: expected a level with a depth/],
    [['--arch', GEMMINI, '--vary', 'Column.meshZ=1..8'], /--vary: Column\.meshZ=1\.\.8: expected LEVEL\.depth/],
    [['--template', 'simba-like', '--vary', 'PE.meshX=1..8,datawidth=3,x'], /--vary: datawidth=3,x: expected datawidths in bits/],
    [['--template', 'eyeriss-like', '--vary', 'Bogus.meshX=1..8'], /--vary: Bogus\.meshX=1\.\.8: expected a level or container carrying instances/],
    [['--ert', 'ERT.yaml'], /--ert: arch: expected an --arch file/],
    [['--arch', SMALL, '--template', 'simba-like'], /--template: template: expected either --template or --arch, not both/],
    [['--arch', 'no-such.yaml'], /no-such\.yaml: file: expected an existing file/],
  ] as const) {
    const r = await runCli(['pareto', ...args]);
    assert.equal(r.code, 2, args.join(' '));
    assert.match(r.err, re);
    assert.equal(r.err.trim().split('\n').length, 1, r.err);
  }
});
