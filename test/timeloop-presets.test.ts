import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { InputError } from '../src/errors.js';
import { acceleratorArea } from '../src/hardware/accelerator.js';
import { exportPreset, getPreset, isPreset, listPresets } from '../src/hardware/presets.js';
import { buildAccelerator } from '../src/timeloop/arch.js';
import { parseConstraints } from '../src/timeloop/constraints.js';
import { runCli } from './helpers/cli.js';

const ARCHS = 'test/fixtures/timeloop/archs';
const DIRS: Record<string, string> = {
  'eyeriss-like': 'eyeriss_like',
  'simba-like': 'simba_like',
  'simple-ws': 'simple_ws',
  'simple-os': 'simple_os',
};
const read = (p: string): string => readFileSync(p, 'utf8');

const run = runCli;

test('listPresets: the four reference architectures', () => {
  assert.deepEqual(
    listPresets().map((p) => p.name),
    ['eyeriss-like', 'simba-like', 'simple-ws', 'simple-os'],
  );
  assert.ok(listPresets().every((p) => p.description.length > 20));
  assert.ok(isPreset('eyeriss_like') && isPreset('Simba-Like') && !isPreset('tpu'));
});

test('getPreset: exactly the files of test/fixtures/timeloop/archs, with hardware keep from arch.json', () => {
  for (const [name, dir] of Object.entries(DIRS)) {
    const p = getPreset(name);
    assert.deepEqual(getPreset(dir), p, 'underscore name');
    const d = join(ARCHS, dir);
    assert.equal(p.files.arch, read(join(d, 'arch.yaml')));
    assert.equal(p.files.ert, read(join(d, 'ERT.yaml')));
    assert.equal(p.files.art, read(join(d, 'ART.yaml')));
    assert.equal(p.files.constraints, read(join(d, 'constraints.yaml')));
    assert.equal(p.files.constraintsDepthwise, read(join(d, 'constraints.depthwise.yaml')));
    const info = JSON.parse(read(join(d, 'arch.json')));
    assert.equal(p.description, info.description);
    const { arch, warnings } = buildAccelerator({
      arch: { text: read(join(d, 'arch.yaml')), file: 'a' },
      ert: { text: read(join(d, 'ERT.yaml')), file: 'e' },
      art: { text: read(join(d, 'ART.yaml')), file: 'r' },
    });
    assert.deepEqual(warnings, []);
    assert.equal(p.arch.name, name);
    assert.deepEqual(
      p.arch.levels.map((l) => ({ ...l, hardwareKeep: null })),
      arch.levels,
    );
    assert.deepEqual(p.arch.mac, arch.mac);
    const storage = info.levels.filter((l: { kind: string }) => l.kind === 'storage');
    assert.deepEqual(
      p.arch.levels.map((l) => l.hardwareKeep),
      storage.map((l: { hardware_keep: string[] | null }) => l.hardware_keep),
    );
    assert.ok(Math.abs(acceleratorArea(p.arch) - info.total_area_um2) < 1e-6);
    assert.deepEqual(p.constraints, parseConstraints(read(join(d, 'constraints.yaml')), 'c'));
    assert.ok(p.depthwiseConstraints.targets.every((t) => !t.permutation?.includes('K') && t.factors?.K === undefined));
  }
});

test('getPreset returns a fresh copy; unknown names are an InputError', () => {
  const a = getPreset('eyeriss-like');
  a.arch.levels[0]!.capacityWords = 1;
  assert.equal(getPreset('eyeriss-like').arch.levels[0]!.capacityWords, 16);
  assert.throws(
    () => getPreset('tpu-like'),
    (e: unknown) => e instanceof InputError && /expected one of the presets eyeriss-like, simba-like, simple-ws, simple-os/.test(e.message),
  );
});

test('exportPreset writes the five Timeloop files unchanged', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'codesign-preset-'));
  const written = await exportPreset('simba_like', dir);
  assert.deepEqual(
    written.map((p) => p.slice(dir.length + 1)),
    ['arch.yaml', 'ERT.yaml', 'ART.yaml', 'constraints.yaml', 'constraints.depthwise.yaml'],
  );
  for (const f of ['arch.yaml', 'ERT.yaml', 'ART.yaml', 'constraints.yaml', 'constraints.depthwise.yaml']) {
    assert.equal(read(join(dir, f)), read(join(ARCHS, 'simba_like', f)), f);
  }
});

test('codesign archs: table, --json, --export, --help', async () => {
  const t = await run(['archs']);
  assert.equal(t.code, 0, t.err);
  for (const name of Object.keys(DIRS)) assert.match(t.out, new RegExp(`^${name}: `, 'm'));
  assert.match(t.out, /168 MACs \(14 x 12 intmac, 16-bit\), area 2\.115 mm\^2/);
  assert.match(t.out, /  PEWeightBuffer +64 +16x4 +4096 +8 +8 +Weights +-\/-/);
  assert.match(t.out, /  DRAM +1 +1x1 +unbounded +16 +4 +any +4\/4/);
  const j = await run(['archs', '--json']);
  assert.equal(j.code, 0);
  const list = JSON.parse(j.out);
  assert.equal(list.length, 4);
  const simba = list.find((x: { name: string }) => x.name === 'simba-like');
  assert.equal(simba.macs, 256);
  assert.ok(Math.abs(simba.areaMm2 - 3.85538688) < 1e-9);
  assert.deepEqual(simba.levels[0], {
    name: 'PEWeightRegs',
    instances: 256,
    meshX: 16,
    meshY: 16,
    capacityWords: 1,
    wordBits: 8,
    blockSize: 1,
    keeps: ['Weights'],
    readBandwidth: null,
    writeBandwidth: null,
  });
  const dir = join(mkdtempSync(join(tmpdir(), 'codesign-archs-')), 'out');
  const e = await run(['archs', '--export', 'simple_os', dir]);
  assert.equal(e.code, 0, e.err);
  assert.equal(e.out.trim().split('\n').length, 5);
  assert.equal(read(join(dir, 'arch.yaml')), read(join(ARCHS, 'simple_os', 'arch.yaml')));
  const h = await run(['archs', '--help']);
  assert.match(h.out, /Examples:\n {2}\$ codesign archs\n/);
});
