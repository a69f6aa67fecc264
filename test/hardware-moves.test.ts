import assert from 'node:assert/strict';
import { test } from 'node:test';
import { getPreset } from '../src/hardware/presets.js';
import { areaOf, fanoutOf, getTemplate, instantiate, originalValues, type HardwareTemplate } from '../src/hardware/template.js';
import { buildMapSpace, fits, pointFromMapping, realize, usageOf, type Point } from '../src/mapping/mapspace.js';
import type { Mapping } from '../src/mapping/mapping.js';
import { randomValidPoint, rng } from '../src/mapping/random.js';
import { compass, smoothNeighbours, tradedToFit, trimmed } from '../src/coopt/hardware-moves.js';
import { layerToProblem } from '../src/workload/layer.js';
import { getNetwork } from '../src/workload/networks.js';

/** Random valid mappings of a few ResNet-18 layers on a large point of the template. */
function mappingsOn(t: HardwareTemplate, values: Record<string, number>, seed: number): { spaces: ReturnType<typeof buildMapSpace>[]; points: Point[] } {
  const preset = getPreset(t.name);
  const arch = instantiate(t, values);
  const r = rng(seed);
  const spaces = getNetwork('resnet18')
    .layers.slice(0, 4)
    .map((l) => buildMapSpace(layerToProblem(l).problem, arch, preset.constraints));
  const points = spaces.map((s) => randomValidPoint(s, r, 5000)!);
  assert.ok(points.every((p) => p !== null));
  return { spaces, points };
}

/** Whether every mapping, carried to the template at `values`, fits there. */
function allFit(t: HardwareTemplate, values: Record<string, number>, ms: Mapping[], spaces: ReturnType<typeof buildMapSpace>[]): boolean {
  const arch = instantiate(t, values);
  return ms.every((m, l) => {
    const s = buildMapSpace(spaces[l]!.problem, arch, spaces[l]!.constraints);
    return !s.infeasible && fits(s, pointFromMapping(s, m)).ok;
  });
}

for (const name of ['eyeriss-like', 'simba-like']) {
  test(`${name}: a point trimmed to what its mappings use still runs them; no depth can go one step lower, no mesh below its use`, () => {
    const t = getTemplate(name);
    // a large point: every buffer and mesh well above what random mappings of these layers take
    const grow = (v: HardwareTemplate['variables'][number]) =>
      v.kind === 'bandwidth' ? v.original : v.legalize(Math.min(v.max, v.kind === 'depth' ? Math.max(v.original * 4, v.min * 8) : v.original * 2));
    const big = Object.fromEntries(t.variables.map((v) => [v.name, grow(v)]));
    for (const seed of [1, 2, 3]) {
      const { spaces, points } = mappingsOn(t, big, seed);
      const ms = points.map((p, l) => realize(spaces[l]!, p));
      const small = trimmed(
        t,
        big,
        points.map((p, l) => usageOf(spaces[l]!, p)),
      );
      assert.ok(allFit(t, small, ms, spaces), `seed ${seed}: the mappings fit the trimmed point`);
      assert.ok(areaOf(t, small) < areaOf(t, big), 'the trimmed point is smaller');
      for (const v of t.variables) {
        assert.ok(small[v.name]! <= big[v.name]!, `${v.name} only shrinks`);
        if (v.kind === 'bandwidth') {
          assert.equal(small[v.name], big[v.name], 'bandwidths set cycles: they stay');
          continue;
        }
        const lower = v.step === 'power of two' ? small[v.name]! / 2 : small[v.name]! - 1;
        if (lower < v.min || !v.allowed(lower)) continue;
        if (v.kind === 'depth') {
          assert.ok(!allFit(t, { ...small, [v.name]: lower }, ms, spaces), `seed ${seed}: ${v.name} = ${lower} would still fit`);
          continue;
        }
        // a mesh one lower has fewer PEs along its axis than some mapping spreads there (carried over, a mapping
        // might still fold that side onto the other, which the trim does not count on)
        const b = t.meshes.find((m) => m.variable === v.name)!;
        const used = Math.max(...points.map((p, l) => usageOf(spaces[l]!, p)[b.level]![b.axis]));
        assert.ok(fanoutOf(t, { ...small, [v.name]: lower })[b.level]![b.axis] < used, `seed ${seed}: ${v.name} = ${lower} would still hold ${used}`);
      }
    }
  });
}

test('moves over an area budget are traded to fit it, keeping the array and what they raised', () => {
  const t = getTemplate('eyeriss-like');
  const centre = originalValues(t);
  const budget = (areaOf(t, centre) / 1e6) * 1.05;
  const moves = compass(t, centre, 1);
  const over = moves.filter((m) => areaOf(t, m) / 1e6 > budget);
  assert.ok(over.length > 0);
  let made = 0;
  for (const o of over) {
    const traded = tradedToFit(t, centre, [o], budget);
    assert.ok(traded.length <= 1);
    const m = traded[0];
    if (!m) continue;
    made++;
    assert.ok(areaOf(t, m) / 1e6 <= budget + 1e-12, 'within the budget');
    for (const v of t.variables) {
      if (v.kind === 'meshX' || v.kind === 'meshY') assert.equal(m[v.name], o[v.name], `${v.name}: the array is what the move set`);
      else if (o[v.name]! > centre[v.name]!) assert.equal(m[v.name], o[v.name], `${v.name} stays raised`);
      else assert.ok(m[v.name]! <= o[v.name]!, `${v.name} only shrinks`);
    }
  }
  assert.ok(made > 0, 'some moves can be made to fit');
  assert.deepEqual(tradedToFit(t, centre, moves, null), moves, 'no budget: the moves as they are');
});

test('smooth neighbours are the next 7-smooth array sizes within a factor 2', () => {
  const t = getTemplate('eyeriss-like');
  const v = t.variables.find((x) => x.kind === 'meshX')!;
  assert.deepEqual(smoothNeighbours(v, 8), [9, 10, 12, 7, 6, 5]);
  assert.deepEqual(smoothNeighbours(v, 32), [35, 36, 40, 30, 28, 27]);
  for (const y of smoothNeighbours(v, 1)) assert.ok(y >= v.min && y <= 2);
});
