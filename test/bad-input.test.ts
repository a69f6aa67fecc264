import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { runCli } from './helpers/cli.js';

const run = runCli;

const EYERISS = 'test/fixtures/timeloop/cases/eyeriss_like__alexnet_conv1__mapper';
const SIMBA = 'test/fixtures/timeloop/cases/simba_like__alexnet_conv1__mapper';
const DW = 'test/fixtures/timeloop/cases/eyeriss_like__mbv2_b2_dw3x3__fact';
const TMP = mkdtempSync(join(tmpdir(), 'codesign-bad-input-'));
let n = 0;

/** A copy of a fixture file with `from` replaced by `to` (the replacement must happen). */
function broken(src: string, from: string | RegExp, to: string): string {
  const text = readFileSync(src, 'utf8');
  const out = text.replace(from, to);
  assert.notEqual(out, text, `replacement of ${String(from)} in ${src}`);
  const p = join(TMP, `${n++}-${src.split('/').pop()}`);
  writeFileSync(p, out);
  return p;
}

function args(o: { dir?: string; arch?: string; problem?: string; mapping?: string; constraints?: string } = {}): string[] {
  const d = o.dir ?? EYERISS;
  const a = ['check', '--arch', o.arch ?? join(d, 'arch.yaml'), '--ert', join(d, 'ERT.yaml'), '--art', join(d, 'ART.yaml')];
  a.push('--problem', o.problem ?? join(d, 'problem.yaml'), '--mapping', o.mapping ?? join(d, 'map.yaml'));
  if (o.constraints) a.push('--constraints', o.constraints);
  return a;
}

/** Exit code as given, and stderr exactly one line naming the file and the field. */
async function expectOneLine(argv: string[], code: number, file: string, field: string, more?: RegExp): Promise<string> {
  const r = await run(argv);
  assert.equal(r.code, code, r.err);
  assert.ok(r.err.endsWith('\n'), JSON.stringify(r.err));
  const lines = r.err.slice(0, -1).split('\n');
  assert.equal(lines.length, 1, r.err);
  const line = lines[0]!;
  assert.ok(line.startsWith(`codesign: ${file}: ${field}: `), line);
  assert.ok(!/\n\s+at /.test(r.err), 'no stack trace');
  if (more) assert.match(line, more);
  return line;
}

test('malformed YAML: exit 2, one line naming the file and "yaml"', async () => {
  const m = broken(join(EYERISS, 'map.yaml'), '- target: psum_spad\n  type: temporal', '- target: [psum_spad\n  type: temporal');
  await expectOneLine(args({ mapping: m }), 2, m, 'yaml', /expected valid YAML, got /);
  const a = broken(join(EYERISS, 'arch.yaml'), 'memory_depth: 16384', 'memory_depth: {16384');
  await expectOneLine(args({ arch: a }), 2, a, 'yaml');
});

test('unknown field: exit 2, names the field', async () => {
  const p = broken(join(EYERISS, 'problem.yaml'), '    N: 1\n', '    N: 1\n    M: 4\n');
  await expectOneLine(args({ problem: p }), 2, p, 'problem.instance.M', /unknown field "M"/);
  const m = broken(join(EYERISS, 'map.yaml'), /(- target: psum_spad\n  type: temporal\n  )factors:/, '$1factor:');
  await expectOneLine(args({ mapping: m }), 2, m, 'mapping[5].factor', /unknown field "factor"/);
});

test('missing field: exit 2', async () => {
  const p = broken(join(EYERISS, 'problem.yaml'), '    K: 96\n', '');
  await expectOneLine(args({ problem: p }), 2, p, 'problem.instance.K', /expected a positive integer, got nothing/);
  const m = broken(join(EYERISS, 'map.yaml'), '- target: DRAM\n  type: temporal\n', '- type: temporal\n');
  await expectOneLine(args({ mapping: m }), 2, m, 'mapping[10].target');
});

test('zero, negative and non-integer dims: exit 2', async () => {
  for (const v of ['0', '-96', '9.6', 'ninety-six']) {
    const p = broken(join(EYERISS, 'problem.yaml'), '    K: 96\n', `    K: ${v}\n`);
    await expectOneLine(args({ problem: p }), 2, p, 'problem.instance.K', /expected a positive integer, got /);
  }
  const p = broken(join(EYERISS, 'problem.yaml'), '    Wstride: 4\n', '    Wstride: 0\n');
  await expectOneLine(args({ problem: p }), 2, p, 'problem.instance.Wstride');
});

test('factors that do not multiply to the layer size: exit 1, says which dim', async () => {
  const m = broken(join(EYERISS, 'map.yaml'), 'factors: R=1 S=1 P=1 Q=5 C=3 K=2 N=1', 'factors: R=1 S=1 P=1 Q=5 C=3 K=4 N=1');
  const line = await expectOneLine(args({ mapping: m }), 1, m, 'mapping');
  assert.match(line, /the factors of K multiply to 192, but the layer has K = 96 \[factor-product\]$/);
});

test('bad factor strings: exit 2, names the directive', async () => {
  const m = broken(join(EYERISS, 'map.yaml'), 'factors: R=1 S=1 P=1 Q=5 C=3 K=2 N=1', 'factors: R=1 S=1 P=1 Q=5 C=3 K=two N=1');
  await expectOneLine(args({ mapping: m }), 2, m, 'mapping[10].factors', /got "K=two"/);
});

test('unknown dataspace: exit 2', async () => {
  const m = broken(join(EYERISS, 'map.yaml'), '  keep:\n  - Outputs\n', '  keep:\n  - Psums\n');
  await expectOneLine(args({ mapping: m }), 2, m, 'mapping[0].keep[0]', /expected a dataspace \(Weights, Inputs, Outputs\), got "Psums"/);
  const c = broken(join(EYERISS, 'constraints.yaml'), '    - Inputs\n    - Weights\n', '    - Inputs\n    - Psums\n');
  await expectOneLine(args({ constraints: c }), 2, c, 'architecture_constraints.targets[0].bypass[1]');
});

test('unknown level name: exit 2, lists the levels', async () => {
  const m = broken(join(EYERISS, 'map.yaml'), '- target: shared_glb\n  type: spatial', '- target: global_buffer\n  type: spatial');
  await expectOneLine(
    args({ mapping: m }),
    2,
    m,
    'mapping[8].target',
    /expected a storage level of eyeriss \(psum_spad, weights_spad, ifmap_spad, shared_glb, DRAM\), got "global_buffer"/,
  );
});

test('unknown constraint target: exit 1 (the constraint cannot hold)', async () => {
  const c = broken(join(EYERISS, 'constraints.yaml'), '  - target: DRAM\n', '  - target: DRAM0\n');
  const line = await expectOneLine(args({ constraints: c }), 1, join(EYERISS, 'map.yaml'), 'mapping');
  assert.match(line, /"DRAM0", which is not a storage level/);
});

test('missing file: exit 2, names the file: no such file', async () => {
  const missing = join(TMP, 'nope.yaml');
  await expectOneLine(args({ mapping: missing }), 2, missing, 'file', /no such file/);
  await expectOneLine(args({ problem: missing }), 2, missing, 'file', /no such file/);
  await expectOneLine(
    args({ arch: missing }),
    2,
    missing,
    'file',
    /expected an existing file or a preset name \(eyeriss-like, simba-like, simple-ws, simple-os\), got no such file/,
  );
  await expectOneLine([...args(), '--constraints', missing], 2, missing, 'file', /no such file/);
});

test('a mapping for another architecture: exit 2, names the first foreign target', async () => {
  await expectOneLine(
    args({ dir: SIMBA, mapping: join(EYERISS, 'map.yaml') }),
    2,
    join(EYERISS, 'map.yaml'),
    'mapping[0].target',
    /storage level of ws \(PEWeightRegs, .*\), got "psum_spad"/,
  );
  await expectOneLine(
    ['check', '--arch', 'simba-like', '--problem', join(EYERISS, 'problem.yaml'), '--mapping', join(EYERISS, 'map.yaml')],
    2,
    join(EYERISS, 'map.yaml'),
    'mapping[0].target',
    /simba-like/,
  );
});

test('a CNN mapping for a depthwise layer: exit 2 on the K factor', async () => {
  await expectOneLine(
    args({ problem: join(DW, 'problem.yaml') }),
    2,
    join(EYERISS, 'map.yaml'),
    'mapping[5].factors',
    /dims of the layer \(R S P Q C N\), got "K" in "K=16"/,
  );
});

test('bad architecture values: exit 2 naming the attribute', async () => {
  const a = broken(join(EYERISS, 'arch.yaml'), 'memory_depth: 12\n', 'memory_depth: 0\n');
  await expectOneLine(
    args({ arch: a }),
    2,
    a,
    'architecture.subtree[0].subtree[0].subtree[0].local[0].attributes.memory_depth',
    /positive integer, got 0/,
  );
});

test('malformed ERT: exit 2', async () => {
  const e = broken(join(EYERISS, 'ERT.yaml'), 'energy: 2.2', 'energy: lots');
  await expectOneLine(
    ['check', '--arch', join(EYERISS, 'arch.yaml'), '--ert', e, '--problem', join(EYERISS, 'problem.yaml'), '--mapping', join(EYERISS, 'map.yaml')],
    2,
    e,
    'ERT.tables[5].actions[0].energy',
  );
});

test('unknown preset for archs --export: exit 2, one line', async () => {
  await expectOneLine(
    ['archs', '--export', 'tpu-like', join(TMP, 'x')],
    2,
    'tpu-like',
    'preset',
    /expected one of the presets eyeriss-like, simba-like, simple-ws, simple-os/,
  );
});

test('missing required option: exit 2, one line', async () => {
  const r = await run(['check', '--arch', 'eyeriss-like']);
  assert.equal(r.code, 2);
  assert.equal(r.err.trimEnd().split('\n').length, 1);
  assert.match(r.err, /^codesign: required option '--problem <file>' not specified\n$/);
});
