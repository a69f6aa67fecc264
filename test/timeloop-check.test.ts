import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { getPreset } from '../src/hardware/presets.js';
import { checkMapping, tileWords } from '../src/mapping/check.js';
import type { Constraints } from '../src/mapping/constraints.js';
import { cloneMapping, type Mapping } from '../src/mapping/mapping.js';
import { buildAccelerator } from '../src/timeloop/arch.js';
import { parseConstraints } from '../src/timeloop/constraints.js';
import { formatLoopNest } from '../src/timeloop/loop-nest.js';
import { parseMapping } from '../src/timeloop/mapping.js';
import { parseProblem } from '../src/timeloop/problem.js';

const read = (p: string): string => readFileSync(p, 'utf8');

function load(id: string) {
  const d = `test/fixtures/timeloop/cases/${id}`;
  const { arch } = buildAccelerator({ arch: { text: read(`${d}/arch.yaml`), file: 'arch.yaml' } });
  const problem = parseProblem(read(`${d}/problem.yaml`), 'problem.yaml');
  const mapping = parseMapping(read(`${d}/map.yaml`), 'map.yaml', arch, problem);
  let constraints: Constraints | undefined;
  try {
    constraints = parseConstraints(read(`${d}/constraints.yaml`), 'constraints.yaml');
  } catch {
    constraints = undefined;
  }
  return { arch, problem, mapping, constraints };
}

// eyeriss alexnet_conv1 mapper: psum_spad K16 | weights_spad R11 | ifmap_spad - | shared_glb sp Q11(X) S11(Y), t P55 K3 | DRAM Q5 C3 K2
const E = load('eyeriss_like__alexnet_conv1__mapper');
const PSUM = 0;
const WSPAD = 1;
const GLB = 3;
const DRAM = 4;

function mutate(f: (m: Mapping) => void): Mapping {
  const m = cloneMapping(E.mapping);
  f(m);
  return m;
}
const rules = (m: Mapping, c?: Constraints) =>
  checkMapping(E.problem, E.arch, m, c)
    .map((v) => v.rule)
    .sort();

test('the reference mapping is valid, with and without its constraints', () => {
  assert.deepEqual(checkMapping(E.problem, E.arch, E.mapping), []);
  assert.deepEqual(checkMapping(E.problem, E.arch, E.mapping, E.constraints), []);
});

test('factor product: says which dim, the product and the size', () => {
  const v = checkMapping(
    E.problem,
    E.arch,
    mutate((m) => (m.levels[DRAM]!.temporal.K = 4)),
  );
  assert.equal(v.length, 1);
  assert.equal(v[0]!.rule, 'factor-product');
  assert.equal(v[0]!.dim, 'K');
  assert.match(v[0]!.message, /K multiply to 192, but the layer has K = 96/);
});

test('factors must be positive integers; permutations must be permutations; split in range', () => {
  assert.deepEqual(rules(mutate((m) => (m.levels[DRAM]!.temporal.N = 0))), ['factor-positive']);
  assert.deepEqual(rules(mutate((m) => (m.levels[DRAM]!.temporal.N = 1.5))), ['factor-positive']);
  assert.deepEqual(rules(mutate((m) => (m.levels[DRAM]!.permutation = ['C', 'K', 'Q']))), ['permutation']);
  assert.deepEqual(rules(mutate((m) => (m.levels[GLB]!.spatialPermutation = ['Q', 'Q', 'R', 'P', 'C', 'K', 'N']))), ['permutation']);
  assert.ok(rules(mutate((m) => (m.levels[GLB]!.split = 9))).includes('split'));
});

test('spatial fanout: X and Y limits, and no spatial factors where there is no fanout', () => {
  // Q16 on X > 14 (move Q from DRAM: 5*11 = 55 -> need other factors; use K instead: X K=16 > 14)
  const x = mutate((m) => {
    m.levels[GLB]!.spatial.K = 16;
    m.levels[GLB]!.temporal.K = 3;
    m.levels[PSUM]!.temporal.K = 1;
    m.levels[GLB]!.spatial.Q = 1;
    m.levels[DRAM]!.temporal.Q = 55;
    m.levels[GLB]!.spatialPermutation = ['K', 'S', 'R', 'P', 'Q', 'C', 'N'];
  });
  const vx = checkMapping(E.problem, E.arch, x);
  assert.deepEqual(
    vx.map((v) => v.rule),
    ['fanout-x'],
  );
  assert.match(vx[0]!.message, /K=16 use 16 instances, more than the fanout X of 14 to ifmap_spad/);
  // split 0 puts Q11 and S11 both on Y: 121 > 12
  assert.deepEqual(rules(mutate((m) => (m.levels[GLB]!.split = 0))), ['fanout-y']);
  const nf = checkMapping(
    E.problem,
    E.arch,
    mutate((m) => {
      m.levels[WSPAD]!.spatial.R = 11;
      m.levels[WSPAD]!.temporal.R = 1;
    }),
  );
  assert.deepEqual(
    nf.map((v) => v.rule),
    ['no-fanout'],
  );
  assert.match(nf[0]!.message, /weights_spad has no spatial fanout to psum_spad/);
});

test('capacity: the kept tiles (with the spatial fanout below) must fit', () => {
  assert.deepEqual(tileWords(E.problem, E.mapping, GLB), { Weights: 48 * 11 * 11, Inputs: 11577, Outputs: 29040 });
  const v = checkMapping(
    E.problem,
    E.arch,
    mutate((m) => {
      m.levels[PSUM]!.temporal.K = 32;
      m.levels[DRAM]!.temporal.K = 1;
    }),
  );
  // K32 in psum_spad overflows psum_spad (16), weights_spad (11*32 = 352 > 192) and shared_glb (11577 + 96*55*11 > 65536)
  assert.deepEqual(
    v.map((x) => [x.rule, x.level]),
    [
      ['capacity', 'psum_spad'],
      ['capacity', 'weights_spad'],
      ['capacity', 'shared_glb'],
    ],
  );
  assert.match(v[0]!.message, /psum_spad tile is Outputs 32 = 32 words, more than its capacity of 16 words/);
  assert.match(v[2]!.message, /shared_glb tile is Inputs 11577 \+ Outputs 58080 = 69657 words, more than its capacity of 65536 words/);
  // bypassing at a level drops that dataspace from its tile
  // keeping Inputs too at psum_spad adds its 1-word tile: 17 > 16
  assert.deepEqual(rules(mutate((m) => (m.levels[PSUM]!.keep.Inputs = true))), ['capacity']);
});

test('keep: hardware keep (presets) must match exactly; the outermost level keeps everything', () => {
  const preset = getPreset('eyeriss-like');
  assert.deepEqual(checkMapping(E.problem, preset.arch, E.mapping), []);
  const v = checkMapping(
    E.problem,
    preset.arch,
    mutate((m) => (m.levels[WSPAD]!.keep.Outputs = true)),
  );
  assert.deepEqual(
    v.map((x) => [x.rule, x.dataspace]),
    [['hardware-keep', 'Outputs']],
  );
  assert.match(v[0]!.message, /weights_spad can only hold Weights: Outputs must be bypassed, but the mapping keeps it/);
  const o = checkMapping(
    E.problem,
    E.arch,
    mutate((m) => (m.levels[DRAM]!.keep.Inputs = false)),
  );
  assert.deepEqual(
    o.map((x) => [x.rule, x.dataspace]),
    [['outermost-keep', 'Inputs']],
  );
});

test('a mapping with the wrong number of levels', () => {
  const v = checkMapping(E.problem, E.arch, { levels: E.mapping.levels.slice(1) });
  assert.deepEqual(
    v.map((x) => x.rule),
    ['level-count'],
  );
});

test('constraints: factors, 0 = whole dimension, clamping, bypass, target names', () => {
  const c = (yaml: string): Constraints => parseConstraints(yaml, 'c.yaml');
  const v = checkMapping(
    E.problem,
    E.arch,
    E.mapping,
    c('mapspace_constraints:\n  targets:\n  - {target: shared_glb, type: temporal, factors: Q=2}\n'),
  );
  assert.equal(v.length, 1);
  assert.equal(v[0]!.message, 'mapspace constraint on shared_glb temporal: factor Q must be 2, got 1');
  assert.deepEqual(
    checkMapping(E.problem, E.arch, E.mapping, c('mapspace_constraints:\n  targets:\n  - {target: weights_spad, type: temporal, factors: R=0}\n')),
    [],
  );
  const z = checkMapping(E.problem, E.arch, E.mapping, c('mapspace_constraints:\n  targets:\n  - {target: DRAM, type: temporal, factors: C=0}\n'));
  assert.deepEqual(z, []); // C = 3 is all at DRAM
  assert.deepEqual(
    checkMapping(E.problem, E.arch, E.mapping, c('mapspace_constraints:\n  targets:\n  - {target: DRAM, type: temporal, factors: C=8}\n')),
    [],
  ); // clamped to 3
  assert.deepEqual(
    checkMapping(
      E.problem,
      E.arch,
      E.mapping,
      c('architecture_constraints:\n  targets:\n  - {target: shared_glb, type: bypass, keep: [Weights], bypass: [Outputs]}\n'),
    ).map((x) => x.rule),
    ['constraint-keep', 'constraint-bypass'],
  );
  const t = checkMapping(
    E.problem,
    E.arch,
    E.mapping,
    c('mapspace_constraints:\n  targets:\n  - {target: GlobalBuffer, type: temporal, factors: Q=1}\n'),
  );
  assert.deepEqual(
    t.map((x) => x.rule),
    ['constraint-target'],
  );
  assert.match(t[0]!.message, /"GlobalBuffer", which is not a storage level of eyeriss/);
});

test('constraints: permutations are innermost prefixes, ignoring unit loops', () => {
  const c = (perm: string, level = 'DRAM'): Constraints =>
    parseConstraints(`mapspace_constraints:\n  targets:\n  - {target: ${level}, type: temporal, permutation: ${perm}}\n`, 'c.yaml');
  // DRAM loops innermost first: C3 K2 Q5 (R S P N are 1)
  for (const ok of ['RSPCKNQ', 'CKQ', 'C', 'RCSKQ', 'NRSP']) assert.deepEqual(checkMapping(E.problem, E.arch, E.mapping, c(ok)), [], ok);
  for (const bad of ['KC', 'Q', 'CQK', 'RSPKCNQ']) {
    const v = checkMapping(E.problem, E.arch, E.mapping, c(bad));
    assert.deepEqual(
      v.map((x) => x.rule),
      ['constraint-permutation'],
      bad,
    );
  }
  assert.match(checkMapping(E.problem, E.arch, E.mapping, c('KC'))[0]!.message, /needs the non-unit loops KC innermost in that order, got CKQ/);
});

test('constraints: spatial split puts listed dims on X or Y', () => {
  const c = (perm: string, split: number): Constraints =>
    parseConstraints(
      `architecture_constraints:\n  targets:\n  - {target: shared_glb, type: spatial, permutation: ${perm}, split: ${split}}\n`,
      'c.yaml',
    );
  // mapping: X = Q11, Y = S11
  assert.deepEqual(checkMapping(E.problem, E.arch, E.mapping, c('QKSCRPN', 2)), []);
  assert.deepEqual(checkMapping(E.problem, E.arch, E.mapping, c('QSKCRPN', 1)), []);
  assert.deepEqual(
    checkMapping(E.problem, E.arch, E.mapping, c('QSKCRPN', 2)).map((x) => x.rule),
    ['constraint-split'],
  );
  assert.deepEqual(
    checkMapping(E.problem, E.arch, E.mapping, c('SQKCRPN', 1))
      .map((x) => x.rule)
      .sort(),
    ['constraint-permutation', 'constraint-split', 'constraint-split'],
  );
  // only a prefix: Q listed at 0 < split 1 -> X; S unlisted with no X slot left -> Y
  assert.deepEqual(checkMapping(E.problem, E.arch, E.mapping, c('Q', 1)), []);
  assert.deepEqual(
    checkMapping(E.problem, E.arch, E.mapping, c('Q', 7)).map((x) => x.rule),
    ['constraint-split'],
  );
});

test('every mapper case of every arch meets its constraints; the preset constraints match too', () => {
  for (const id of [
    'simba_like__alexnet_conv1__mapper',
    'simple_ws__alexnet_conv2__mapper',
    'simple_os__mbv2_b2_dw3x3__mapper',
    'simba_like__mbv2_b2_dw3x3__mapper',
  ]) {
    const x = load(id);
    assert.deepEqual(checkMapping(x.problem, x.arch, x.mapping, x.constraints), [], id);
    const preset = getPreset(id.split('__')[0]!);
    assert.deepEqual(checkMapping(x.problem, preset.arch, x.mapping, x.problem.depthwise ? preset.depthwiseConstraints : preset.constraints), [], id);
  }
});

test('loop nest is printed outermost first with tiles and spatial loops', () => {
  const nest = formatLoopNest(E.problem, E.arch, E.mapping);
  assert.match(
    nest,
    /^DRAM \[ Weights:34848 Inputs:154587 Outputs:290400 \]\n-+\n\| for Q in \[0:5\)\n\|   for K in \[0:2\)\n\|     for C in \[0:3\)\n/,
  );
  assert.match(nest, /shared_glb \[ Inputs:11577 Outputs:29040 \]/);
  assert.match(nest, /for S in \[0:11\) \(Spatial-Y\)\n\|\s+for Q in \[0:11\) \(Spatial-X\)/);
  assert.match(nest, /psum_spad \[ Outputs:16 \]\n-+\n\|\s+for K in \[0:16\)\n\n\|\s+<< Compute >>\n$/);
});
