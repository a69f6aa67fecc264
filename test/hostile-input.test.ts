/**
 * Hostile input (issue 10): every class of input that used to hang, crash or print a wrong number, generated here.
 * Each case must end in exit 2 (bad input) or 1 (invalid / infeasible) with exactly one line on stderr, never an
 * internal error (exit 3) or a stack trace.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { getPreset, presetNames } from '../src/hardware/presets.js';
import { getTemplate, instantiate, originalValues } from '../src/hardware/template.js';
import { checkMapping } from '../src/mapping/check.js';
import { defaultPoint } from '../src/mapping/default.js';
import { buildMapSpace, fits, outermostPoint, realize, slotIndex } from '../src/mapping/mapspace.js';
import { YAML_LIMITS } from '../src/timeloop/yaml.js';
import { DIMS, layerToProblem, type Problem } from '../src/workload/layer.js';
import { getNetwork, listNetworks } from '../src/workload/networks.js';
import { FILE_LIMITS } from '../src/timeloop/files.js';
import { runCli } from './helpers/cli.js';

const CASE = 'test/fixtures/timeloop/cases/eyeriss_like__alexnet_conv1__mapper';
const TMP = mkdtempSync(join(tmpdir(), 'codesign-hostile-'));
let n = 0;

function file(name: string, text: string): string {
  const p = join(TMP, `${n++}-${name}`);
  writeFileSync(p, text);
  return p;
}
const fixture = (f: string): string => readFileSync(join(CASE, f), 'utf8');

/** check with one of the five files replaced. */
function check(o: { arch?: string; ert?: string; problem?: string; mapping?: string; constraints?: string }): string[] {
  const a = ['check', '--arch', o.arch ?? join(CASE, 'arch.yaml'), '--ert', o.ert ?? join(CASE, 'ERT.yaml')];
  a.push('--problem', o.problem ?? join(CASE, 'problem.yaml'), '--mapping', o.mapping ?? join(CASE, 'map.yaml'));
  if (o.constraints) a.push('--constraints', o.constraints);
  return a;
}

/** Exit `code` and exactly one line on stderr, which matches `re`. Returns the line. */
export async function oneLine(argv: string[], code: number, re: RegExp): Promise<string> {
  const r = await runCli(argv);
  assert.equal(r.code, code, `${argv.join(' ')}\n${r.err}`);
  assert.ok(r.err.endsWith('\n'), JSON.stringify(r.err));
  const lines = r.err.slice(0, -1).split('\n');
  assert.equal(lines.length, 1, r.err);
  assert.doesNotMatch(r.err, /internal error|\n\s+at /);
  assert.match(lines[0]!, re);
  return lines[0]!;
}

/** "billion laughs": `levels` anchors, each a list of `width` aliases of the one before. */
function bomb(levels: number, width: number): string {
  const lines = [`a0: &a0 [${Array(width).fill('x').join(', ')}]`];
  for (let i = 1; i < levels; i++)
    lines.push(
      `a${i}: &a${i} [${Array(width)
        .fill(`*a${i - 1}`)
        .join(', ')}]`,
    );
  return lines.join('\n') + '\n';
}

test('YAML alias bombs in a problem, mapping and architecture file: refused quickly, one line', async () => {
  // wide: many alias uses; narrow and deep: few aliases (under the alias limit) that still expand to 2^60 values
  const bombs = [bomb(9, 10), `${bomb(60, 2)}`];
  for (const b of bombs) {
    const p = file('problem.yaml', fixture('problem.yaml') + b);
    await oneLine(check({ problem: p }), 2, new RegExp(`^codesign: ${p}: yaml: expected at most .*(alias uses|values after expanding aliases)`));
    const m = file('map.yaml', fixture('map.yaml').replace(/^mapping:/m, `${b}mapping:`));
    await oneLine(check({ mapping: m }), 2, new RegExp(`^codesign: ${m}: yaml: `));
    const a = file('arch.yaml', fixture('arch.yaml') + b);
    await oneLine(check({ arch: a }), 2, new RegExp(`^codesign: ${a}: yaml: `));
  }
  assert.ok(60 < YAML_LIMITS.aliases * 2, 'the narrow bomb stays under the alias limit');
});

test('a few aliases that expand within the limits are read as their values', async () => {
  const p = file(
    'problem.yaml',
    fixture('problem.yaml')
      .replace('    N: 1\n', '    N: &one 1\n    Wstride: 4\n')
      .replace(/    Wstride: 4\n(?![\s\S]*    Wstride: 4\n)/, '') + '',
  );
  const r = await runCli(check({ problem: p }));
  assert.equal(r.code, 0, r.err);
});

test('recursive and undefined aliases: one line naming the alias', async () => {
  for (const f of ['problem.yaml', 'map.yaml', 'arch.yaml', 'ERT.yaml']) {
    const rec = file(f, `${fixture(f)}x: &x [*x]\n`);
    const undef = file(f, `${fixture(f)}y: *nope\n`);
    const key = f === 'problem.yaml' ? 'problem' : f === 'map.yaml' ? 'mapping' : f === 'arch.yaml' ? 'arch' : 'ert';
    await oneLine(check({ [key]: rec }), 2, new RegExp(`^codesign: ${rec}: yaml: .*\\*x, a recursive alias$`));
    await oneLine(check({ [key]: undef }), 2, new RegExp(`^codesign: ${undef}: yaml: .*\\*nope, an undefined anchor$`));
  }
  // a map that holds an alias of itself
  const self = file('problem.yaml', `${fixture('problem.yaml')}m: &m {a: *m}\n`);
  await oneLine(check({ problem: self }), 2, /recursive alias/);
});

test('very deep nesting (65 to 100,000 levels, flow and block style): refused with a clear message', async () => {
  const depths = [YAML_LIMITS.depth + 1, 3000, 100_000];
  for (const d of depths) {
    const flow = file('problem.yaml', `${fixture('problem.yaml')}deep: ${'['.repeat(d)}${']'.repeat(d)}\n`);
    const line = await oneLine(
      check({ problem: flow }),
      2,
      new RegExp(`^codesign: ${flow}: yaml: expected maps and lists nested at most ${YAML_LIMITS.depth} levels deep`),
    );
    assert.doesNotMatch(line, /call stack/i);
  }
  const block = file('map.yaml', `${fixture('map.yaml')}deep:\n${Array.from({ length: 1200 }, (_, i) => `${' '.repeat(i + 1)}- `).join('\n')}1\n`);
  await oneLine(check({ mapping: block }), 2, /nested at most|valid YAML/);
  // 3000 levels of "- " sequences on one line
  const seqs = file('map.yaml', `${fixture('map.yaml')}deep: ${'- '.repeat(3000)}1\n`);
  await oneLine(check({ mapping: seqs }), 2, /: yaml: expected /);
});

test('oversized files: refused before parsing, naming the limit', async () => {
  // a valid mapping with a big list under an extra key (just over the mapping limit)
  const rows = Math.ceil(FILE_LIMITS.mapping / 13) + 10;
  const big = file('map.yaml', `${fixture('map.yaml')}extra:\n${'- 1234567890\n'.repeat(rows)}`);
  await oneLine(check({ mapping: big }), 2, new RegExp(`^codesign: ${big}: file: expected a mapping file of at most 1 MiB, got [0-9,]+ bytes$`));
  const bigProblem = file('problem.yaml', fixture('problem.yaml') + `# ${'x'.repeat(FILE_LIMITS.problem)}\n`);
  await oneLine(check({ problem: bigProblem }), 2, /file: expected a problem file of at most 256 KiB/);
  const bigArch = file('arch.yaml', fixture('arch.yaml') + `# ${'x'.repeat(FILE_LIMITS.architecture)}\n`);
  await oneLine(
    check({ arch: bigArch }),
    2,
    /file: expected a architecture file of at most 4 MiB|file: expected an? architecture file of at most 4 MiB/,
  );
  const bigErt = file('ERT.yaml', fixture('ERT.yaml') + `# ${'x'.repeat(FILE_LIMITS.ERT)}\n`);
  await oneLine(check({ ert: bigErt }), 2, /file: expected an ERT file of at most 4 MiB/);
});

test('devices, pipes, folders and a path through a file: refused before reading', async () => {
  await oneLine(check({ problem: '/dev/zero' }), 2, /^codesign: \/dev\/zero: file: expected a regular file, got a character device$/);
  await oneLine(check({ mapping: '/dev/urandom' }), 2, /got a character device$/);
  await oneLine(check({ arch: '/dev/zero' }), 2, /got a character device$/);
  await oneLine(
    ['check', '--arch', 'eyeriss-like', '--ert', '/dev/zero', '--problem', join(CASE, 'problem.yaml'), '--mapping', join(CASE, 'map.yaml')],
    2,
    /ERT|zero/,
  );
  const dir = join(TMP, 'a-folder');
  mkdirSync(dir);
  await oneLine(check({ problem: dir }), 2, /got a directory$/);
  const fifo = join(TMP, 'fifo');
  execFileSync('mkfifo', [fifo]);
  await oneLine(check({ mapping: fifo }), 2, /got a named pipe$/);
  await oneLine(check({ constraints: fifo }), 2, /got a named pipe$/);
  const link = join(TMP, 'link-to-zero');
  symlinkSync('/dev/zero', link);
  await oneLine(check({ problem: link }), 2, /got a character device$/);
  const under = join(CASE, 'problem.yaml', 'x.yaml');
  await oneLine(check({ problem: under }), 2, /file: expected an existing file/);
});

test('prototype keys in YAML are plain fields: __proto__ in a problem instance is an unknown field', async () => {
  for (const key of ['__proto__', 'constructor', 'toString', 'hasOwnProperty']) {
    const p = file('problem.yaml', fixture('problem.yaml').replace('    N: 1\n', `    N: 1\n    ${key}: 7\n`));
    await oneLine(check({ problem: p }), 2, new RegExp(`problem\\.instance\\.${key}: expected a known field .*unknown field "${key}"`));
  }
  const shape = file('problem.yaml', 'problem:\n  shape: constructor\n  instance: {R: 1, S: 1, P: 1, Q: 1, C: 1, K: 1, N: 1}\n');
  await oneLine(check({ problem: shape }), 2, /problem\.shape: expected a shape named CNN-Layer or Depthwise-CNN-Layer, got "constructor"/);
});

test('.nan and .inf are named, not "null"', async () => {
  for (const [v, name] of [
    ['.nan', /\.nan/],
    ['.inf', /\.inf/],
    ['-.inf', /-\.inf/],
  ] as const) {
    const p = file('problem.yaml', fixture('problem.yaml').replace('    K: 96\n', `    K: ${v}\n`));
    const line = await oneLine(check({ problem: p }), 2, name);
    assert.doesNotMatch(line, /null/);
  }
});

test('error lines stay one line: newlines in file names, keys and level names are escaped', async () => {
  const dir = join(TMP, 'multi\nline');
  mkdirSync(dir);
  const p = join(dir, 'problem\n.yaml');
  writeFileSync(p, fixture('problem.yaml').replace('    K: 96\n', '    K: -1\n'));
  const line = await oneLine(check({ problem: p }), 2, /multi\\nline\/problem\\n\.yaml: problem\.instance\.K/);
  assert.ok(!line.includes('\n'));
  const key = file('problem.yaml', fixture('problem.yaml').replace('    N: 1\n', '    N: 1\n    "a\\nb\\rc": 1\n'));
  await oneLine(check({ problem: key }), 2, /a\\nb\\rc/);
  await oneLine(check({ problem: join(TMP, 'no\nsuch.yaml') }), 2, /no\\nsuch\.yaml: file: expected an existing file/);
  const arch = file('arch.yaml', fixture('arch.yaml').replace('name: psum_spad', 'name: "psum\\nspad"'));
  await oneLine(check({ arch }), 2, /./);
});

test('help <unknown> exits 2 with one line', async () => {
  await oneLine(['help', 'nope'], 2, /^codesign: unknown command "nope"/);
  const r = await runCli(['help', 'check']);
  assert.equal(r.code, 0);
});

test('names that are JavaScript prototype keys: unknown names, one line, exit 2', async () => {
  const names = ['constructor', 'toString', '__proto__', 'hasOwnProperty', 'valueOf'];
  for (const name of names) {
    await oneLine(
      ['optimize', '--network', 'alexnet', '--arch', 'eyeriss-like', '--method', name],
      2,
      /^codesign: --method: method: expected codesign, random, genetic, annealing/,
    );
    await oneLine(['networks', '--network', name], 2, /^codesign: --network: network: expected one of /);
    await oneLine(['optimize', '--network', name, '--arch', 'eyeriss-like'], 2, /^codesign: --network: network: /);
    await oneLine(['evaluate', '--network', name, '--arch', 'eyeriss-like'], 2, /^codesign: --network: network: /);
    await oneLine(['pareto', '--network', name], 2, /^codesign: --network: network: /);
    await oneLine(['pareto', '--template', name], 2, /template: expected one of the templates/);
    await oneLine(['archs', '--export', name, join(TMP, 'x')], 2, /preset: expected one of the presets/);
    await oneLine(
      ['check', '--arch', name, '--problem', join(CASE, 'problem.yaml'), '--mapping', join(CASE, 'map.yaml')],
      2,
      /expected an existing file or a preset name/,
    );
    await oneLine(
      ['optimize', '--network', 'alexnet', '--arch', 'eyeriss-like', '--layers', name],
      2,
      /--layers: layers: expected layer names of alexnet/,
    );
  }
});

test('ERT energies and ART areas outside a sane finite range are refused (1e308 used to print null)', async () => {
  for (const v of ['1e308', '1e13', '-1', '.inf', '.nan']) {
    const ert = file('ERT.yaml', fixture('ERT.yaml').replace(/energy: 2\.2\b/, `energy: ${v}`));
    await oneLine(
      [
        'evaluate',
        '--arch',
        join(CASE, 'arch.yaml'),
        '--ert',
        ert,
        '--art',
        join(CASE, 'ART.yaml'),
        '--problem',
        join(CASE, 'problem.yaml'),
        '--mapping',
        join(CASE, 'map.yaml'),
      ],
      2,
      new RegExp(`^codesign: ${ert}: ERT\\.tables\\[\\d+\\]\\.actions\\[\\d+\\]\\.energy: expected an energy in pJ between 0 and 1e9`),
    );
    const art = file('ART.yaml', fixture('ART.yaml').replace(/area: [0-9.]+/, `area: ${v}`));
    await oneLine(
      [
        'evaluate',
        '--arch',
        join(CASE, 'arch.yaml'),
        '--ert',
        join(CASE, 'ERT.yaml'),
        '--art',
        art,
        '--problem',
        join(CASE, 'problem.yaml'),
        '--mapping',
        join(CASE, 'map.yaml'),
      ],
      2,
      new RegExp(`^codesign: ${art}: ART\\.tables\\[\\d+\\]\\.area: expected an area in um\\^2 between 0 and 1e12`),
    );
  }
  // the largest accepted values give finite numbers
  const ert = file('ERT.yaml', fixture('ERT.yaml').replace(/energy: [0-9.]+/g, 'energy: 1e9'));
  const art = file('ART.yaml', fixture('ART.yaml').replace(/area: [0-9.]+/g, 'area: 1e12'));
  const r = await runCli([
    'evaluate',
    '--arch',
    join(CASE, 'arch.yaml'),
    '--ert',
    ert,
    '--art',
    art,
    '--problem',
    join(CASE, 'problem.yaml'),
    '--mapping',
    join(CASE, 'map.yaml'),
    '--json',
  ]);
  assert.equal(r.code, 0, r.err);
  const j = JSON.parse(r.out) as { energy_pJ: number; area_um2: number };
  assert.ok(Number.isFinite(j.energy_pJ) && j.energy_pJ > 0 && Number.isFinite(j.area_um2) && j.area_um2 > 0, r.out);
  // a clock of 1e308 GHz
  const arch = file('arch.yaml', fixture('arch.yaml').replace(/^(\s*)technology: (.*)$/m, '$1technology: $2\n$1clock_GHz: 1e308'));
  await oneLine(check({ arch }), 2, /clock_GHz: expected a positive clock in GHz, at most 1000/);
});

test('output paths are checked (and created) before the search: /proc, /sys, an existing file, a path under a file', async () => {
  const afile = file('a-file', 'x');
  const bad: [string, RegExp][] = [
    ['/proc/x', /got a path under \/proc$/],
    ['/sys/kernel/x', /got a path under \/sys$/],
    ['/dev/x', /got a path under \/dev$/],
    [afile, /got an existing file$/],
    [join(afile, 'sub'), /got a path through a file/],
    [join(afile, 'sub', 'deeper'), /got a path through a file/],
  ];
  for (const [out, re] of bad) {
    // a long time limit: the check must come first, or this test would take minutes
    await oneLine(['optimize', '--network', 'alexnet', '--arch', 'eyeriss-like', '--time-limit', '600', '--out', out], 2, re);
    await oneLine(['pareto', '--network', 'alexnet', '--time-per-point', '600', '--out', out], 2, re);
    await oneLine(['archs', '--export', 'eyeriss-like', out], 2, re);
  }
  // a new nested folder is created
  const fresh = join(TMP, 'new', 'nested', 'dir');
  const r = await runCli(['archs', '--export', 'eyeriss-like', fresh]);
  assert.equal(r.code, 0, r.err);
  assert.ok(readFileSync(join(fresh, 'arch.yaml'), 'utf8').includes('architecture'));
});

test('number flags: hex, binary and lists are refused, files together with --network are refused', async () => {
  for (const v of ['0x10', '0b101', '1e400', '', ' ', '10,', 'Infinity', '-5', '0']) {
    await oneLine(
      ['pareto', '--power-budgets', v],
      2,
      /^codesign: --power-budgets: power-budgets: expected a comma-separated list of positive numbers/,
    );
  }
  for (const v of ['1,0.5', '0x1', '0', 'none'])
    await oneLine(['pareto', '--area-budget', v], 2, /^codesign: --area-budget: area-budget: expected one positive area in mm\^2/);
  await oneLine(
    ['optimize', '--network', 'alexnet', '--arch', 'eyeriss-like', '--time-limit', '0x10'],
    2,
    /--time-limit: time-limit: expected a positive number of seconds/,
  );
  await oneLine(['pareto', '--time-per-point', '1,2'], 2, /--time-per-point: time-per-point: expected a positive number of seconds/);
  const files = ['--problem', join(CASE, 'problem.yaml'), '--mapping', join(CASE, 'map.yaml')];
  await oneLine(
    ['evaluate', '--network', 'alexnet', '--arch', 'eyeriss-like', ...files],
    2,
    /^codesign: command line: --problem, --mapping: expected no files together with --network/,
  );
  await oneLine(
    ['evaluate', '--arch', 'eyeriss-like', ...files, '--batch', '2'],
    2,
    /^codesign: command line: --batch: expected such options only together with --network/,
  );
  await oneLine(
    ['optimize', '--arch', 'eyeriss-like', '--problem', join(CASE, 'problem.yaml'), '--layers', 'x'],
    2,
    /--layers: expected such options only together with --network/,
  );
});

test('every default mapping passes the check, with and without constraints, on every preset and network', () => {
  for (const a of presetNames()) {
    const pr = getPreset(a);
    for (const withConstraints of [true, false]) {
      for (const net of listNetworks()) {
        for (const layer of getNetwork(net).layers) {
          const { problem } = layerToProblem(layer);
          const c = withConstraints ? (problem.depthwise ? pr.depthwiseConstraints : pr.constraints) : null;
          const space = buildMapSpace(problem, pr.arch, c);
          // simba-like's constraints pin factors of C and K that ViT's 197 tokens (a prime) cannot meet: reported, not hidden
          if (c && a === 'simba-like' && /^vit_attn_/.test(layer.name)) {
            assert.match(String(space.infeasible), /factors of [CK] multiply to 196, but the layer has [CK] = 197/);
            continue;
          }
          assert.equal(space.infeasible, null, `${a} ${layer.name}`);
          const v = checkMapping(problem, pr.arch, realize(space, defaultPoint(space)), c ?? undefined);
          assert.deepEqual(v, [], `${a} ${withConstraints ? 'constraints' : 'none'} ${layer.name}`);
        }
      }
    }
  }
});

test('evaluate --network --no-constraints on every preset: exit 0, finite non-negative numbers', async () => {
  for (const a of presetNames()) {
    const r = await runCli(['evaluate', '--network', 'resnet18', '--arch', a, '--no-constraints', '--json']);
    assert.equal(r.code, 0, r.err);
    const j = JSON.parse(r.out) as { layers: { cycles: number; energy_pJ: number }[]; total: Record<string, number> };
    assert.equal(j.layers.length, 12);
    for (const x of [...j.layers.flatMap((l) => [l.cycles, l.energy_pJ]), ...Object.values(j.total)]) assert.ok(Number.isFinite(x) && x >= 0, r.out);
  }
});

test('a dim on both spatial X and Y of one level does not fit (Timeloop writes each dim on one side)', () => {
  const pr = getPreset('eyeriss-like');
  const problem: Problem = {
    name: 'p',
    depthwise: false,
    dims: { R: 1, S: 1, P: 7, Q: 1, C: 16, K: 1, N: 1 },
    Wstride: 1,
    Hstride: 1,
    Wdilation: 1,
    Hdilation: 1,
  };
  const space = buildMapSpace(problem, pr.arch, null);
  const glb = pr.arch.levels.findIndex((l) => l.name === 'shared_glb');
  const p = outermostPoint(space);
  const top = slotIndex(space, pr.arch.levels.length - 1, 'T');
  const x = slotIndex(space, glb, 'X');
  const y = slotIndex(space, glb, 'Y');
  const C = DIMS.indexOf('C');
  const P = DIMS.indexOf('P');
  p.f[top]![C] = 1;
  p.f[top]![P] = 1;
  p.f[x]![P] = 7;
  p.f[x]![C] = 2; // X uses 14 of 14
  p.f[y]![C] = 8; // Y uses 8 of 12: each side fits, but C would be written as 16 on X
  const f = fits(space, p, true);
  assert.equal(f.ok, false);
  assert.match(f.reason!, /shared_glb: C on both spatial X \(2\) and Y \(8\)/);
  p.f[y]![C] = 1;
  p.f[top]![C] = 8;
  assert.equal(fits(space, p).ok, true);
  assert.deepEqual(checkMapping(problem, pr.arch, realize(space, p)), []);
});

/** Constraint files no mapping can meet, each for every layer of alexnet on eyeriss-like. */
const INFEASIBLE: [string, string, RegExp][] = [
  [
    'a pinned factor that does not divide (K=512 on K=1000)',
    'mapspace_constraints:\n  targets:\n  - target: shared_glb\n    type: temporal\n    factors: K=512\n',
    /alexnet_fc8 on eyeriss-like: no mapping meets the constraints: the factors of K multiply to 512, but the layer has K = 1000 \[factor-product\]$/,
  ],
  [
    'keep bits against the hardware',
    'architecture_constraints:\n  targets:\n  - target: ifmap_spad\n    type: bypass\n    keep: [Weights]\n',
    /ifmap_spad can only hold Inputs.*\[hardware-keep\]$/,
  ],
  [
    'DRAM bypassing a dataspace',
    'architecture_constraints:\n  targets:\n  - target: DRAM\n    type: bypass\n    bypass: [Weights]\n',
    /\[constraint-bypass\]$/,
  ],
  [
    'an unknown target',
    'architecture_constraints:\n  targets:\n  - target: DRAM0\n    type: temporal\n    factors: K=1\n',
    /targets "DRAM0", which is not a storage level of eyeriss-like.*\[constraint-target\]$/,
  ],
  [
    'a spatial factor on a level without a fanout',
    'architecture_constraints:\n  targets:\n  - target: psum_spad\n    type: spatial\n    factors: K=2\n',
    /psum_spad spatial: factor K must be 2, got 1 \[constraint-factor\]$/,
  ],
  [
    'a spatial factor larger than the array',
    'architecture_constraints:\n  targets:\n  - target: shared_glb\n    type: spatial\n    factors: K=0\n',
    /shared_glb: spatial X uses \d+ of 14/,
  ],
];

test('infeasible constraint files: exit 1 "infeasible" with the violated rule (evaluate, optimize, pareto)', async () => {
  for (const [what, text, re] of INFEASIBLE) {
    const c = file('constraints.yaml', text);
    const line = await oneLine(
      ['evaluate', '--network', 'alexnet', '--arch', 'eyeriss-like', '--constraints', c],
      1,
      /^codesign: infeasible: alexnet_\w+ on eyeriss-like: /,
    );
    assert.match(line, re, what);
    await oneLine(['optimize', '--network', 'alexnet', '--arch', 'eyeriss-like', '--constraints', c, '--time-limit', '600'], 1, re);
    if (/factor-product|hardware-keep|constraint-bypass|constraint-target/.test(re.source))
      await oneLine(
        [
          'pareto',
          '--network',
          'alexnet',
          '--template',
          'eyeriss-like',
          '--constraints',
          c,
          '--time-per-point',
          '600',
          '--power-budgets',
          '400',
          '--out',
          join(TMP, 'p'),
        ],
        1,
        re,
      );
  }
});

test('a problem whose every dim is 1: optimize works with every method on every preset', async () => {
  const ones = file('ones.yaml', 'problem:\n  shape: cnn-layer\n  instance: {R: 1, S: 1, P: 1, Q: 1, C: 1, K: 1, N: 1}\n');
  for (const a of presetNames()) {
    for (const m of ['codesign', 'random', 'genetic', 'annealing']) {
      const r = await runCli(['optimize', '--problem', ones, '--arch', a, '--method', m, '--time-limit', '0.3', '--json']);
      assert.equal(r.code, 0, `${a} ${m}: ${r.err}`);
      const j = JSON.parse(r.out) as { total: { cycles: number; energy_pJ: number } };
      assert.equal(j.total.cycles, 1);
      assert.ok(j.total.energy_pJ > 0);
    }
  }
  const r = await runCli(['evaluate', '--network', 'alexnet', '--arch', 'eyeriss-like', '--batch', '1', '--json']);
  assert.equal(r.code, 0, r.err);
});

test('--no-constraints optimize and pareto work on every preset (the search respects X and Y separately)', async () => {
  for (const a of presetNames()) {
    // the layers whose unconstrained search used to split a dim across X and Y
    const layers = 'resnet18_conv1,resnet18_layer1_conv3x3,resnet18_layer3_0_downsample,resnet18_fc';
    const r = await runCli(['optimize', '--network', 'resnet18', '--layers', layers, '--arch', a, '--no-constraints', '--time-limit', '1', '--json']);
    assert.equal(r.code, 0, `${a}: ${r.err}`);
    const s = await runCli([
      'pareto',
      '--network',
      'resnet18',
      '--layers',
      'resnet18_layer1_conv3x3,resnet18_fc',
      '--template',
      a,
      '--no-constraints',
      '--power-budgets',
      'none',
      '--time-per-point',
      '0.5',
      '--out',
      join(TMP, `pareto-${a}`),
      '--json',
    ]);
    assert.equal(s.code, 0, `${a}: ${s.err}`);
  }
});

test('a spatial permutation constraint without a split: no dim on X after a listed dim on Y (simba-like with a 2-D array)', () => {
  const t = getTemplate('simba-like');
  const arch = instantiate(t, { ...originalValues(t), 'PE.meshX': 4, 'PE.meshY': 4 });
  const pr = getPreset('simba-like');
  const problem: Problem = {
    name: 'p',
    depthwise: false,
    dims: { R: 1, S: 1, P: 1, Q: 1, C: 16, K: 16, N: 1 },
    Wstride: 1,
    Hstride: 1,
    Wdilation: 1,
    Hdilation: 1,
  };
  const space = buildMapSpace(problem, arch, pr.constraints); // GlobalBuffer spatial permutation KCRSPQN, no split
  const gb = arch.levels.findIndex((l) => l.name === 'GlobalBuffer');
  const x = slotIndex(space, gb, 'X');
  const y = slotIndex(space, gb, 'Y');
  assert.ok(x >= 0 && y >= 0);
  const at = (onX: 'K' | 'C') => {
    const p = outermostPoint(space);
    const other = onX === 'K' ? 'C' : 'K';
    // the pinned factors stay (C = 4 and K = 4 inside the PEs); the free 4 of each goes to the array
    p.f.forEach((row, i) => {
      row[DIMS.indexOf('K')] = space.fixed.K[i]!;
      row[DIMS.indexOf('C')] = space.fixed.C[i]!;
    });
    p.f[x]![DIMS.indexOf(onX)] = 4;
    p.f[y]![DIMS.indexOf(other)] = 4;
    return p;
  };
  // K on X, C on Y: written "K C ..." as the constraint wants
  const good = at('K');
  assert.equal(fits(space, good).ok, true, fits(space, good).reason);
  assert.deepEqual(checkMapping(problem, arch, realize(space, good), pr.constraints), []);
  // C on X, K on Y: written "C K ...", which the constraint forbids, so it must not fit
  const bad = at('C');
  assert.ok(checkMapping(problem, arch, realize(space, bad), pr.constraints).some((v) => v.rule === 'constraint-permutation'));
  const f = fits(space, bad, true);
  assert.equal(f.ok, false);
  assert.match(f.reason!, /GlobalBuffer: C on spatial X after K on Y/);
});
