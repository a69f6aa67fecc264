import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { InputError } from '../src/errors.js';
import { fanoutBelow, type Accelerator } from '../src/hardware/accelerator.js';
import { scaleDatawidth } from '../src/hardware/datawidth.js';
import { getPreset } from '../src/hardware/presets.js';
import {
  archTensorsFor,
  capacityOf,
  defaultVary,
  fanoutOf,
  getTemplate,
  instantiate,
  legalizeValues,
  originalValues,
  templateAtWidth,
  templateFromTimeloop,
  toLogVector,
  writeHardwareYaml,
  type HardwareTemplate,
} from '../src/hardware/template.js';
import { parseVary } from '../src/hardware/vary.js';
import { initBackend, tf } from '../src/model/backend.js';
import { buildAccelerator } from '../src/timeloop/arch.js';
import { runCli } from './helpers/cli.js';

const read = (f: string) => ({ text: readFileSync(f, 'utf8'), file: f });
const GEMMINI = 'test/fixtures/archs/gemmini-like.v04.yaml';
const SMALL = 'test/fixtures/archs/small-os.v03.yaml';
const ROW_STATIONARY = 'test/fixtures/archs/row-stationary.v04.yaml';
const GEMMINI_VARY = 'Column.meshX=4..32,Row.meshY=4..32,Scratchpad.depth=1024..16384,Accumulator.depth=16..256';

function reparse(arch: Accelerator): Accelerator {
  const y = writeHardwareYaml(arch);
  const { arch: back, warnings } = buildAccelerator({
    arch: { text: y.arch, file: 'arch.yaml' },
    ert: { text: y.ert, file: 'ERT.yaml' },
    art: { text: y.art, file: 'ART.yaml' },
    name: arch.name,
  });
  assert.deepEqual(warnings, []);
  back.levels.forEach((l, s) => (l.hardwareKeep = arch.levels[s]!.hardwareKeep));
  return back;
}

function varyFails(fn: () => unknown, spec: string, re: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof InputError, `expected an InputError, got ${String(e)}`);
    assert.equal(e.file, '--vary');
    assert.equal(e.field, spec);
    assert.ok(!e.message.includes('\n'));
    assert.match(e.message, re);
    return true;
  });
}

test('parseVary: the four range forms, single values, the datawidth list among other specs', () => {
  assert.deepEqual(parseVary('PE.meshX=2..16, shared_glb.depth=1024..65536,datawidth=16,4,8,x.bandwidth=4..32,y.meshY=3'), [
    { kind: 'meshX', target: 'PE', min: 2, max: 16, text: 'PE.meshX=2..16' },
    { kind: 'depth', target: 'shared_glb', min: 1024, max: 65536, text: 'shared_glb.depth=1024..65536' },
    { kind: 'datawidth', values: [4, 8, 16], text: 'datawidth=16,4,8' },
    { kind: 'bandwidth', target: 'x', min: 4, max: 32, text: 'x.bandwidth=4..32' },
    { kind: 'meshY', target: 'y', min: 3, max: 3, text: 'y.meshY=3' },
  ]);
  varyFails(() => parseVary('PE.meshX=16..2'), 'PE.meshX=16..2', /MIN <= MAX, got 16 > 2/);
  varyFails(() => parseVary('PE.width=1..2'), 'PE.width=1..2', /LEVEL\.depth=MIN\.\.MAX/);
  varyFails(() => parseVary('PE.meshX=0..4'), 'PE.meshX=0..4', /positive numbers/);
  varyFails(() => parseVary('PE.meshX=1.5..4'), 'PE.meshX=1.5..4', /integer bounds/);
  varyFails(() => parseVary('datawidth=8,0'), 'datawidth=8,0', /datawidths in bits/);
  varyFails(() => parseVary('PE.meshX=1..4,16'), '16', /no "="/);
  varyFails(() => parseVary(''), '""', /one or more specs/);
});

test('binding specs: unknown level, depth on a level without one, a mesh that does not divide, twice, no allowed value', () => {
  const small = () => read(SMALL);
  varyFails(
    () => templateFromTimeloop({ arch: small() }, 'Bogus.depth=1..4'),
    'Bogus.depth=1..4',
    /a storage level \(one of OutRF, InBuf, GLB, DRAM\)/,
  );
  varyFails(() => templateFromTimeloop({ arch: small() }, 'Bogus.meshX=1..4'), 'Bogus.meshX=1..4', /a level or container carrying instances/);
  varyFails(() => templateFromTimeloop({ arch: small() }, 'DRAM.depth=1..4'), 'DRAM.depth=1..4', /a level with a depth/);
  varyFails(
    () => templateFromTimeloop({ arch: small() }, 'InBuf.bandwidth=1..4'),
    'InBuf.bandwidth=1..4',
    /a level with a read, write or shared bandwidth/,
  );
  varyFails(() => templateFromTimeloop({ arch: small() }, 'GLB.depth=3000..4000'), 'GLB.depth=3000..4000', /at least one allowed value/);
  varyFails(() => templateFromTimeloop({ arch: small() }, 'PE.meshX=1..4,InBuf.meshX=2..8'), 'InBuf.meshX=2..8', /each quantity varied once/);
  // 2 PEs in a column (1 x 2), 2 MACs each laid out as one row of 4: the MACs are no whole mesh under the buffers
  const odd = `architecture:
  version: 0.3
  subtree:
  - name: top
    local:
    - {name: DRAM, class: DRAM, attributes: {word-bits: 8}}
    - {name: glb, class: SRAM, attributes: {memory_depth: 64, word-bits: 8, meshX: 1}}
    subtree:
    - name: PE[0..1]
      local:
      - {name: buf, class: regfile, attributes: {memory_depth: 4, word-bits: 8, meshX: 1}}
      - name: mac[0..1]
        class: intmac
        attributes: {datawidth: 8, meshX: 4}
`;
  // the architecture reader already refuses such a mesh (the MACs' columns per buffer must divide the MACs per buffer)
  assert.throws(
    () => templateFromTimeloop({ arch: { text: odd, file: 'odd.yaml' } }, 'mac.meshX=1..8'),
    (e: unknown) =>
      e instanceof InputError &&
      e.file === 'odd.yaml' &&
      /meshX of mac \(4\) to be the meshX of buf \(1\) times a divisor of the 2 mac per buf/.test(e.message),
  );
});

test('the presets are plain instances: the same template from their files and their --vary string', () => {
  const p = getPreset('simba-like');
  const files = { arch: { text: p.files.arch, file: 'a' }, ert: { text: p.files.ert, file: 'e' }, art: { text: p.files.art, file: 'r' } };
  const preset = getTemplate('simba-like');
  const t = templateFromTimeloop(files, preset.vary, { name: 'simba-like' });
  assert.deepEqual(
    t.variables.map((v) => [v.name, v.min, v.max, v.original]),
    preset.variables.map((v) => [v.name, v.min, v.max, v.original]),
  );
  const v = { 'PE.meshX': 4, 'PE.meshY': 3, 'PEWeightBuffer.depth': 300 };
  const a = instantiate(t, v);
  const b = instantiate(preset, v);
  assert.deepEqual(
    a.levels.map((l) => [l.instances, l.meshX, l.capacityWords, l.energy, l.areaUm2]),
    b.levels.map((l) => [l.instances, l.meshX, l.capacityWords, l.energy, l.areaUm2]),
  );
  // --vary on a preset template replaces its variables
  const g = getTemplate('eyeriss-like', { vary: 'PE.meshY=2..24,shared_glb.bandwidth=4..64' });
  assert.deepEqual(
    g.variables.map((x) => [x.name, x.original]),
    [
      ['PE.meshY', 12],
      ['shared_glb.bandwidth', 16],
    ],
  );
});

function checkFileTemplate(t: HardwareTemplate, points: Record<string, number>[]): void {
  // the file's values come back at the file's sizes
  assert.deepEqual(instantiate(t, {}), t.base);
  for (const v of points) {
    const a = instantiate(t, v);
    assert.deepEqual(reparse(a), a, JSON.stringify(v));
    assert.deepEqual(
      fanoutOf(t, v),
      a.levels.map((_, s) => fanoutBelow(a, s)),
    );
    assert.deepEqual(
      capacityOf(t, v).map((c) => (c === null ? null : Math.floor(c))),
      a.levels.map((l) => l.capacityWords),
    );
  }
}

test('a Gemmini-like v0.4 file: Scratchpad -> Accumulator[cols] -> Registers[rows x cols], levels below a mesh scale with it', () => {
  const t = templateFromTimeloop({ arch: read(GEMMINI) }, GEMMINI_VARY);
  assert.deepEqual(
    t.meshes.map((m) => [m.variable, t.base.levels[m.level]!.name, m.axis, m.file]),
    [
      ['Column.meshX', 'Scratchpad', 'x', 16],
      ['Row.meshY', 'Accumulator', 'y', 16],
    ],
  );
  const a = instantiate(t, { 'Column.meshX': 8, 'Row.meshY': 4, 'Scratchpad.depth': 2048, 'Accumulator.depth': 100 });
  assert.deepEqual(
    a.levels.map((l) => [l.name, l.instances, l.meshX, l.meshY, l.capacityWords]),
    [
      ['Registers', 32, 8, 4, 1],
      ['Accumulator', 8, 8, 1, 100],
      ['Scratchpad', 1, 1, 1, 2048 * 16],
      ['DRAM', 1, 1, 1, null],
    ],
  );
  assert.equal(a.mac.instances, 32);
  assert.equal(a.levels[0]!.hierarchicalName, 'system.gemmini.Column[0..7].Row[0..3].Registers');
  // costs from the fitted model (no ERT/ART given), moving with the sizes
  assert.match(t.warnings.join(' '), /no ERT given: energies from the fitted cost model/);
  assert.ok(a.levels[2]!.energy.read < t.base.levels[2]!.energy.read && a.levels[2]!.areaUm2 < t.base.levels[2]!.areaUm2);
  assert.ok(a.levels[1]!.energy.read > t.base.levels[1]!.energy.read);
  checkFileTemplate(t, [
    { 'Column.meshX': 4, 'Row.meshY': 32 },
    { 'Column.meshX': 32, 'Row.meshY': 5, 'Scratchpad.depth': 16384, 'Accumulator.depth': 16 },
  ]);
});

test("a v0.4 file as Timeloop's examples write it: !Parallel scratchpads, an intmac by multiplier_width; vary and datawidth", () => {
  const t = templateFromTimeloop({ arch: read(ROW_STATIONARY) }, 'PE_row.meshX=2..16,PE.meshY=2..8,GLB.depth=1024..16384,datawidth=4,8');
  // the !Parallel siblings are consecutive levels in their order, innermost last, under the 8 x 4 array
  assert.deepEqual(
    t.base.levels.map((l) => [l.name, l.instances, l.wordBits]),
    [
      ['out_spad', 32, 24],
      ['w_spad', 32, 8],
      ['in_spad', 32, 8],
      ['GLB', 1, 8],
      ['DRAM', 1, 8],
    ],
  );
  // no level between the two containers: the v0.3 tree writes all 32 instances on the outer one
  assert.equal(t.base.levels[0]!.hierarchicalName, 'system.chip.PE_row[0..31].PE.out_spad');
  assert.deepEqual([t.base.levels[0]!.meshX, t.base.levels[0]!.meshY], [8, 4]);
  assert.deepEqual([t.base.mac.datawidth, t.base.mac.instances], [8, 32]);
  checkFileTemplate(t, [
    { 'PE_row.meshX': 16, 'PE.meshY': 2 },
    { 'PE_row.meshX': 3, 'PE.meshY': 8, 'GLB.depth': 16384 },
  ]);
  // at 4 bits the multiplier takes the operands' width and the adder keeps its 3x ratio, in the file written back
  const a = instantiate(templateAtWidth(t, 4), { 'PE_row.meshX': 4 });
  assert.deepEqual([a.mac.datawidth, a.mac.attributes.multiplier_width, a.mac.attributes.adder_width], [4, 4, 12]);
  assert.equal(a.levels[0]!.wordBits, 12);
  assert.deepEqual(reparse(a), a);
  // constraints written inside the nodes are not read, and the user is told so
  const withConstraints = read(ROW_STATIONARY).text.replace(/(name: in_spad\n.*\n)/, '$1      constraints: {dataspace: {keep: [Inputs]}}\n');
  const c = templateFromTimeloop({ arch: { text: withConstraints, file: 'rs.yaml' } });
  assert.deepEqual(
    c.warnings.filter((w) => w.startsWith('rs.yaml')),
    ['rs.yaml: constraints inside nodes are not read (in_spad); the map space is the whole one the hardware allows unless --constraints is given'],
  );
  assert.ok(!t.warnings.some((w) => w.includes('constraints')));
});

test('evaluate on an --arch file without ERT/ART: costs from the fitted cost model with a warning, as the template has them', async () => {
  const r = await runCli([
    'evaluate',
    '--network',
    'test/fixtures/onnx/melspectrogram.onnx',
    '--input-shape',
    'input=1,1280',
    '--arch',
    SMALL,
    '--json',
  ]);
  assert.equal(r.code, 0, r.err);
  assert.deepEqual(r.err.trim().split('\n'), [
    'codesign: warning: no ERT given: energies from the fitted cost model (Accelergy v0.3, 45 nm)',
    'codesign: warning: no ART given: areas from the fitted cost model (Accelergy v0.3, 45 nm)',
  ]);
  const j = JSON.parse(r.out) as { layers: { area_um2: number; energy_pJ: number; cycles: number }[] };
  const base = templateFromTimeloop({ arch: read(SMALL) }).base;
  const area = base.levels.reduce((a, l) => a + l.instances * l.areaUm2, 0) + base.mac.instances * base.mac.areaUm2;
  assert.ok(j.layers.every((l) => l.energy_pJ > 0 && Math.abs(l.area_um2 - area) <= 1e-9 * area));
});

test('a v0.3 file with its own ERT: calibrated to the file, default --vary, legalization', () => {
  const base = templateFromTimeloop({ arch: read(SMALL) });
  assert.equal(base.vary, defaultVary(base.base));
  assert.equal(base.vary, 'PE.meshX=1..64,PE.meshY=1..64,GLB.depth=512..131072,InBuf.depth=2..512,OutRF.depth=1..128');
  // an ERT/ART with made-up values: they come back at the file's sizes, and scale by the fitted curves elsewhere
  const y = writeHardwareYaml(base.base);
  const ert = y.ert.replace(/energy: ([\d.e+-]+)/g, (_, e: string) => `energy: ${(Number(e) * 1.5).toFixed(4)}`);
  const t = templateFromTimeloop({ arch: read(SMALL), ert: { text: ert, file: 'ERT.yaml' }, art: { text: y.art, file: 'ART.yaml' } });
  assert.deepEqual(t.warnings, []);
  const glb = t.base.levels[2]!;
  assert.equal(glb.energy.read, Number((base.base.levels[2]!.energy.read * 1.5).toFixed(4)));
  const a = instantiate(t, { 'GLB.depth': 4096 });
  const b = instantiate(base, { 'GLB.depth': 4096 });
  const ratio = (x: Accelerator, z: Accelerator) => x.levels[2]!.energy.read / z.levels[2]!.energy.read;
  assert.ok(Math.abs(ratio(a, t.base) - ratio(b, base.base)) < 1e-12);
  const l = legalizeValues(t, { 'PE.meshX': 30.4, 'GLB.depth': 5000 });
  assert.equal(l['PE.meshX'], 30);
  assert.equal(l['GLB.depth'], 4096);
  checkFileTemplate(t, [
    { 'PE.meshX': 3, 'PE.meshY': 5, 'GLB.depth': 512, 'InBuf.depth': 7, 'OutRF.depth': 128 },
    { 'PE.meshX': 64, 'PE.meshY': 1 },
  ]);
});

test('archTensorsFor on a file template equals the instantiated numbers', async () => {
  await initBackend('cpu');
  const t = templateFromTimeloop({ arch: read(GEMMINI) }, `${GEMMINI_VARY},Scratchpad.bandwidth=4..64`);
  const pts = [
    originalValues(t),
    { 'Column.meshX': 8, 'Row.meshY': 20, 'Scratchpad.depth': 2048, 'Accumulator.depth': 33, 'Scratchpad.bandwidth': 32 },
  ];
  const at = archTensorsFor(t, tf.tensor2d(pts.map((v) => toLogVector(t, v))));
  const eRead = at.eRead.arraySync() as number[][];
  const area = at.area.arraySync() as number[][];
  const inst = at.instances.arraySync() as number[][];
  const macInst = at.macInstances.arraySync() as number[];
  pts.forEach((v, b) => {
    const a = instantiate(t, v);
    a.levels.forEach((l, s) => {
      assert.ok(Math.abs(eRead[b]![s]! - l.energy.read) <= 1e-5 * l.energy.read + 1e-9, `${l.name} eRead`);
      assert.ok(Math.abs(area[b]![s]! - l.areaUm2) <= 1e-5 * l.areaUm2 + 1e-9, `${l.name} area`);
      assert.ok(Math.abs(inst[b]![s]! - l.instances) < 1e-3, `${l.name} instances`);
    });
    assert.ok(Math.abs(macInst[b]! - a.mac.instances) < 1e-3);
  });
  tf.dispose(Object.values(at));
});

test('datawidth: word bits scale with the operands (accumulators keep their ratio), capacity in words, MAC ~quadratic', () => {
  const t = templateFromTimeloop({ arch: read(GEMMINI) }, `${GEMMINI_VARY},datawidth=4,8,16`);
  assert.deepEqual(t.datawidths, [4, 8, 16]);
  const w4 = templateAtWidth(t, 4);
  const w16 = templateAtWidth(t, 16);
  assert.equal(templateAtWidth(t, 8).base, t.base);
  assert.equal(w16.name, 'gemmini@16b');
  assert.deepEqual(
    w16.base.levels.map((l) => [l.name, l.wordBits, l.widthBits, l.blockSize, l.capacityWords]),
    [
      ['Registers', 16, 16, 1, 1],
      ['Accumulator', 64, 64, 1, 64],
      ['Scratchpad', 16, 256, 16, 4096 * 16],
      ['DRAM', 16, 128, 8, null],
    ],
  );
  assert.deepEqual(
    w4.base.levels.map((l) => l.wordBits),
    [4, 16, 4, 4],
  );
  assert.equal(w16.base.mac.datawidth, 16);
  const macRatio = w16.base.mac.energyPerMAC / t.base.mac.energyPerMAC;
  assert.ok(macRatio > 3.5 && macRatio < 4.1, `MAC energy x${macRatio} for 2x width`);
  // storage: about per bit; DRAM and registers exactly
  assert.ok(Math.abs(w16.base.levels[3]!.energy.read / t.base.levels[3]!.energy.read - 2) < 1e-12);
  assert.ok(Math.abs(w16.base.levels[0]!.areaUm2 / t.base.levels[0]!.areaUm2 - 2) < 1e-12);
  const sp = w16.base.levels[2]!.energy.read / t.base.levels[2]!.energy.read;
  assert.ok(sp > 1.5 && sp < 2.1, `scratchpad read x${sp}`);
  // the width templates have the same variables and start, their points write and read back
  assert.deepEqual(originalValues(w4), originalValues(t));
  const a = instantiate(w4, { 'Column.meshX': 8, 'Scratchpad.depth': 8192 });
  assert.deepEqual(reparse(a), a);
  assert.equal(a.mac.datawidth, 4);
  // at the file's width the scaled architecture is the file's
  assert.deepEqual(scaleDatawidth(t.base, 8), t.base);
});
