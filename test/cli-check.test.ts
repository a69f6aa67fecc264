import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { getPreset } from '../src/hardware/presets.js';
import { checkMapping } from '../src/mapping/check.js';
import { loadAccelerator, loadConstraints, loadMapping, loadProblem } from '../src/timeloop/files.js';
import { runCli } from './helpers/cli.js';

const ROOT = 'test/fixtures/timeloop/cases';
const CASES = readdirSync(ROOT).sort();

const run = runCli;

const files = (id: string) => {
  const d = join(ROOT, id);
  return [
    '--arch',
    join(d, 'arch.yaml'),
    '--ert',
    join(d, 'ERT.yaml'),
    '--art',
    join(d, 'ART.yaml'),
    '--problem',
    join(d, 'problem.yaml'),
    '--mapping',
    join(d, 'map.yaml'),
  ];
};

test('library: every one of the 332 cases is valid; mapper cases also meet their constraints.yaml', () => {
  let mapper = 0;
  for (const id of CASES) {
    const d = join(ROOT, id);
    const { arch } = loadAccelerator({ arch: join(d, 'arch.yaml'), ert: join(d, 'ERT.yaml'), art: join(d, 'ART.yaml') });
    const problem = loadProblem(join(d, 'problem.yaml'));
    const mapping = loadMapping(join(d, 'map.yaml'), arch, problem);
    assert.deepEqual(checkMapping(problem, arch, mapping), [], id);
    // with the preset (which knows the dedicated buffers' hardware keep) too
    const preset = getPreset(id.split('__')[0]!);
    assert.deepEqual(checkMapping(problem, preset.arch, mapping), [], `${id} on the preset`);
    if (id.endsWith('__mapper')) {
      mapper++;
      assert.ok(existsSync(join(d, 'constraints.yaml')), id);
      assert.deepEqual(checkMapping(problem, arch, mapping, loadConstraints(join(d, 'constraints.yaml'))), [], `${id} with constraints`);
      const pc = problem.depthwise ? preset.depthwiseConstraints : preset.constraints;
      assert.deepEqual(checkMapping(problem, preset.arch, mapping, pc), [], `${id} with the preset constraints`);
    }
  }
  assert.equal(CASES.length, 332);
  assert.ok(mapper >= 68, `${mapper} mapper cases`);
});

test('library: perturbed mappings (perm/fact/rand) often break the dataflow constraints, which check reports', () => {
  let broken = 0;
  for (const id of CASES.filter((c) => !c.endsWith('__mapper'))) {
    const d = join(ROOT, id);
    const { arch } = loadAccelerator({ arch: join(d, 'arch.yaml') });
    const problem = loadProblem(join(d, 'problem.yaml'));
    const mapping = loadMapping(join(d, 'map.yaml'), arch, problem);
    const preset = getPreset(id.split('__')[0]!);
    const v = checkMapping(problem, arch, mapping, problem.depthwise ? preset.depthwiseConstraints : preset.constraints);
    if (v.length > 0) {
      broken++;
      assert.ok(
        v.every((x) => x.rule.startsWith('constraint-')),
        `${id}: ${v[0]!.message}`,
      );
    }
  }
  assert.ok(broken > 50, `${broken}`);
});

test('CLI: codesign check exits 0 on a handful of cases (one per arch, depthwise, strided), with constraints for mapper cases', async () => {
  const pick = [
    'eyeriss_like__alexnet_conv1__mapper',
    'eyeriss_like__mbv2_b2_dw3x3__fact',
    'simba_like__alexnet_conv1__mapper',
    'simba_like__mbv2_b3_dw3x3_s2__mapper',
    'simple_os__alexnet_conv1__mapper',
    'simple_ws__alexnet_conv2__mapper',
    CASES.find((c) => c.startsWith('simple_ws') && c.endsWith('rand2'))!,
  ];
  for (const id of pick) {
    const r = await run(['check', ...files(id)]);
    assert.equal(r.code, 0, `${id}: ${r.err}`);
    assert.equal(r.err, '', id);
    assert.match(r.out, /^DRAM \[ Weights:\d+ Inputs:\d+ Outputs:\d+ \]\n/, id);
    assert.match(r.out, /<< Compute >>\n\nvalid: /, id);
    if (id.endsWith('__mapper')) {
      const c = await run(['check', ...files(id), '--constraints', join(ROOT, id, 'constraints.yaml')]);
      assert.equal(c.code, 0, `${id}: ${c.err}`);
      assert.match(c.out, /meets the \d+ constraints/);
    }
  }
});

test('CLI: --arch takes a preset name; --json prints the verdict', async () => {
  const id = 'simba_like__alexnet_conv1__mapper';
  const d = join(ROOT, id);
  const r = await run(['check', '--arch', 'simba_like', '--problem', join(d, 'problem.yaml'), '--mapping', join(d, 'map.yaml'), '--json']);
  assert.equal(r.code, 0, r.err);
  const j = JSON.parse(r.out);
  assert.equal(j.valid, true);
  assert.deepEqual(j.violations, []);
  assert.match(j.loopNest, /GlobalBuffer \[ Inputs:\d+ Outputs:\d+ \]/);
});

test('CLI: a mapping that breaks a constraint exits 1 with one line per violation naming the constraint', async () => {
  const id = 'eyeriss_like__alexnet_conv1__mapper';
  const dir = mkdtempSync(join(tmpdir(), 'codesign-check-'));
  const map = join(dir, 'map.yaml');
  // DRAM permutation CKQRSPN -> KCQRSPN breaks the mapspace constraint RSPCKNQ (C before K)
  writeFileSync(map, readFileSync(join(ROOT, id, 'map.yaml'), 'utf8').replace('permutation: CKQRSPN', 'permutation: KCQRSPN'));
  const args = ['check', ...files(id).slice(0, -1), map, '--constraints', join(ROOT, id, 'constraints.yaml')];
  const r = await run(args);
  assert.equal(r.code, 1);
  const lines = r.err.trimEnd().split('\n');
  assert.equal(lines.length, 1, r.err);
  assert.equal(
    lines[0],
    `codesign: ${map}: DRAM: mapspace constraint on DRAM temporal: permutation RSPCKNQ (innermost first) needs the non-unit loops CKQ innermost in that order, got KCQ [constraint-permutation]`,
  );
  // without --constraints the same mapping is valid
  assert.equal((await run(args.slice(0, -2))).code, 0);
});

test('CLI: check --help shows an example', async () => {
  const r = await run(['check', '--help']);
  assert.equal(r.code, 0);
  assert.match(r.out, /Examples:\n {2}\$ codesign check --arch eyeriss-like/);
});
