import { test } from 'node:test';
import assert from 'node:assert/strict';
import { getPreset } from '../src/hardware/presets.js';
import { checkMapping } from '../src/mapping/check.js';
import { fits, pointKey, realize } from '../src/mapping/mapspace.js';
import { simulatedAnnealing } from '../src/baselines/annealing.js';
import { enumerateSpace, exhaustiveSearch, mapSpaceSize } from '../src/baselines/exhaustive.js';
import { geneticSearch } from '../src/baselines/genetic.js';
import { randomSearch, type BaselineOptions } from '../src/baselines/random-search.js';
import { buildTask, totalScore, type SearchResult, type SearchTask } from '../src/mapper/task.js';
import type { ConvLayer } from '../src/workload/layer.js';
import { getNetwork } from '../src/workload/networks.js';

const BASELINES = { random: randomSearch, genetic: geneticSearch, annealing: simulatedAnnealing } as const;

function taskOf(presetName: string, layers: ConvLayer[]): SearchTask {
  const preset = getPreset(presetName);
  return buildTask(layers, preset.arch, (p) => (p.depthwise ? preset.depthwiseConstraints : preset.constraints), 'edp');
}

function resnetTask(presetName: string, indices: number[]): SearchTask {
  const all = getNetwork('resnet18').layers;
  return taskOf(
    presetName,
    indices.map((i) => all[i]!),
  );
}

function conv(name: string, dims: Partial<Record<'R' | 'S' | 'P' | 'Q' | 'C' | 'K' | 'N', number>>): ConvLayer {
  return { name, N: 1, K: 1, C: 1, P: 1, Q: 1, R: 1, S: 1, Wstride: 1, Hstride: 1, Wdilation: 1, Hdilation: 1, groups: 1, repeat: 1, ...dims };
}

/** Fixed work, no deadline: results depend on the seed only. */
const budget = (seed: number, maxEvaluations: number): BaselineOptions => ({ seed, timeLimit: Infinity, maxEvaluations });

function assertValid(task: SearchTask, res: SearchResult): void {
  assert.equal(res.best.length, task.layers.length);
  res.best.forEach((b, l) => {
    const { space, problem } = task.layers[l]!;
    assert.ok(b, `${res.method}: no point for layer ${problem.name}`);
    assert.ok(Number.isFinite(b.scored.score), `${res.method}: ${problem.name} score ${b.scored.score}`);
    assert.ok(fits(space, b.point).ok, `${res.method}: ${problem.name}: ${fits(space, b.point).reason}`);
    const violations = checkMapping(problem, space.arch, realize(space, b.point), space.constraints ?? undefined);
    assert.deepEqual(violations, [], `${res.method}: ${problem.name}: ${violations.map((v) => v.message).join('; ')}`);
  });
  for (let i = 1; i < res.trace.length; i++) assert.ok(res.trace[i]!.total <= res.trace[i - 1]!.total, `${res.method}: the trace never gets worse`);
}

const summary = (res: SearchResult) => ({
  evaluations: res.evaluations,
  best: res.best.map((b) => (b ? { key: pointKey(b.point), score: b.scored.score } : null)),
  totals: res.trace.map((x) => x.total),
});

// ResNet-18 conv1 (7x7 stride 2), the layer-2 1x1 downsample and a layer-4 3x3 conv on eyeriss-like: small enough
// map spaces (3e3 to 1e5 points) that the exhaustive optimum of every layer is known
const eyeriss = resnetTask('eyeriss-like', [0, 4, 9]);
const results: Record<string, SearchResult> = {};

for (const [name, search] of Object.entries(BASELINES)) {
  test(`${name}: valid, deterministic per seed, exactly the evaluation budget (ResNet-18 on eyeriss-like)`, async () => {
    const a = await search(eyeriss, budget(7, 3000));
    const b = await search(eyeriss, budget(7, 3000));
    assertValid(eyeriss, a);
    assert.equal(a.method, name);
    assert.equal(a.evaluations, 3000);
    assert.deepEqual(summary(b), summary(a));
    results[name] = a;
  });
}

test('the options must bound the work', async () => {
  await assert.rejects(randomSearch(eyeriss, { seed: 1, timeLimit: Infinity }), /finite time limit or maxEvaluations/);
  const none = await geneticSearch(eyeriss, budget(1, 0));
  assert.equal(none.evaluations, 0);
  assert.deepEqual(none.best, [null, null, null]);
});

test('a wall-clock budget stops a search', async () => {
  const t0 = performance.now();
  const res = await simulatedAnnealing(eyeriss, { seed: 3, timeLimit: 1 });
  const seconds = (performance.now() - t0) / 1000;
  assert.ok(seconds < 3, `took ${seconds.toFixed(2)} s for a 1 s budget`);
  assert.ok(res.evaluations > 0);
  assertValid(eyeriss, res);
});

test('exhaustive search: the optimum of each layer, no baseline does better (ResNet-18 on eyeriss-like)', async () => {
  const ex = await exhaustiveSearch(eyeriss, { seed: 0, timeLimit: Infinity });
  assert.equal(ex.complete, true);
  assertValid(eyeriss, ex);
  eyeriss.layers.forEach((lt, l) => {
    assert.equal(ex.counts[l]!.enumerated, mapSpaceSize(lt.space).points, `${lt.problem.name}: enumeration count`);
    assert.equal(ex.sizes[l], ex.counts[l]!.enumerated);
    assert.ok(ex.counts[l]!.valid > 0 && ex.counts[l]!.valid <= ex.counts[l]!.enumerated);
  });
  assert.equal(
    ex.evaluations,
    ex.counts.reduce((a, c) => a + c.valid, 0),
  );
  for (const name of Object.keys(BASELINES)) {
    const res = results[name] ?? (await BASELINES[name as keyof typeof BASELINES](eyeriss, budget(7, 3000)));
    res.best.forEach((b, l) => {
      const opt = ex.best[l]!.scored.score;
      assert.ok(opt <= b!.scored.score * (1 + 1e-6), `${name} beat the optimum of ${eyeriss.layers[l]!.problem.name}: ${b!.scored.score} < ${opt}`);
    });
  }
});

test('exhaustive search on tiny layers: counts, distinct points, the optimum', async () => {
  // a 1x1 and a 3x3 conv on eyeriss-like (some points overflow its scratchpads) and a 1x1 conv on simple-os (free loop
  // orders and keep bits: 43k points)
  const cases = [
    taskOf('eyeriss-like', [conv('pw', { P: 4, Q: 4, C: 8, K: 8 }), conv('c3', { R: 3, S: 3, P: 4, Q: 4, C: 4, K: 4 })]),
    taskOf('simple-os', [conv('pw-small', { P: 2, Q: 2, C: 4, K: 4 })]),
  ];
  for (const task of cases) {
    const ex = await exhaustiveSearch(task, { seed: 0, timeLimit: Infinity });
    assert.equal(ex.complete, true);
    assertValid(task, ex);
    if (task === cases[0]) assert.ok(ex.counts[0]!.valid < ex.counts[0]!.enumerated, 'some points of pw overflow eyeriss-like');
    task.layers.forEach((lt, l) => {
      assert.equal(ex.counts[l]!.enumerated, mapSpaceSize(lt.space).points);
      const keys = new Set<string>();
      for (const p of enumerateSpace(lt.space)) keys.add(pointKey(p));
      assert.equal(keys.size, ex.counts[l]!.valid, `${lt.problem.name}: every enumerated point is distinct`);
    });
    for (const [name, search] of Object.entries(BASELINES)) {
      const res = await search(task, budget(11, 1500));
      assertValid(task, res);
      res.best.forEach((b, l) =>
        assert.ok(ex.best[l]!.scored.score <= b!.scored.score * (1 + 1e-6), `${name} beat the optimum of ${task.layers[l]!.problem.name}`),
      );
    }
  }
});

test('mapSpaceSize counts what the enumeration visits (free loop orders and keep bits), and big spaces are refused', async () => {
  const task = taskOf('simple-os', [conv('pw-m', { P: 4, Q: 2, C: 4, K: 8 }), conv('c3', { R: 3, S: 3, P: 4, Q: 4, C: 4, K: 4 })]);
  const space = task.layers[0]!.space;
  const counts = { enumerated: 0, valid: 0 };
  let n = 0;
  for (const _ of enumerateSpace(space, counts)) n++;
  assert.equal(counts.enumerated, mapSpaceSize(space).points);
  assert.equal(n, counts.valid);
  assert.ok(mapSpaceSize(task.layers[1]!.space).points > 5e6);
  await assert.rejects(exhaustiveSearch(task, { seed: 0, timeLimit: Infinity }), /map space of layer c3 .* points, over the limit/);
});

test('GA and SA beat random search at an equal evaluation budget (ResNet-18 on simple-ws, 20000 evaluations)', async () => {
  const task = resnetTask('simple-ws', [1, 5, 9]);
  const totals: Record<string, number> = {};
  for (const [name, search] of Object.entries(BASELINES)) {
    const res = await search(task, budget(1, 20000));
    assert.equal(res.evaluations, 20000);
    totals[name] = totalScore(task, res.best);
  }
  assert.ok(totals.genetic! < totals.random!, `genetic ${totals.genetic} vs random ${totals.random}`);
  assert.ok(totals.annealing! < totals.random!, `annealing ${totals.annealing} vs random ${totals.random}`);
});
