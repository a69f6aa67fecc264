import assert from 'node:assert/strict';
import { test } from 'node:test';
import { exportPreset, getPreset, presetNames } from '../src/hardware/presets.js';
import { buildMapSpace, realize } from '../src/mapping/mapspace.js';
import { randomValidPoint, rng } from '../src/mapping/random.js';
import type { Candidate } from '../src/model/encode.js';
import { evaluate, evaluateTensor, type Evaluation } from '../src/model/evaluate.js';
import { layerToProblem } from '../src/workload/layer.js';
import { getNetwork } from '../src/workload/networks.js';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultPoint } from '../src/mapping/default.js';
import { writeMappingYaml, writeProblemYaml } from '../src/timeloop/index.js';
import { runCli } from './helpers/cli.js';
import { caseIds, loadRefCase } from './helpers/cases.js';
import { setCodegen } from '../src/model/fast/codegen.js';
import { metricsFast } from '../src/model/fast/evaluate-fast.js';

// the generated per-(arch, layer) kernels take every candidate they cover from its first use, so that the
// differential tests below run through them; CODESIGN_CODEGEN=0 runs the same tests on the generic kernel alone
const CODEGEN = process.env.CODESIGN_CODEGEN !== '0';
setCodegen(CODEGEN, 0);

/**
 * The totals without per-level detail (the generated kernel's path when CODEGEN; the generic kernel's otherwise)
 * equal, bit for bit, those the generic kernel gives with its detail (the path of `evaluate`).
 */
function sameTotals(cands: readonly Candidate[], withDetail: Evaluation[], label: (i: number) => string): void {
  const m = metricsFast(cands);
  cands.forEach((_, i) => {
    const e = withDetail[i]!;
    assert.equal(m.cycles[i], e.cycles, `${label(i)} cycles`);
    assert.equal(m.energy[i], e.energy_pJ, `${label(i)} energy`);
    assert.equal(m.power[i], e.power_mW, `${label(i)} power`);
    assert.equal(m.area[i], e.area_um2, `${label(i)} area`);
  });
}

/**
 * The fast float64 path against the tensor formulation, on every count. float32 holds integers exactly up to 2^24;
 * above that the tensor path rounds, so larger counts are compared to float32 precision.
 */
function close(a: number, b: number): boolean {
  if (Math.abs(b) < 2 ** 24) return Math.abs(a - b) <= 1e-6 * Math.max(1, Math.abs(b));
  return Math.abs(a - b) <= 4e-7 * Math.abs(b);
}

function compare(cands: readonly Candidate[], fast: Evaluation[], ref: Evaluation[], label: (i: number) => string): string[] {
  const bad: string[] = [];
  cands.forEach((_, i) => {
    const f = fast[i]!;
    const t = ref[i]!;
    const top = (k: 'energy_pJ' | 'power_mW' | 'area_um2' | 'computeCycles' | 'utilizedMacs') => {
      if (Math.abs(f[k] - t[k]) > 2e-6 * Math.abs(t[k])) bad.push(`${label(i)} ${k}: ${f[k]} vs ${t[k]}`);
    };
    top('energy_pJ');
    top('area_um2');
    top('computeCycles');
    top('utilizedMacs');
    // cycles: the tensor path returns the exact bandwidth quotient's ceiling; Timeloop's float64 rounding (the fast
    // path's) can add one cycle on an exact integer
    if (!(close(f.cycles, t.cycles) || (f.cycles - t.cycles >= 0 && f.cycles - t.cycles <= 1)))
      bad.push(`${label(i)} cycles: ${f.cycles} vs ${t.cycles}`);
    f.levels.forEach((lv, s) => {
      const tl = t.levels[s]!;
      if (lv.utilizedInstances !== tl.utilizedInstances) bad.push(`${label(i)} ${lv.name} instances`);
      for (const [ds, c] of Object.entries(lv.dataspaces)) {
        const r = tl.dataspaces[ds as 'Weights']!;
        for (const k of ['readsPerInstance', 'fillsPerInstance', 'updatesPerInstance', 'tileWords', 'multicastGroups'] as const) {
          if (!close(c[k], r[k])) bad.push(`${label(i)} ${lv.name}.${ds}.${k}: ${c[k]} vs ${r[k]}`);
        }
      }
    });
  });
  return bad;
}

test('fast path = tensor formulation on every count of the 332 reference cases', async () => {
  const cases = caseIds().map(loadRefCase);
  const cands = cases.map((c) => c.cand);
  const fast = await evaluate(cands);
  const bad = compare(cands, fast, await evaluateTensor(cands), (i) => cases[i]!.id);
  assert.deepEqual(bad.slice(0, 10), []);
  sameTotals(cands, fast, (i) => cases[i]!.id);
});

for (const name of presetNames()) {
  test(`fast path = tensor formulation on 2,000 random valid mappings (${name}, ResNet-18 and MobileNetV2 layers)`, async () => {
    const preset = getPreset(name);
    const r = rng(7);
    const cands: Candidate[] = [];
    const layers = [...getNetwork('resnet18').layers, ...getNetwork('mobilenetv2').layers.slice(0, 12)];
    while (cands.length < 2000) {
      for (const layer of layers) {
        const { problem } = layerToProblem(layer);
        const space = buildMapSpace(problem, preset.arch, problem.depthwise ? preset.depthwiseConstraints : preset.constraints);
        const p = randomValidPoint(space, r);
        if (p && cands.length < 2000) cands.push({ problem, arch: preset.arch, mapping: realize(space, p) });
      }
    }
    const fast = await evaluate(cands);
    const bad = compare(cands, fast, await evaluateTensor(cands), (i) => `${name} #${i} ${cands[i]!.problem.name}`);
    assert.deepEqual(bad.slice(0, 10), []);
    sameTotals(cands, fast, (i) => `${name} #${i} ${cands[i]!.problem.name}`);
  });
}

test('every preset and layer gets a generated kernel; where eval is refused the generic kernel answers alone', { skip: !CODEGEN }, async () => {
  const { specKernel } = await import('../src/model/fast/codegen.js');
  const { buildSpec } = await import('../src/model/fast/spec.js');
  for (const name of presetNames()) {
    const { arch } = getPreset(name);
    for (const layer of [...getNetwork('resnet18').layers, ...getNetwork('mobilenetv2').layers.slice(0, 12)]) {
      assert.ok(specKernel(buildSpec(layerToProblem(layer).problem, arch)), `${name} ${layer.name}`);
    }
  }
  // a page whose Content-Security-Policy forbids eval: new Function throws, the spec keeps the generic kernel
  const preset = getPreset('eyeriss-like');
  const { problem } = layerToProblem(getNetwork('resnet18').layers[3]!);
  const space = buildMapSpace(problem, preset.arch, preset.constraints);
  const cand = { problem, arch: preset.arch, mapping: realize(space, randomValidPoint(space, rng(2))!) };
  const want = metricsFast([cand]);
  const saved = globalThis.Function;
  globalThis.Function = function () {
    throw new EvalError('Refused to evaluate a string as JavaScript');
  } as unknown as FunctionConstructor;
  try {
    assert.equal(specKernel(buildSpec(problem, preset.arch)), null);
    // a fresh problem object: a new spec, whose kernel cannot be generated; the same numbers
    const fresh = { ...cand, problem: { ...problem } };
    for (let k = 0; k < 3; k++) assert.deepEqual(metricsFast([fresh]), want);
  } finally {
    globalThis.Function = saved;
  }
});

test('counts beyond float32: N = 1e9 evaluates to exact positive counts; N = 1e30 is refused in one line', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'codesign-bigcount-'));
  const preset = getPreset('simple-ws');
  const files = await exportPresetFiles(dir, 'simple-ws');
  const run = async (N: number) => {
    const base = layerToProblem({
      name: 'big',
      N: 1,
      K: 8,
      C: 4,
      P: 7,
      Q: 7,
      R: 1,
      S: 1,
      Hstride: 1,
      Wstride: 1,
      Hdilation: 1,
      Wdilation: 1,
      groups: 1,
      repeat: 1,
    }).problem;
    const m = realize(buildMapSpace(base, preset.arch, null), defaultPoint(buildMapSpace(base, preset.arch, null)));
    m.levels[m.levels.length - 1]!.temporal.N = N; // DRAM takes all of N
    const problem = { ...base, dims: { ...base.dims, N } };
    writeFileSync(join(dir, 'problem.yaml'), writeProblemYaml(problem));
    writeFileSync(join(dir, 'map.yaml'), writeMappingYaml(m, preset.arch, problem));
    return runCli([
      'evaluate',
      '--arch',
      files.arch,
      '--ert',
      files.ert,
      '--art',
      files.art,
      '--problem',
      join(dir, 'problem.yaml'),
      '--mapping',
      join(dir, 'map.yaml'),
      '--json',
    ]);
  };
  const big = await run(1e9);
  assert.equal(big.code, 0, big.err);
  const r = JSON.parse(big.out);
  assert.ok(Number.isFinite(r.energy_pJ) && r.energy_pJ > 0 && Number.isSafeInteger(r.cycles) && r.cycles >= 1e9, big.out.slice(0, 300));
  for (const lv of r.levels)
    for (const c of Object.values(lv.dataspaces) as Record<string, number>[])
      for (const v of Object.values(c)) assert.ok(Number.isSafeInteger(v) && v >= 0, `${lv.name}: ${v}`);
  const huge = await run(1e30);
  assert.notEqual(huge.code, 0);
  assert.equal(huge.err.trim().split('\n').length, 1, huge.err);
  assert.doesNotMatch(huge.out, /null|-\d/);
});

async function exportPresetFiles(dir: string, name: string) {
  await exportPreset(name, dir);
  return { arch: join(dir, 'arch.yaml'), ert: join(dir, 'ERT.yaml'), art: join(dir, 'ART.yaml') };
}

/** Small 3x3 layers (plain, strided, dilated, depthwise): without constraints their random mappings often have link transfers. */
const LINK_BASE = {
  name: 'links3x3',
  N: 1,
  K: 16,
  C: 8,
  P: 14,
  Q: 14,
  R: 3,
  S: 3,
  Hstride: 1,
  Wstride: 1,
  Hdilation: 1,
  Wdilation: 1,
  groups: 1,
  repeat: 1,
};
const LINK_LAYERS = [
  LINK_BASE,
  { ...LINK_BASE, name: 'links_s2', Wstride: 2, Hstride: 2 },
  { ...LINK_BASE, name: 'links_dil', Wdilation: 2 },
  { ...LINK_BASE, name: 'links_dw', K: 8, groups: 8 },
];

test('search points scored straight from the map space equal the fast path on their realized mappings (links included)', async () => {
  const { scorePoints } = await import('../src/mapper/flat-score.js');
  for (const name of presetNames()) {
    const preset = getPreset(name);
    const r = rng(3);
    const spaces = [
      ...getNetwork('resnet18').layers.map((layer) => buildMapSpace(layerToProblem(layer).problem, preset.arch, preset.constraints)),
      ...LINK_LAYERS.map((layer) => buildMapSpace(layerToProblem(layer).problem, preset.arch, null)),
    ];
    const items = spaces.flatMap((space) =>
      Array.from({ length: 20 }, () => randomValidPoint(space, r, 200)).flatMap((point) => (point ? [{ space, point }] : [])),
    );
    const got = scorePoints(items);
    const want = await evaluate(items.map(({ space, point }) => ({ problem: space.problem, arch: space.arch, mapping: realize(space, point) })));
    items.forEach((_, i) => {
      assert.equal(got.cycles[i], want[i]!.cycles, `${name} #${i} cycles`);
      assert.equal(got.energy[i], want[i]!.energy_pJ, `${name} #${i} energy`);
      assert.equal(got.area[i], want[i]!.area_um2, `${name} #${i} area`);
    });
  }
});

test('the fast fits agrees with the worded one (ok and worst overflow) on valid points and all their neighbours', async () => {
  const { fits, fitsExplained } = await import('../src/mapping/mapspace.js');
  const { neighbours } = await import('../src/mapper/neighbours.js');
  let bad = 0;
  let total = 0;
  for (const name of presetNames()) {
    const preset = getPreset(name);
    const r = rng(5);
    for (const layer of getNetwork('resnet18').layers.slice(0, 6)) {
      const space = buildMapSpace(layerToProblem(layer).problem, preset.arch, preset.constraints);
      for (let k = 0; k < 4; k++) {
        const p = randomValidPoint(space, r);
        if (!p) continue;
        for (const q of [p, ...neighbours(space, p)]) {
          const a = fits(space, q);
          const b = fitsExplained(space, q);
          total++;
          if (!a.ok) bad++;
          assert.equal(a.ok, b.ok, `${name} ${layer.name}: ${b.reason}`);
          assert.ok(Math.abs(a.worst - b.worst) <= 1e-12 * Math.max(1, b.worst), `${name} ${layer.name} worst ${a.worst} vs ${b.worst}`);
        }
      }
    }
  }
  // the neighbourhoods reach past the capacity and fanout limits, so both sides of the test are exercised
  assert.ok(bad > 0 && bad < total, `${bad} of ${total} do not fit`);
});

test('link transfers on the flat arrays = the object-based reference, on the reference cases and on random mappings that have them', async () => {
  const { linkOverrides } = await import('../src/model/links.js');
  const { detailFast } = await import('../src/model/fast/evaluate-fast.js');
  const cases = caseIds().map(loadRefCase);
  const { setLinkPrefilter } = await import('../src/model/fast/links-flat.js');
  const withLinks: Candidate[] = [];
  // the cheap necessary condition never rejects a candidate that the exact walk alone gives links for
  const walkOnly = (c: Candidate) => {
    setLinkPrefilter(false);
    try {
      return detailFast(c).links;
    } finally {
      setLinkPrefilter(true);
    }
  };
  const check = (c: Candidate, label: string) => {
    const want = linkOverrides(c);
    const got = detailFast(c).links;
    assert.deepEqual(got, want, label);
    assert.deepEqual(walkOnly(c), got, `${label}: the walk alone`);
    if (want) withLinks.push(c);
  };
  cases.forEach((c) => check(c.cand, c.id));
  const fromCases = withLinks.length;
  // the presets' constraints rarely allow links: small 3x3 layers (plain, strided, dilated, depthwise) without
  // constraints, where random mappings often unroll a sliding window across the PEs
  const r = rng(3);
  let tried = 0;
  for (const name of ['eyeriss-like', 'simba-like']) {
    const preset = getPreset(name);
    for (const layer of LINK_LAYERS) {
      const { problem } = layerToProblem(layer);
      const space = buildMapSpace(problem, preset.arch, null);
      for (let i = 0; i < 100; i++) {
        const p = randomValidPoint(space, r, 200);
        if (!p) continue;
        tried++;
        check({ problem, arch: preset.arch, mapping: realize(space, p) }, `${name} ${problem.name} #${i}`);
      }
    }
  }
  // random valid mappings of every preset under its constraints: the prefilter = the walk alone
  let presetLinks = 0;
  let presetTried = 0;
  for (const name of presetNames()) {
    const preset = getPreset(name);
    for (const layer of getNetwork('resnet18').layers) {
      const { problem } = layerToProblem(layer);
      const space = buildMapSpace(problem, preset.arch, preset.constraints);
      for (let i = 0; i < 25; i++) {
        const p = randomValidPoint(space, r);
        if (!p) continue;
        const c = { problem, arch: preset.arch, mapping: realize(space, p) };
        const got = detailFast(c).links;
        assert.deepEqual(walkOnly(c), got, `${name} ${problem.name} #${i}: the walk alone`);
        presetTried++;
        if (got) presetLinks++;
      }
    }
  }
  assert.ok(presetTried >= 4 * 12 * 20, `${presetTried} preset mappings (${presetLinks} with links)`);
  assert.ok(
    fromCases >= 1 && withLinks.length - fromCases >= 20,
    `${fromCases} cases and ${withLinks.length - fromCases} of ${tried} random mappings have links`,
  );
  // and the totals with links agree with the tensor formulation
  const fast = await evaluate(withLinks);
  const bad = compare(withLinks, fast, await evaluateTensor(withLinks), (i) => `links #${i} ${withLinks[i]!.problem.name}`);
  assert.deepEqual(bad.slice(0, 10), []);
  // the generated kernels hand every candidate with links back to the generic kernel
  sameTotals(withLinks, fast, (i) => `links #${i} ${withLinks[i]!.problem.name}`);
});

test('the worker pool gives the same numbers as one thread (links included), and 2 workers the same search as 1', async () => {
  const { FlatBatch } = await import('../src/parallel/batch.js');
  const { createExactPool, evaluateBatch } = await import('../src/parallel/pool.js');
  const { pushPoint } = await import('../src/mapper/flat-score.js');
  const { codesignSearch } = await import('../src/mapper/codesign-search.js');
  const { buildTask } = await import('../src/mapper/task.js');
  const r = rng(11);
  const batch = new FlatBatch(16);
  for (const name of presetNames()) {
    const preset = getPreset(name);
    for (const layer of [...getNetwork('resnet18').layers.slice(0, 4), ...LINK_LAYERS]) {
      const space = buildMapSpace(layerToProblem(layer).problem, preset.arch, layer.name.startsWith('links') ? null : preset.constraints);
      for (let i = 0; i < 8; i++) {
        const p = randomValidPoint(space, r, 200);
        if (p) pushPoint(batch, space, p);
      }
    }
  }
  const one = evaluateBatch(batch);
  assert.ok(batch.n > 200 && one.cycles.subarray(0, batch.n).every((c) => c >= 1), 'every candidate evaluated');
  const want = [one.cycles, one.energy, one.power, one.area].map((a) => Array.from(a.subarray(0, batch.n)));
  const pools = [await createExactPool(1, 1), await createExactPool(2, 1)];
  try {
    for (const pool of pools) {
      assert.ok(pool);
      await pool.whenReady();
      batch.out.cycles.fill(0);
      batch.out.energy.fill(0);
      const got = await pool.evaluate(batch);
      assert.deepEqual(
        [got.cycles, got.energy, got.power, got.area].map((a) => Array.from(a.subarray(0, batch.n))),
        want,
        `${pool.size} workers, ${batch.n} candidates`,
      );
    }
    // a search that ends before its limit: the same result with no pool, 1 and 2 workers
    const preset = getPreset('eyeriss-like');
    const layers = getNetwork('resnet18').layers.slice(0, 2);
    const runs = [];
    for (const pool of [null, ...pools]) {
      const task = buildTask(layers, preset.arch, () => preset.constraints, 'edp');
      const res = await codesignSearch(task, { seed: 3, timeLimit: 120, pool, startsPerLayer: 6, walkersPerLayer: 3, patience: 2, relaxSteps: 20 });
      runs.push({ scores: res.best.map((b) => b?.scored.score), evaluations: res.evaluations });
    }
    assert.deepEqual(runs[1], runs[0]);
    assert.deepEqual(runs[2], runs[0]);
  } finally {
    await Promise.all(pools.map((p) => p?.close()));
  }
});

test('the worker pool lets go of the specs this thread has collected (a long co-optimization makes hundreds of thousands)', async () => {
  const { setFlagsFromString } = await import('node:v8');
  const { runInNewContext } = await import('node:vm');
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  const { FlatBatch } = await import('../src/parallel/batch.js');
  const { createExactPool, evaluateBatch } = await import('../src/parallel/pool.js');
  const { pushPoint } = await import('../src/mapper/flat-score.js');
  const pool = await createExactPool(1, 1);
  assert.ok(pool);
  await pool.whenReady();
  const preset = getPreset('eyeriss-like');
  const { problem } = layerToProblem(getNetwork('resnet18').layers[1]!);
  const r = rng(5);
  // each copy of the accelerator is another object, so each batch brings the worker new specs
  const round = async () => {
    const batch = new FlatBatch(64);
    for (let i = 0; i < 40; i++) {
      const space = buildMapSpace(problem, structuredClone(preset.arch), preset.constraints);
      const p = randomValidPoint(space, r, 200);
      if (p) pushPoint(batch, space, p);
    }
    const want = Array.from(evaluateBatch(batch).cycles.subarray(0, batch.n));
    batch.out.cycles.fill(0);
    const got = Array.from((await pool.evaluate(batch)).cycles.subarray(0, batch.n));
    assert.deepEqual(got, want);
    return batch.n;
  };
  try {
    const n = await round();
    // (the worker evaluates half of a batch, the calling thread the other half)
    const before = pool.held()[0]!;
    assert.ok(before >= n / 2 - 1, `${before} held after ${n} candidates`);
    for (let i = 0; i < 50 && pool.held()[0]! >= before; i++) {
      gc();
      await new Promise((res) => setTimeout(res, 20));
    }
    assert.ok(pool.held()[0]! < before, `still ${pool.held()} held`);
    // the next batch tells the worker, which still evaluates right
    await round();
  } finally {
    await pool.close();
  }
});
