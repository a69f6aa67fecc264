import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { InputError } from '../src/errors.js';
import { fanoutBelow } from '../src/hardware/accelerator.js';
import { buildAccelerator, parseArchitecture, parseERT, writeArchitectureYaml, writeErtYaml } from '../src/timeloop/arch.js';
import { parseConstraints } from '../src/timeloop/constraints.js';
import { parseMapping, writeMappingYaml } from '../src/timeloop/mapping.js';
import { parseProblem, writeProblemYaml } from '../src/timeloop/problem.js';

const CASE = 'test/fixtures/timeloop/cases/eyeriss_like__alexnet_conv1__mapper';
const read = (p: string): string => readFileSync(p, 'utf8');

function throwsInput(fn: () => unknown, file: string, field: string, re?: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof InputError, `expected an InputError, got ${String(e)}`);
    assert.equal(e.file, file);
    assert.equal(e.field, field);
    assert.ok(!e.message.includes('\n'), 'one line');
    if (re) assert.match(e.message, re);
    return true;
  });
}

const V04 = `architecture:
  version: 0.4
  nodes:
  - !Container
    name: system
    attributes: {technology: 45nm, clock_GHz: 0.5}
  - !Component
    name: DRAM
    class: DRAM
    attributes: {width: 64, datawidth: 16, block_size: 4}
  - !Component
    name: glb
    class: SRAM
    attributes: {depth: 4096, width: 64, datawidth: 16, read_bandwidth: 8}
  - !Container
    name: PE
    spatial: {meshX: 4, meshY: 2}
  - !Component
    name: spad
    class: regfile
    attributes: {depth: 32, width: 16, datawidth: 16}
  - !Component
    name: mac
    class: intmac
    spatial: {meshY: 2}
    attributes: {datawidth: 16}
`;

test('v0.4 nodes form: instances, mesh, capacity, word bits, clock', () => {
  const a = parseArchitecture(V04, 'v04.yaml');
  assert.deepEqual(
    a.levels.map((l) => [l.name, l.instances, l.meshX, l.meshY, l.capacityWords, l.wordBits, l.blockSize]),
    [
      ['spad', 8, 4, 2, 32, 16, 1],
      ['glb', 1, 1, 1, 16384, 16, 4],
      ['DRAM', 1, 1, 1, null, 16, 4],
    ],
  );
  assert.deepEqual([a.mac.instances, a.mac.meshX, a.mac.meshY], [16, 4, 4]);
  assert.equal(a.clockGHz, 0.5);
  assert.equal(a.technology, '45nm');
  assert.equal(a.levels[1]!.readBandwidth, 8);
  assert.deepEqual(fanoutBelow(a, 1), { x: 4, y: 2, total: 8 });
  assert.deepEqual(fanoutBelow(a, 0), { x: 1, y: 2, total: 2 });
  // written as v0.3 and read back: same hardware
  const b = parseArchitecture(writeArchitectureYaml(a), 'v03.yaml');
  for (const k of ['instances', 'meshX', 'meshY', 'capacityWords', 'wordBits', 'blockSize', 'readBandwidth'] as const) {
    assert.deepEqual(
      b.levels.map((l) => l[k]),
      a.levels.map((l) => l[k]),
      k,
    );
  }
  assert.deepEqual([b.mac.instances, b.mac.meshX], [16, 4]);
  assert.equal(b.levels[0]!.hierarchicalName, 'system.PE[0..7].spad');
  assert.equal(b.mac.hierarchicalName, 'system.PE[0..7].mac[0..1]');
});

test('v0.3: nested ranges multiply, meshX defaults to instances, hierarchical names keep ranges', () => {
  const text = read('test/fixtures/timeloop/archs/simba_like/arch.yaml');
  const a = parseArchitecture(text, 'arch.yaml');
  const wb = a.levels.find((l) => l.name === 'PEWeightBuffer')!;
  assert.equal(wb.instances, 64);
  assert.equal(wb.hierarchicalName, 'System.ws.PE[0..15].PEWeightBuffer[0..3]');
  assert.equal(a.name, 'ws');
  assert.equal(a.clockGHz, 1);
  // a level whose instances change gets new ranges when written
  a.levels.forEach((l) => {
    if (l.instances > 1) {
      l.instances *= 2;
      l.meshY *= 2;
    }
  });
  a.mac.instances *= 2;
  a.mac.meshY *= 2;
  const b = parseArchitecture(writeArchitectureYaml(a), 'arch2.yaml');
  assert.deepEqual(
    b.levels.map((l) => l.instances),
    [512, 128, 128, 32, 1, 1],
  );
  assert.equal(b.levels.find((l) => l.name === 'PEInputBuffer')!.hierarchicalName, 'System.ws.PE[0..31].PEInputBuffer');
});

test('capacity changes are written as depth', () => {
  const a = parseArchitecture(read(`${CASE}/arch.yaml`), 'arch.yaml');
  a.levels[0]!.capacityWords = 32;
  const b = parseArchitecture(writeArchitectureYaml(a), 'x.yaml');
  assert.equal(b.levels[0]!.capacityWords, 32);
  assert.equal(b.levels[0]!.depth, 32);
});

test('ERT: several argument variants -> max; leak; missing tables -> 0 with a warning; ERT writer round trip', () => {
  const arch = `architecture:
  version: 0.3
  subtree:
  - name: sys
    local:
    - name: DRAM
      class: DRAM
      attributes: {width: 64, word-bits: 16}
    - name: buf
      class: SRAM
      attributes: {memory_depth: 64, memory_width: 16, word-bits: 16}
    - name: mac
      class: intmac
      attributes: {datawidth: 16}
`;
  const ert = `ERT:
  version: 0.3
  tables:
  - name: sys.buf
    actions:
    - {name: read, arguments: {address_delta: 0}, energy: 1.0}
    - {name: read, arguments: {address_delta: 1}, energy: 3.0}
    - {name: write, arguments: null, energy: 2.0}
    - {name: leak, arguments: null, energy: 0.5}
  - name: sys.mac
    actions:
    - {name: compute, arguments: null, energy: 0.7}
`;
  const { arch: a, warnings } = buildAccelerator({ arch: { text: arch, file: 'a.yaml' }, ert: { text: ert, file: 'e.yaml' } });
  assert.deepEqual(a.levels[0]!.energy, { read: 3, write: 2, leak: 0.5 });
  assert.equal(a.mac.energyPerMAC, 0.7);
  assert.equal(a.levels[1]!.energy.read, 0);
  assert.ok(warnings.some((w) => w.includes('no table for sys.DRAM')));
  assert.ok(warnings.some((w) => w.includes('no ART given')));
  assert.equal(parseERT(writeErtYaml(a), 'x').length, 3);
  const again = buildAccelerator({ arch: { text: writeArchitectureYaml(a), file: 'a2' }, ert: { text: writeErtYaml(a), file: 'e2' } });
  assert.deepEqual(
    again.arch.levels.map((l) => l.energy),
    a.levels.map((l) => l.energy),
  );
});

test('problem: shape by name, coefficient defaults, depthwise has no K', () => {
  const p = parseProblem('problem:\n  shape: cnn-layer\n  instance: {R: 3, S: 3, P: 7, Q: 7, C: 8, K: 16, N: 1, Wstride: 2}\n', 'p.yaml');
  assert.equal(p.name, 'p');
  assert.deepEqual([p.Wstride, p.Hstride, p.Wdilation, p.Hdilation], [2, 1, 1, 1]);
  assert.equal(p.depthwise, false);
  const dw = parseProblem('problem:\n  shape: {name: Depthwise-CNN-Layer}\n  instance: {R: 3, S: 3, P: 7, Q: 7, C: 8, N: 1}\n', 'dw.yaml');
  assert.equal(dw.depthwise, true);
  assert.equal(dw.dims.K, 1);
  assert.ok(!writeProblemYaml(dw).includes('K:'));
  throwsInput(
    () => parseProblem('problem:\n  shape: Depthwise-CNN-Layer\n  instance: {R: 3, S: 3, P: 7, Q: 7, C: 8, K: 8, N: 1}\n', 'dw.yaml'),
    'dw.yaml',
    'problem.instance.K',
    /unknown field/,
  );
  throwsInput(() => parseProblem('problem:\n  shape: GEMM\n  instance: {}\n', 'g.yaml'), 'g.yaml', 'problem.shape');
  for (const [v, got] of [
    ['0', '0'],
    ['-4', '-4'],
    ['2.5', '2.5'],
    ['"8"', '"8"'],
  ] as const) {
    throwsInput(
      () => parseProblem(`problem:\n  shape: cnn-layer\n  instance: {R: 3, S: 3, P: 7, Q: 7, C: 8, K: ${v}, N: 1}\n`, 'p.yaml'),
      'p.yaml',
      'problem.instance.K',
      new RegExp(`expected a positive integer, got ${got.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`),
    );
  }
  throwsInput(
    () => parseProblem('problem:\n  shape: cnn-layer\n  instance: {R: 3, S: 3, P: 7, Q: 7, C: 8, N: 1}\n', 'p.yaml'),
    'p.yaml',
    'problem.instance.K',
    /got nothing/,
  );
  throwsInput(() => parseProblem('problem: {shape: cnn-layer, instance: {R: 1}, extra: 1}\n', 'p.yaml'), 'p.yaml', 'problem.extra', /unknown field/);
  // a custom projection is refused
  const custom = read(`${CASE}/problem.yaml`).replace('- - - K\n', '- - - N\n');
  throwsInput(() => parseProblem(custom, 'c.yaml'), 'c.yaml', 'problem.shape.data-spaces');
});

test('mapping: defaults (factors 1, permutation completed, split all-X, keep everything), factor 0 and the "R1 S1" form', () => {
  const { arch } = buildAccelerator({ arch: { text: read(`${CASE}/arch.yaml`), file: 'arch.yaml' } });
  const problem = parseProblem(read(`${CASE}/problem.yaml`), 'problem.yaml');
  const text = `mapping:
- target: shared_glb
  type: spatial
  factors: S11 Q11
  permutation: Q
- target: shared_glb
  type: temporal
  factors: P=0 K=3
- target: DRAM
  type: temporal
  factors: R=11 C=3 K=32
  permutation: CK
`;
  const m = parseMapping(text, 'm.yaml', arch, problem);
  const glb = m.levels[3]!;
  assert.deepEqual(glb.spatial, { R: 1, S: 11, P: 1, Q: 11, C: 1, K: 1, N: 1 });
  assert.deepEqual(glb.spatialPermutation, ['Q', 'R', 'S', 'P', 'C', 'K', 'N']);
  assert.equal(glb.split, 7);
  assert.equal(glb.temporal.P, 55);
  assert.deepEqual(glb.permutation, ['R', 'S', 'P', 'Q', 'C', 'K', 'N']);
  assert.deepEqual(m.levels[4]!.permutation, ['C', 'K', 'R', 'S', 'P', 'Q', 'N']);
  for (const l of m.levels) assert.deepEqual(l.keep, { Weights: true, Inputs: true, Outputs: true });
  assert.deepEqual(parseMapping(writeMappingYaml(m, arch, problem), 'm2.yaml', arch, problem), m);
  throwsInput(() => parseMapping(text.replace('S11 Q11', 'S=1.5'), 'm.yaml', arch, problem), 'm.yaml', 'mapping[0].factors');
  throwsInput(() => parseMapping(text.replace('S11 Q11', 'S=-1'), 'm.yaml', arch, problem), 'm.yaml', 'mapping[0].factors');
  throwsInput(() => parseMapping(text.replace('S11 Q11', 'X=2'), 'm.yaml', arch, problem), 'm.yaml', 'mapping[0].factors', /dims of the layer/);
  throwsInput(() => parseMapping(text.replace('permutation: CK', 'permutation: CKC'), 'm.yaml', arch, problem), 'm.yaml', 'mapping[2].permutation');
  throwsInput(
    () => parseMapping(text.replace('type: temporal\n  factors: P=0', 'type: temporl\n  factors: P=0'), 'm.yaml', arch, problem),
    'm.yaml',
    'mapping[1].type',
  );
  throwsInput(
    () => parseMapping(text + '- target: DRAM\n  type: temporal\n', 'm.yaml', arch, problem),
    'm.yaml',
    'mapping[3]',
    /one temporal directive per level/,
  );
  throwsInput(
    () => parseMapping(text + '- target: DRAM\n  type: datatype\n  keep: [Psums]\n', 'm.yaml', arch, problem),
    'm.yaml',
    'mapping[3].keep[0]',
    /Weights, Inputs, Outputs/,
  );
  throwsInput(
    () => parseMapping(text.replace('target: DRAM', 'target: GlobalBuffer'), 'm.yaml', arch, problem),
    'm.yaml',
    'mapping[2].target',
    /psum_spad, weights_spad, ifmap_spad, shared_glb, DRAM/,
  );
});

test('mapping: depthwise maps have no K, and the writer leaves K out', () => {
  const d = 'test/fixtures/timeloop/cases/eyeriss_like__mbv2_b2_dw3x3__fact';
  const { arch } = buildAccelerator({ arch: { text: read(`${d}/arch.yaml`), file: 'arch.yaml' } });
  const problem = parseProblem(read(`${d}/problem.yaml`), 'problem.yaml');
  const m = parseMapping(read(`${d}/map.yaml`), 'map.yaml', arch, problem);
  for (const l of m.levels) {
    assert.equal(l.temporal.K, 1);
    assert.equal(l.permutation[6], 'K');
    assert.equal(l.spatialPermutation[6], 'K');
  }
  const out = writeMappingYaml(m, arch, problem);
  assert.ok(!/K=/.test(out) && !/permutation: .*K/.test(out));
  throwsInput(
    () => parseMapping(read(`${d}/map.yaml`).replace('R=3 S=1', 'R=3 K=1 S=1'), 'map.yaml', arch, problem),
    'map.yaml',
    'mapping[6].factors',
    /dims of the layer \(R S P Q C N\)/,
  );
});

test('constraints: v0.3 sections, the v0.4 constraints: form, and errors', () => {
  const c = parseConstraints(read(`${CASE}/constraints.yaml`), 'c.yaml');
  const w = c.targets.find((t) => t.target === 'weights_spad' && t.type === 'temporal')!;
  assert.deepEqual(w.factors, { N: 1, K: 1, P: 1, Q: 1, S: 1, R: 0 });
  assert.deepEqual(w.permutation, ['N', 'K', 'P', 'Q', 'S', 'C', 'R']);
  assert.equal(w.source, 'architecture');
  const glb = c.targets.find((t) => t.target === 'shared_glb' && t.type === 'spatial')!;
  assert.equal(glb.split, 2);
  assert.equal(c.targets.filter((t) => t.source === 'mapspace').length, 2);
  const v04 = parseConstraints(
    'constraints:\n  version: 0.4\n  targets:\n  - {target: buf, type: dataspace, keep: [Weights]}\n  - {target: buf, type: temporal, factors: [R=1, S=1], permutation: [R, S]}\n',
    'c4.yaml',
  );
  assert.deepEqual(v04.targets, [
    { target: 'buf', type: 'bypass', keep: ['Weights'], source: 'mapspace' },
    { target: 'buf', type: 'temporal', factors: { R: 1, S: 1 }, permutation: ['R', 'S'], source: 'mapspace' },
  ]);
  throwsInput(
    () => parseConstraints('mapspace_constraints:\n  targets:\n  - {target: x, type: spatial, factors: "R<=3"}\n', 'c.yaml'),
    'c.yaml',
    'mapspace_constraints.targets[0].factors',
    /max factors/,
  );
  throwsInput(
    () => parseConstraints('mapspace_constraints:\n  targets:\n  - {target: x, type: utilization, min: 0.5}\n', 'c.yaml'),
    'c.yaml',
    'mapspace_constraints.targets[0].min',
  );
  throwsInput(() => parseConstraints('foo: 1\n', 'c.yaml'), 'c.yaml', 'architecture_constraints');
});

test('malformed YAML is one InputError on the yaml field', () => {
  throwsInput(() => parseArchitecture('architecture:\n  subtree: [\n', 'a.yaml'), 'a.yaml', 'yaml', /expected valid YAML, got /);
  throwsInput(() => parseProblem('problem: {shape: cnn-layer\n', 'p.yaml'), 'p.yaml', 'yaml');
  throwsInput(() => parseArchitecture('architecture:\n  version: 0.3\n  version: 0.4\n', 'a.yaml'), 'a.yaml', 'yaml', /unique/);
});

test('architecture errors name the field', () => {
  const base = read(`${CASE}/arch.yaml`);
  throwsInput(
    () => parseArchitecture(base.replace('meshX: 14\n            read_bandwidth: 2', 'meshX: 13\n            read_bandwidth: 2'), 'a.yaml'),
    'a.yaml',
    'architecture.subtree[0].subtree[0].subtree[0].local[0].attributes.meshX',
  );
  throwsInput(
    () => parseArchitecture(base.replace('memory_depth: 16384', 'memory_depth: -1'), 'a.yaml'),
    'a.yaml',
    'architecture.subtree[0].subtree[0].local[0].attributes.memory_depth',
  );
  throwsInput(
    () => parseArchitecture(base.replace('class: smartbuffer_SRAM', 'class: widget'), 'a.yaml'),
    'a.yaml',
    'architecture.subtree[0].subtree[0].local[0].class',
  );
  throwsInput(
    () => parseArchitecture(base.replace('- name: eyeriss\n', '- name: eyeriss\n      color: red\n'), 'a.yaml'),
    'a.yaml',
    'architecture.subtree[0].subtree[0].color',
    /unknown field/,
  );
  throwsInput(() => parseArchitecture('mapping: []\n', 'a.yaml'), 'a.yaml', 'architecture');
});
