import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { main } from '../src/cli/main.js';
import { InfeasibleError } from '../src/errors.js';
import { getPreset } from '../src/hardware/presets.js';
import { getTemplate } from '../src/hardware/template.js';
import { checkMapping } from '../src/mapping/check.js';
import { coOptimize } from '../src/coopt/coopt.js';
import { HardwareEvaluator } from '../src/coopt/hardware-eval.js';
import { hypervolume, selectUnderPower, type Option } from '../src/coopt/pareto.js';
import { exactPoint } from '../src/visualization/front-output.js';
import { getNetwork } from '../src/workload/networks.js';
import { buildMapSpace, fits, type Point } from '../src/mapping/mapspace.js';
import { randomValidPoint, rng } from '../src/mapping/random.js';
import { ParetoArchive } from '../src/mapper/archive.js';
import { PowerParetoArchive } from '../src/coopt/power-archive.js';
import { throttled } from '../src/coopt/throttle.js';
import { layerToProblem } from '../src/workload/layer.js';
import { scorePoints, scorePointsBatched } from '../src/mapper/flat-score.js';
import { FlatBatch } from '../src/parallel/batch.js';

const preset = getPreset('eyeriss-like');
const constraintsFor = () => preset.constraints;
const layers = getNetwork('resnet18').layers.filter((l) => ['resnet18_layer3_0_downsample', 'resnet18_layer4_conv3x3'].includes(l.name));

test('power-budgeted selection picks the fastest combination within the budget', () => {
  const pt = {} as Point;
  const opt = (cycles: number, energy: number): Option => ({ cycles, energy, point: pt });
  // two layers, each a fast-hungry and a slow-frugal mapping; power = energy / cycles at 1 GHz
  const layersOpts = [
    [opt(100, 100_000), opt(300, 90_000)],
    [opt(200, 150_000), opt(500, 140_000)],
  ];
  const free = selectUnderPower(layersOpts, [1, 1], 1, null);
  assert.deepEqual(free.choice, [0, 0]);
  const tight = selectUnderPower(layersOpts, [1, 1], 1, 400);
  assert.ok(tight.feasible && tight.power <= 400, `power ${tight.power}`);
  assert.equal(tight.cycles, 600); // (300 + 200): 240000/600 = 400 mW; (100 + 500) = 240000/600 too, either is fastest
  const impossible = selectUnderPower(layersOpts, [1, 1], 1, 100);
  assert.equal(impossible.feasible, false);
});

test('power-budgeted selection: single and paired swaps reach the exhaustive optimum on small random cases', () => {
  const r = rng(7);
  let optimal = 0;
  let worst = 1;
  for (let it = 0; it < 400; it++) {
    const L = 2 + Math.floor(r() * 4);
    const K = 2 + Math.floor(r() * 4);
    const opts: Option[][] = Array.from({ length: L }, () =>
      Array.from({ length: K }, () => ({ cycles: Math.exp(r() * 4), energy: Math.exp(r() * 4) * 100, point: {} as Point })),
    );
    const w = Array.from({ length: L }, () => 1 + Math.floor(r() * 3));
    // every combination: the lowest power, then the fastest within a budget between it and 3x it
    const combos: { c: number; e: number }[] = [{ c: 0, e: 0 }];
    opts.forEach((os, l) =>
      combos.splice(0, combos.length, ...combos.flatMap((x) => os.map((o) => ({ c: x.c + w[l]! * o.cycles, e: x.e + w[l]! * o.energy })))),
    );
    const budget = Math.min(...combos.map((x) => x.e / x.c)) * (1 + r() * 2);
    const best = Math.min(...combos.filter((x) => x.e / x.c <= budget).map((x) => x.c));
    const s = selectUnderPower(opts, w, 1, budget);
    assert.ok(s.feasible && s.power <= budget * (1 + 1e-9), `case ${it}: infeasible`);
    if (s.cycles <= best * (1 + 1e-9)) optimal++;
    worst = Math.max(worst, s.cycles / best);
  }
  // (single swaps from the fastest hull combination alone were optimal in 335 of these 400, up to 2.5x off)
  assert.ok(optimal >= 396, `optimal in ${optimal} of 400`);
  assert.ok(worst < 1.1, `worst ratio ${worst}`);
});

test('a power budget can take a slower option of about the same energy; the power archive keeps it; throttling fits', () => {
  const pt = {} as Point;
  const fast = { cycles: 100, energy: 100_000, point: pt }; // 1000 mW at 1 GHz
  const slow = { cycles: 1000, energy: 101_000, point: pt }; // 101 mW: dominated in (cycles, energy), not in power
  const plain = new ParetoArchive(8);
  const power = new PowerParetoArchive(8);
  for (const o of [fast, slow]) (plain.offer(o), power.offer(o));
  assert.equal(plain.options.length, 1);
  assert.equal(power.options.length, 2);
  const sel = selectUnderPower([power.options], [1], 1, 200);
  assert.ok(sel.feasible && sel.cycles === 1000, JSON.stringify(sel));
  // throttled versions of a mapping fit and use ever fewer PEs
  const space = buildMapSpace(layerToProblem(layers[1]!).problem, preset.arch, preset.constraints);
  const spatial = (p: Point) => space.slots.reduce((a, sl, i) => (sl.kind === 'T' ? a : a * p.f[i]!.reduce((x, y) => x * y, 1)), 1);
  let p = randomValidPoint(space, rng(4), 500)!;
  for (let k = 0; k < 20 && spatial(p) < 8; k++) p = randomValidPoint(space, rng(10 + k), 500)!;
  const slower = throttled(space, p, 4);
  assert.ok(slower.length > 0);
  slower.forEach((q, i) => {
    assert.ok(fits(space, q).ok);
    assert.ok(spatial(q) < (i === 0 ? spatial(p) : spatial(slower[i - 1]!)));
  });
});

test('scoring through a batch that grows gives the numbers of one-at-a-time scoring', async () => {
  const space = buildMapSpace(layerToProblem(layers[1]!).problem, preset.arch, preset.constraints);
  const r = rng(2);
  const items = Array.from({ length: 40 }, () => ({ space, point: randomValidPoint(space, r, 500)! })).filter((x) => x.point);
  const one = scorePoints(items);
  const grown = await scorePointsBatched(items, new FlatBatch(2), null);
  assert.deepEqual([...grown.cycles.subarray(0, items.length)], [...one.cycles]);
  assert.deepEqual([...grown.energy.subarray(0, items.length)], [...one.energy]);
});

test('hypervolume of a staircase front', () => {
  const hv = hypervolume(
    [
      { x: 1, y: 3 },
      { x: 2, y: 1 },
      { x: 3, y: 2 },
    ],
    { x: 4, y: 4 },
  );
  // [1,2) x (4-3) + [2,4) x (4-1) = 1 + 6
  assert.equal(hv, 7);
});

test('co-optimization meets a power budget with valid mappings on the chosen hardware', async () => {
  const ev = new HardwareEvaluator(getTemplate('eyeriss-like'), layers, constraintsFor);
  const res = await coOptimize(ev, { goal: { kind: 'budget', budgets: { power_mW: 150, area_mm2: 1.5 } }, seed: 3, timeLimit: 40, restarts: 1 });
  assert.ok(res.best.feasible);
  assert.ok(res.best.power_mW <= 150 && res.best.area_mm2 <= 1.5, `${res.best.power_mW} mW, ${res.best.area_mm2} mm^2`);
  const x = await exactPoint(ev, { goal: res.goal, result: res.best, mappings: res.mappings, infeasible: null }, constraintsFor, 'p');
  assert.ok(x && x.point.power_mW <= 150 * (1 + 1e-6), `exact power ${x?.point.power_mW}`);
  assert.equal(x.point.latency_cycles, res.best.latency_cycles);
  res.mappings.forEach((m, l) => assert.deepEqual(checkMapping(ev.problems[l]!.problem, res.best.hw.arch, m, preset.constraints), []));
});

test('EDP under an area budget', async () => {
  const ev = new HardwareEvaluator(getTemplate('eyeriss-like'), layers, constraintsFor);
  const res = await coOptimize(ev, {
    goal: { kind: 'budget', budgets: { power_mW: null, area_mm2: 0.5 }, objective: 'edp' },
    seed: 2,
    timeLimit: 20,
    restarts: 1,
  });
  assert.ok(res.best.feasible && res.best.area_mm2 <= 0.5, `${res.best.area_mm2} mm^2`);
  assert.ok(Math.abs(res.best.objective - res.best.energy_pJ * 1e-12 * res.best.latency_cycles) <= 1e-9 * res.best.objective);
});

test('infeasible budgets are reported as infeasible, naming the tightest constraint', async () => {
  const ev = new HardwareEvaluator(getTemplate('eyeriss-like'), layers, constraintsFor);
  await assert.rejects(
    coOptimize(ev, { goal: { kind: 'budget', budgets: { power_mW: 0.5, area_mm2: null } }, seed: 1, timeLimit: 15, restarts: 0 }),
    (e: unknown) => e instanceof InfeasibleError && /power budget 0.5 mW/.test(e.message),
  );
  await assert.rejects(
    coOptimize(ev, { goal: { kind: 'budget', budgets: { power_mW: null, area_mm2: 0.001 } }, seed: 1, timeLimit: 10, restarts: 0 }),
    (e: unknown) => e instanceof InfeasibleError && /area budget 0.001 mm\^2/.test(e.message),
  );
});

test('codesign pareto writes front.json (the documented schema), CSV, report and re-checkable Timeloop files', async () => {
  const dir = join(mkdtempSync(join(tmpdir(), 'pareto-')), 'out');
  const code = await main([
    'pareto',
    '--network',
    'resnet18',
    '--layers',
    'resnet18_layer3_0_downsample,resnet18_fc',
    '--template',
    'eyeriss-like',
    '--power-budgets',
    '250,600',
    '--time-per-point',
    '8',
    '--restarts',
    '1',
    '--compare-weighted-sum',
    '--out',
    dir,
    '--json',
  ]);
  assert.equal(code, 0);
  const front = JSON.parse(readFileSync(join(dir, 'front.json'), 'utf8'));
  assert.deepEqual(Object.keys(front).sort(), ['hypervolume', 'leakage', 'method', 'points', 'weighted_sum']);
  assert.equal(front.method, 'codesign');
  assert.equal(front.leakage, true);
  assert.ok(front.points.length >= 1);
  for (const p of [...front.points, ...front.weighted_sum.points]) {
    for (const k of ['latency_cycles', 'latency_ms', 'energy_pJ', 'power_mW', 'area_mm2']) assert.equal(typeof p[k], 'number', k);
    assert.ok('power_mW' in p.budget && 'area_mm2' in p.budget);
    assert.equal(p.hardware.template, 'eyeriss-like');
    assert.ok(existsSync(join(dir, p.mappings_dir, 'arch.yaml')));
    if (p.budget.power_mW !== null) assert.ok(p.power_mW <= p.budget.power_mW * (1 + 1e-6));
    const pb = p.power_breakdown_mW;
    assert.ok(pb.leakage > 0 && Math.abs(pb.dynamic + pb.leakage - p.power_mW) <= 1e-9 * p.power_mW, JSON.stringify(pb));
  }
  assert.equal(typeof front.hypervolume.constrained, 'number');
  assert.equal(typeof front.hypervolume.weighted_sum, 'number');
  const pdir = join(dir, front.points[0].mappings_dir);
  assert.equal(
    await main([
      'check',
      '--arch',
      join(pdir, 'arch.yaml'),
      '--problem',
      join(pdir, 'resnet18_fc.problem.yaml'),
      '--mapping',
      join(pdir, 'resnet18_fc.map.yaml'),
      '--constraints',
      join(pdir, 'resnet18_fc.constraints.yaml'),
    ]),
    0,
  );
  assert.ok(readFileSync(join(dir, 'report.html'), 'utf8').includes('id="pareto-plot"'));
  assert.ok(readFileSync(join(dir, 'front.csv'), 'utf8').startsWith('front,budget_power_mW'));
});

test('codesign pareto rejects bad budgets with one line and exit 2', async () => {
  assert.equal(await main(['pareto', '--power-budgets', '100,abc']), 2);
  assert.equal(await main(['pareto', '--power-budgets', '-5']), 2);
  assert.equal(await main(['pareto', '--template', 'tpu-like']), 2);
  assert.equal(await main(['pareto', '--layers', 'nope']), 2);
});
