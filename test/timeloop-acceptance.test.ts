import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { presetNames } from '../src/hardware/presets.js';
import { templateNames } from '../src/hardware/template.js';
import { checkMapping } from '../src/mapping/check.js';
import { evaluate } from '../src/model/evaluate.js';
import { loadAccelerator, loadConstraints, loadMappingFile, loadProblem } from '../src/timeloop/files.js';
import { CASES_DIR } from './helpers/cases.js';
import { runCli } from './helpers/cli.js';

const LAYERS = 'resnet18_layer3_0_downsample,resnet18_fc';

/**
 * Every `<layer>.map.yaml` in a folder written by optimize or pareto: what timeloop-model would accept (no spatial
 * directive on a level without a fanout), valid with its constraints, and evaluating to the figures given.
 */
async function recheckFolder(dir: string, want: Map<string, { cycles: number; energy_pJ: number }>): Promise<number> {
  const arch = loadAccelerator({ arch: join(dir, 'arch.yaml'), ert: join(dir, 'ERT.yaml'), art: join(dir, 'ART.yaml') }).arch;
  const maps = readdirSync(dir).filter((f) => f.endsWith('.map.yaml'));
  for (const f of maps) {
    const layer = f.slice(0, -'.map.yaml'.length);
    const problem = loadProblem(join(dir, `${layer}.problem.yaml`));
    const { mapping, refusals } = loadMappingFile(join(dir, f), arch, problem);
    assert.deepEqual(refusals, [], `${dir}/${f}`);
    const cpath = join(dir, `${layer}.constraints.yaml`);
    const constraints = existsSync(cpath) ? loadConstraints(cpath) : undefined;
    assert.deepEqual(checkMapping(problem, arch, mapping, constraints), [], `${dir}/${f}`);
    const w = want.get(layer);
    assert.ok(w, `${layer} in the summary`);
    const [r] = await evaluate([{ problem, arch, mapping }]);
    assert.equal(r!.cycles, w.cycles, `${dir}/${f} cycles`);
    assert.ok(Math.abs(r!.energy_pJ - w.energy_pJ) <= 1e-9 * w.energy_pJ, `${dir}/${f} energy ${r!.energy_pJ} vs ${w.energy_pJ}`);
  }
  return maps.length;
}

test('optimize on every preset writes mappings timeloop-model accepts, which read back to the same evaluation', async () => {
  for (const arch of presetNames()) {
    const out = join(mkdtempSync(join(tmpdir(), 'accept-')), 'o');
    const r = await runCli([
      'optimize',
      '--network',
      'resnet18',
      '--arch',
      arch,
      '--layers',
      LAYERS,
      '--time-limit',
      '1',
      '--seed',
      '1',
      '--out',
      out,
      '--json',
    ]);
    assert.equal(r.code, 0, r.err);
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as { layers: { name: string; cycles: number; energy_pJ: number }[] };
    const n = await recheckFolder(out, new Map(summary.layers.map((l) => [l.name, l])));
    assert.equal(n, 2, arch);
  }
});

test('pareto on every template writes mappings timeloop-model accepts, which read back to the same evaluation', async () => {
  for (const template of templateNames()) {
    const out = join(mkdtempSync(join(tmpdir(), 'accept-')), 'p');
    const r = await runCli([
      'pareto',
      '--network',
      'resnet18',
      '--template',
      template,
      '--layers',
      LAYERS,
      '--power-budgets',
      '400',
      '--time-per-point',
      '1',
      '--out',
      out,
      '--json',
    ]);
    assert.equal(r.code, 0, r.err);
    const front = JSON.parse(readFileSync(join(out, 'front.json'), 'utf8')) as {
      points: { mappings_dir: string; layers: { name: string; cycles: number; energy_pJ: number }[] }[];
    };
    assert.ok(front.points.length > 0, template);
    for (const p of front.points) assert.equal(await recheckFolder(join(out, p.mappings_dir), new Map(p.layers.map((l) => [l.name, l]))), 2);
  }
});

test('check refuses a spatial directive on a level without a fanout, as timeloop-model does: exit 1, one line naming the level', async () => {
  const c = join(CASES_DIR, 'simple_ws__alexnet_conv2__mapper');
  const dir = mkdtempSync(join(tmpdir(), 'accept-'));
  const map = join(dir, 'map.yaml');
  // an all-1 spatial directive on DRAM: harmless to read, yet Timeloop exits on it
  const text = readFileSync(join(c, 'map.yaml'), 'utf8').replace(
    /^mapping:\n/m,
    'mapping:\n- target: DRAM\n  type: spatial\n  factors: R=1 S=1 P=1 Q=1 C=1 K=1 N=1\n  permutation: RSPQCKN\n  split: 0\n',
  );
  assert.notEqual(text, readFileSync(join(c, 'map.yaml'), 'utf8'));
  writeFileSync(map, text);
  const args = [
    '--arch',
    join(c, 'arch.yaml'),
    '--ert',
    join(c, 'ERT.yaml'),
    '--art',
    join(c, 'ART.yaml'),
    '--problem',
    join(c, 'problem.yaml'),
    '--mapping',
    map,
  ];
  const r = await runCli(['check', ...args]);
  assert.equal(r.code, 1);
  const lines = r.err.trim().split('\n');
  assert.equal(lines.length, 1, r.err);
  assert.match(lines[0]!, /DRAM: .*spatial directive on DRAM, which has no fanout .*\[timeloop-spatial-no-fanout\]/);
  const e = await runCli(['evaluate', ...args]);
  assert.equal(e.code, 1);
  assert.match(e.err, /timeloop-spatial-no-fanout/);
  // the unmodified file stays valid
  assert.equal((await runCli(['check', ...args.slice(0, -1), join(c, 'map.yaml')])).code, 0);
});

test("an ERT's leak actions are not charged: the same energy as without them (Timeloop v3.0.3 has no leakage)", async () => {
  const c = join(CASES_DIR, 'simple_ws__alexnet_conv2__mapper');
  const dir = mkdtempSync(join(tmpdir(), 'accept-'));
  const ert = readFileSync(join(c, 'ERT.yaml'), 'utf8');
  const leaky = ert.replace(/(\n(\s*)- name: read\n)/g, '\n$2- name: leak\n$2  arguments: null\n$2  energy: 10.0$1');
  assert.ok((leaky.match(/leak/g) ?? []).length >= 3);
  writeFileSync(join(dir, 'ERT.yaml'), leaky);
  const problem = loadProblem(join(c, 'problem.yaml'));
  const results = [];
  for (const e of [join(c, 'ERT.yaml'), join(dir, 'ERT.yaml')]) {
    const { arch } = loadAccelerator({ arch: join(c, 'arch.yaml'), ert: e, art: join(c, 'ART.yaml') });
    const { mapping } = loadMappingFile(join(c, 'map.yaml'), arch, problem);
    results.push((await evaluate([{ problem, arch, mapping }]))[0]!);
  }
  assert.ok(results[1]!.energy_pJ > 0);
  assert.equal(results[1]!.energy_pJ, results[0]!.energy_pJ);
  const expected = JSON.parse(readFileSync(join(c, 'expected.json'), 'utf8')) as { results: { energy_pJ: number } };
  assert.ok(Math.abs(results[1]!.energy_pJ - expected.results.energy_pJ) <= 1e-6 * expected.results.energy_pJ);
});
