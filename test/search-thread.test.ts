import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { getPreset } from '../src/hardware/presets.js';
import { getTemplate, originalValues } from '../src/hardware/template.js';
import { HardwareEvaluator } from '../src/coopt/hardware-eval.js';
import { compass } from '../src/coopt/hardware-moves.js';
import { coOptimize } from '../src/coopt/coopt.js';
import { createSearchThread, type SearchThread } from '../src/parallel/search-thread.js';
import { getNetwork } from '../src/workload/networks.js';

const preset = getPreset('eyeriss-like');
const constraintsFor = () => preset.constraints;
const layers = getNetwork('resnet18').layers.filter((l) =>
  ['resnet18_layer3_0_downsample', 'resnet18_layer4_conv3x3', 'resnet18_conv1'].includes(l.name),
);
const t = getTemplate('eyeriss-like');
const opts = { rounds: 6, walkers: 2, objective: 'edp' as const, leakage: true, pool: null };

let thread: SearchThread | null = null;
after(async () => thread?.close());

const archivesOf = (ev: HardwareEvaluator, values: Record<string, number>[]) =>
  values.map((v) => ev.entry(v).archives.map((a) => a.options.map((o) => [o.cycles, o.energy]).sort((x, y) => x[0]! - y[0]! || x[1]! - y[1]!)));

test('a batch of hardware points searched with half of them on the search thread gives what one thread gives', async () => {
  thread = await createSearchThread();
  assert.ok(thread, 'worker threads exist under node');
  const points = compass(t, originalValues(t), 1).slice(0, 5);
  const one = new HardwareEvaluator(t, layers, constraintsFor, opts);
  await one.evaluate(points, () => 600);
  const two = new HardwareEvaluator(t, layers, constraintsFor, opts);
  two.thread = thread;
  await two.evaluate(points, () => 600);
  // the walks end by their rounds, not by the clock, so both give the same mappings, scores and seeds
  assert.equal(two.evaluations, one.evaluations);
  assert.deepEqual(archivesOf(two, points), archivesOf(one, points));
  assert.deepEqual(two.seeds, one.seeds);
  const runnable = points.filter((v) => !two.entry(v).infeasible);
  const theirs = runnable.slice(Math.ceil(runnable.length / 2));
  assert.ok(theirs.length >= 2, `${theirs.length} points on the thread`);
  // (a point whose buffers are too small for a layer's starts has that layer's archive empty, on both threads alike)
  assert.ok(
    archivesOf(two, theirs).every((p) => p.some((a) => a.length > 0)),
    'the thread searched its points',
  );
});

test('a full mapping search with a search thread searches every layer, half of them there', async () => {
  const ev = new HardwareEvaluator(t, layers, constraintsFor, opts);
  ev.thread = thread;
  await ev.prime(1, 1.5);
  const hw = ev.entry(originalValues(t));
  assert.ok(hw.archives.every((a) => a.options.length > 0));
  assert.ok(
    ev.seeds.every((s) => s.length > 0),
    'every layer has a seed, the thread half too',
  );
  const before = hw.archives.map((a) => a.version);
  await ev.polish(hw, 2, 1);
  assert.ok(ev.judge(hw, { kind: 'budget', budgets: { power_mW: null, area_mm2: null } }).feasible);
  assert.ok(
    hw.archives.some((a, l) => a.version > before[l]!),
    'the polish found more mappings',
  );
});

test('a co-optimization capped by restarts keeps off the search thread (a function of the seed) and the evaluator gets its thread back', async () => {
  const run = async () => {
    const ev = new HardwareEvaluator(t, layers, constraintsFor, opts);
    const r = await coOptimize(ev, {
      goal: { kind: 'budget', budgets: { power_mW: 100, area_mm2: null } },
      seed: 2,
      timeLimit: 60,
      restarts: 0,
      searchThread: thread,
    });
    assert.equal(ev.thread, null);
    return r.best.latency_cycles;
  };
  assert.equal(await run(), await run());
  const ev = new HardwareEvaluator(t, layers, constraintsFor, opts);
  const r = await coOptimize(ev, {
    goal: { kind: 'budget', budgets: { power_mW: 100, area_mm2: null } },
    seed: 2,
    timeLimit: 4,
    searchThread: thread,
  });
  assert.ok(r.best.feasible && ev.thread === null);
});
