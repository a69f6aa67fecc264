import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { main } from '../src/cli/main.js';
import { getPreset } from '../src/hardware/presets.js';
import { checkMapping } from '../src/mapping/check.js';
import { evaluate } from '../src/model/evaluate.js';
import { evaluateNetworkDefault } from '../src/model/network.js';
import { optimizeMappings } from '../src/mapper/optimize.js';
import { getNetwork } from '../src/workload/networks.js';
import { loadRefCase } from './helpers/cases.js';

const preset = getPreset('eyeriss-like');
const constraintsFor = () => preset.constraints;
const layers = getNetwork('resnet18').layers.filter((l) => ['resnet18_layer4_conv3x3', 'resnet18_layer3_0_downsample'].includes(l.name));

test('optimize returns valid mappings that beat the default mapping, deterministically', async () => {
  const run = () => optimizeMappings(layers, preset.arch, constraintsFor, { objective: 'edp', seed: 7, timeLimit: 60 });
  const a = await run();
  const b = await run();
  const base = await evaluateNetworkDefault(layers, preset.arch, constraintsFor);
  a.layers.forEach((l, i) => {
    assert.deepEqual(checkMapping(l.problem, preset.arch, l.mapping, preset.constraints), [], `${l.layer.name} valid`);
    assert.deepEqual(l.mapping, b.layers[i]!.mapping, `${l.layer.name}: same seed, same mapping`);
    const edp = l.result.energy_pJ * l.result.cycles;
    const baseEdp = base.layers[i]!.result.energy_pJ * base.layers[i]!.result.cycles;
    assert.ok(edp < baseEdp, `${l.layer.name}: optimized EDP ${edp} below the default's ${baseEdp}`);
  });
  assert.equal(a.total.cycles, b.total.cycles);
});

test('optimize matches or beats timeloop-mapper on its own reference cases (same constraints, exact model)', async () => {
  const out = await optimizeMappings(layers, preset.arch, constraintsFor, { objective: 'edp', seed: 1, timeLimit: 60 });
  const refs = layers.map((l) => loadRefCase(`eyeriss_like__${l.name}__mapper`));
  const mapper = await evaluate(refs.map((r) => r.cand));
  out.layers.forEach((l, i) => {
    const ours = l.result.energy_pJ * l.result.cycles;
    const theirs = mapper[i]!.energy_pJ * mapper[i]!.cycles;
    assert.ok(ours <= theirs * (1 + 1e-6), `${l.layer.name}: ours ${ours} vs timeloop-mapper ${theirs}`);
  });
});

test('codesign optimize --problem writes Timeloop files and summary.json', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'opt-'));
  const c = join('test', 'fixtures', 'timeloop', 'cases', 'simple_ws__resnet18_layer3_0_downsample__mapper');
  const out = join(dir, 'out');
  const code = await main(['optimize', '--arch', 'simple-ws', '--problem', join(c, 'problem.yaml'), '--time-limit', '20', '--out', out, '--json']);
  assert.equal(code, 0);
  const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
  assert.equal(summary.layers.length, 1);
  const l = summary.layers[0];
  for (const k of ['cycles', 'energy_pJ', 'edp', 'repeat']) assert.equal(typeof l[k], 'number', k);
  assert.equal(l.edp, l.energy_pJ * 1e-12 * l.cycles);
  assert.deepEqual(Object.keys(summary.total).sort(), ['cycles', 'edp', 'energy_pJ']);
  assert.ok(existsSync(join(out, l.mapping)));
  assert.equal(
    await main(['check', '--arch', join(out, 'arch.yaml'), '--problem', join(out, 'problem.problem.yaml'), '--mapping', join(out, l.mapping)]),
    0,
  );
});

test('codesign optimize rejects bad flags with one line and exit 2', async () => {
  assert.equal(await main(['optimize', '--network', 'resnet18', '--arch', 'eyeriss-like', '--objective', 'speed']), 2);
  assert.equal(await main(['optimize', '--network', 'resnet18', '--arch', 'eyeriss-like', '--time-limit', '-3']), 2);
  assert.equal(await main(['optimize', '--arch', 'eyeriss-like']), 2);
});
