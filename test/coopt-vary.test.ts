import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadProblem } from '../src/timeloop/files.js';
import type { FrontJson } from '../src/visualization/front.js';
import { problemMacs } from '../src/workload/layer.js';
import { runCli } from './helpers/cli.js';
import { layerFiles, recheck } from './helpers/recheck.js';

const GEMMINI = 'test/fixtures/archs/gemmini-like.v04.yaml';
const SMALL = 'test/fixtures/archs/small-os.v03.yaml';

/** `codesign pareto ARGS --time-per-point SECONDS --out DIR` in a fresh directory; it must exit 0. */
async function pareto(args: string[], seconds = 2): Promise<{ dir: string; r: Awaited<ReturnType<typeof runCli>>; front: FrontJson }> {
  const dir = join(mkdtempSync(join(tmpdir(), 'vary-')), 'out');
  const r = await runCli(['pareto', ...args, '--time-per-point', String(seconds), '--out', dir]);
  assert.equal(r.code, 0, r.err);
  return { dir, r, front: JSON.parse(readFileSync(join(dir, 'front.json'), 'utf8')) as FrontJson };
}

test('pareto --arch: a Gemmini-like v0.4 file with --vary and datawidths; every exported point re-checks', async () => {
  const { dir, r, front } = await pareto([
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
  ]);
  assert.match(r.err, /no ERT given: energies from the fitted cost model/);
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
  const { dir, r, front } = await pareto([
    '--network',
    'resnet18',
    '--layers',
    'resnet18_layer4_0_downsample',
    '--arch',
    SMALL,
    '--power-budgets',
    '400', // well above the ~120 mW a short search needs at least, so a loaded machine still finds a point
    '--compare-weighted-sum',
  ]);
  assert.match(r.out, /varied: PE\.meshX=1\.\.64,PE\.meshY=1\.\.64,GLB\.depth=512\.\.131072,InBuf\.depth=2\.\.512,OutRF\.depth=1\.\.128/);
  assert.deepEqual(Object.keys(front).sort(), ['hypervolume', 'leakage', 'method', 'points', 'weighted_sum']);
  for (const p of [...front.points, ...front.weighted_sum!.points]) {
    assert.equal(p.hardware.template, 'chip');
    assert.ok(existsSync(join(dir, p.mappings_dir, 'arch.yaml')));
    await recheck(dir, p);
  }
});

/** The MACs of a point's exported problem files, with the repeats front.json gives. */
function exportedMacs(dir: string, p: FrontJson['points'][number]): number {
  const files = layerFiles(join(dir, p.mappings_dir));
  return p.layers!.reduce((a, l) => a + problemMacs(loadProblem(files.get(l.name)!.problem)) * l.repeat, 0);
}

test('pareto on a real TensorFlow export (tf2onnx, dynamic batch via --input-shape) on the Gemmini-like v0.4 file with --vary; points re-check', async () => {
  const vary = 'Column.meshX=4..32,Row.meshY=4..32,Scratchpad.depth=1024..16384';
  const { dir, r, front } = await pareto([
    '--network',
    'test/fixtures/onnx/embedding_model.onnx',
    '--input-shape',
    'input_1=2,76,32,1',
    '--arch',
    GEMMINI,
    '--vary',
    vary,
    '--power-budgets',
    '1000',
  ]);
  assert.match(r.out, new RegExp(`embedding_model on gemmini[\\s\\S]*varied: ${vary.replace(/\./g, '\\.')}`));
  assert.equal(front.points.length, 1);
  const p = front.points[0]!;
  assert.deepEqual(Object.keys(p.hardware).sort(), ['Column.meshX', 'Row.meshY', 'Scratchpad.depth', 'template']);
  assert.ok(p.power_mW <= 1000, `${p.power_mW} mW`);
  // all 20 convs, batch 2: twice the 41,955,840 MACs onnxruntime's shapes give at batch 1 (test/onnx-real.test.ts)
  assert.equal(
    p.layers!.reduce((a, l) => a + l.repeat, 0),
    20,
  );
  assert.equal(exportedMacs(dir, p), 2 * 41_955_840);
  await recheck(dir, p);
});

test('pareto on a real PyTorch export (dynamic batch and length) on a non-preset v0.3 file with --vary and datawidths; points re-check', async () => {
  const { dir, front } = await pareto([
    '--network',
    'test/fixtures/onnx/melspectrogram.onnx',
    '--input-shape',
    'input=2,4000',
    '--arch',
    SMALL,
    '--vary',
    'PE.meshX=1..16,PE.meshY=1..16,GLB.depth=512..8192,datawidth=8,16',
    '--power-budgets',
    'none',
  ]);
  assert.deepEqual([...new Set(front.points.map((p) => p.hardware.datawidth))], [8, 16]);
  // 22 frames of a 512-tap, hop-160 STFT (real and imaginary) and a 257 x 32 mel filterbank, batch 2
  const frames = Math.floor((4000 - 512) / 160) + 1;
  for (const p of front.points) {
    assert.equal(exportedMacs(dir, p), 2 * frames * (2 * 257 * 512 + 257 * 32));
    await recheck(dir, p);
  }
});

test('pareto on a v0.4 file with !Parallel scratchpads and an intmac by multiplier_width, datawidths 4 and 8; points re-check', async () => {
  const { dir, front } = await pareto(
    [
      '--network',
      'test/fixtures/onnx/melspectrogram.onnx',
      '--input-shape',
      'input=1,1280',
      '--arch',
      'test/fixtures/archs/row-stationary.v04.yaml',
      '--vary',
      'PE_row.meshX=2..16,PE.meshY=2..8,GLB.depth=1024..16384,datawidth=4,8',
      '--power-budgets',
      'none',
    ],
    1,
  );
  assert.deepEqual([...new Set(front.points.map((p) => p.hardware.datawidth))], [4, 8]);
  for (const p of front.points) {
    // the exported v0.3 file keeps the three scratchpads in order and the intmac's widths at the point's width
    const arch = readFileSync(join(dir, p.mappings_dir, 'arch.yaml'), 'utf8');
    assert.ok(arch.indexOf('in_spad') < arch.indexOf('w_spad') && arch.indexOf('w_spad') < arch.indexOf('out_spad'));
    assert.match(arch, new RegExp(`multiplier_width: ${p.hardware.datawidth}\\b`));
    assert.equal(exportedMacs(dir, p), 5 * (2 * 257 * 512 + 257 * 32));
    await recheck(dir, p);
  }
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
