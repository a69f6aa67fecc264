/**
 * A seeded fuzz loop over the CLI (issue 10): random mutations of the reference Timeloop files (architecture, ERT,
 * ART, problem, mapping, constraints) fed to check / evaluate / optimize, and random command lines for every command.
 * Every run must end in exit 0, 1 or 2 with one-line messages, never an internal error, a stack trace or a hang,
 * and exit 0 must never print a non-finite, negative or null number. CODESIGN_FUZZ_SEED and CODESIGN_FUZZ_RUNS
 * change the seed and the number of inputs (e.g. for a longer soak); a failure names the inputs to reproduce it.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { pick, rng } from '../src/mapping/random.js';
import { runCli } from './helpers/cli.js';
import { BOOLEAN_FLAGS, FLAG_VALUES, FLAGS, judge, mutateYaml, type Rng } from './helpers/fuzz.js';

const SEED = Number(process.env.CODESIGN_FUZZ_SEED ?? 10);
const RUNS = Number(process.env.CODESIGN_FUZZ_RUNS ?? 2000);
const ROOT = 'test/fixtures/timeloop/cases';
/** one CNN and one depthwise or strided case per architecture */
const CASES = [
  'eyeriss_like__alexnet_conv1__mapper',
  'eyeriss_like__mbv2_b2_dw3x3__fact',
  'simba_like__resnet18_layer2_conv3x3__mapper',
  'simba_like__mbv2_b3_dw3x3_s2__rand1',
  'simple_ws__alexnet_conv2__mapper',
  'simple_ws__resnet18_fc__rand1',
  'simple_os__vgg16_conv3_2__mapper',
  'simple_os__resnet18_layer2_0_downsample__perm',
];
const FILES = ['arch.yaml', 'ERT.yaml', 'ART.yaml', 'problem.yaml', 'map.yaml', 'constraints.yaml'] as const;
const TMP = mkdtempSync(join(tmpdir(), 'codesign-fuzz-'));

/** A case's file; cases without their own constraints use their architecture's (depthwise ones its depthwise file). */
function fixture(c: string, f: string): string {
  if (f !== 'constraints.yaml' || existsSync(join(ROOT, c, f))) return join(ROOT, c, f);
  const arch = c.split('__')[0]!;
  return join('test/fixtures/timeloop/archs', arch, c.includes('_dw') ? 'constraints.depthwise.yaml' : 'constraints.yaml');
}
const texts = new Map<string, string>();
const read = (c: string, f: string): string => {
  const k = `${c}/${f}`;
  if (!texts.has(k)) texts.set(k, readFileSync(fixture(c, f), 'utf8'));
  return texts.get(k)!;
};

let serial = 0;
function write(name: string, text: string): string {
  const p = join(TMP, `${serial++}-${name}`);
  writeFileSync(p, text);
  return p;
}

/** A run on one case with one of its files mutated: mostly check and evaluate, some optimize. */
function fileInput(r: Rng): { argv: string[]; json: boolean } {
  const c = pick(r, CASES);
  const target = pick(r, FILES);
  const path = (f: string): string => (f === target ? write(f, mutateYaml(r, read(c, f))) : fixture(c, f));
  const arch = r() < 0.1 ? pick(r, ['eyeriss-like', 'simba-like', 'simple-ws', 'simple-os']) : path('arch.yaml');
  const tables = arch.endsWith('.yaml') || r() < 0.3 ? ['--ert', path('ERT.yaml'), '--art', path('ART.yaml')] : [];
  const json = r() < 0.5;
  const u = r();
  if (u < 0.55) {
    const argv = ['check', '--arch', arch, ...tables, '--problem', path('problem.yaml'), '--mapping', path('map.yaml')];
    if (target === 'constraints.yaml' || r() < 0.3) argv.push('--constraints', path('constraints.yaml'));
    return { argv: json ? [...argv, '--json'] : argv, json };
  }
  if (u < 0.95) {
    const argv = ['evaluate', '--arch', arch, ...tables, '--problem', path('problem.yaml'), '--mapping', path('map.yaml')];
    return { argv: json ? [...argv, '--json'] : argv, json };
  }
  // a search on a mutated problem, architecture or constraints file: tiny time limit
  const argv = ['optimize', '--arch', arch, ...tables, '--problem', path('problem.yaml'), '--time-limit', '0.05', '--json'];
  if (r() < 0.5) argv.push('--constraints', path('constraints.yaml'));
  else if (r() < 0.3) argv.push('--no-constraints');
  return { argv, json: true };
}

/** A random command line. Searches get small layers and tiny time limits; outputs stay in the temp folder. */
function flagInput(r: Rng): { argv: string[]; json: boolean } {
  // searches are the slowest inputs (a pareto point takes ~0.2-2 s whatever its time limit): a few percent of the budget
  const cmd = pick(r, [
    'networks',
    'networks',
    'archs',
    'archs',
    'evaluate',
    'evaluate',
    'evaluate',
    'check',
    'check',
    'optimize',
    'optimize',
    'help',
    'pareto',
  ]);
  if (cmd === 'help') return { argv: r() < 0.5 ? ['help', pick(r, [...Object.keys(FLAGS), ...FLAG_VALUES])] : [pick(r, FLAG_VALUES)], json: false };
  const argv: string[] = [cmd];
  const c = pick(r, CASES);
  const value = (flag: string): string => {
    if (r() < 0.6) {
      // a plausible value
      switch (flag) {
        case '--arch':
        case '--template':
          return pick(r, ['eyeriss-like', 'simba-like', 'simple-ws', 'simple-os', join(ROOT, c, 'arch.yaml')]);
        case '--network':
          return pick(r, ['alexnet', 'resnet18', 'mobilenetv2', 'bert-base', 'vgg16', 'resnet50']);
        case '--layers':
          return pick(r, ['alexnet_conv1', 'resnet18_fc', 'alexnet_fc8,alexnet_conv2', 'resnet18_conv1']);
        case '--problem':
        case '--mapping':
        case '--constraints':
        case '--ert':
        case '--art': {
          const f = {
            '--problem': 'problem.yaml',
            '--mapping': 'map.yaml',
            '--constraints': 'constraints.yaml',
            '--ert': 'ERT.yaml',
            '--art': 'ART.yaml',
          }[flag]!;
          return r() < 0.5 ? fixture(c, f) : write(f, mutateYaml(r, read(c, f)));
        }
        case '--export':
          return pick(r, ['eyeriss-like', 'simba_like', 'simple-os']);
        case '--power-budgets':
          return pick(r, ['100,400', 'none', '300', '50']);
        default:
          break;
      }
    }
    return pick(r, FLAG_VALUES);
  };
  const n = 1 + Math.floor(r() * 5);
  for (let i = 0; i < n; i++) {
    const flag = pick(r, FLAGS[cmd]!);
    argv.push(flag);
    if (!BOOLEAN_FLAGS.has(flag)) argv.push(value(flag));
  }
  if (r() < 0.1) argv.push(pick(r, ['--bogus', 'extra-arg', '-x', '--']));
  // searches: one or two small layers, tiny time limits, outputs in the temp folder (last flag wins)
  if (cmd === 'optimize' || cmd === 'pareto') {
    if (!argv.includes('--network') && !argv.includes('--problem')) argv.push('--network', 'alexnet');
    const net = argv[argv.lastIndexOf('--network') + 1];
    if (net === 'alexnet' || net === 'resnet18' || !argv.includes('--layers'))
      argv.push('--layers', net === 'resnet18' ? 'resnet18_fc' : 'alexnet_conv2');
    argv.push(cmd === 'optimize' ? '--time-limit' : '--time-per-point', '0.05');
    argv.push('--out', r() < 0.9 ? join(TMP, `out-${serial++}`) : pick(r, ['/proc/x', write('a-file', 'x'), '/dev/null/x']));
    if (cmd === 'optimize') argv.push('--arch', argv.includes('--arch') && r() < 0.5 ? argv[argv.indexOf('--arch') + 1]! : 'eyeriss-like');
  }
  if (cmd === 'archs' && argv.includes('--export')) argv.push(r() < 0.8 ? join(TMP, `export-${serial++}`) : pick(r, ['/proc/x', '/sys/x']));
  if (cmd === 'evaluate' && argv.includes('--network') && !argv.includes('--arch')) argv.push('--arch', 'simple-os');
  // whether --json took effect depends on how the flags parsed (`--export --json` makes it a value): judged by the output
  return { argv, json: false };
}

test(`fuzz: ${RUNS} random mutations of the reference files and of command lines (seed ${SEED})`, { timeout: 170_000 }, async () => {
  mkdirSync(TMP, { recursive: true });
  const r = rng(SEED);
  const codes = [0, 0, 0];
  let slowest = { ms: 0, argv: [] as string[] };
  const t0 = performance.now();
  for (let i = 0; i < RUNS; i++) {
    // about 80% file mutations (check / evaluate, some optimize), 20% command lines
    const { argv, json } = r() < 0.8 ? fileInput(r) : flagInput(r);
    const t = performance.now();
    const res = await runCli(argv);
    const ms = performance.now() - t;
    if (ms > slowest.ms) slowest = { ms, argv };
    const bad = judge(res, json);
    if (bad && process.env.CODESIGN_FUZZ_ALL) {
      // development: list every failure instead of stopping at the first
      console.log(`FAIL ${i}: ${argv.map((a) => JSON.stringify(a)).join(' ')}\n   -> exit ${res.code}: ${bad.slice(0, 300)}`);
      continue;
    }
    assert.equal(bad, null, `input ${i} (seed ${SEED}): codesign ${argv.map((a) => JSON.stringify(a)).join(' ')}\n -> exit ${res.code}: ${bad}`);
    // a hang shows as one run far beyond any search's time limit
    assert.ok(ms < 20_000, `input ${i}: ${ms.toFixed(0)} ms for codesign ${argv.join(' ')}`);
    codes[res.code]!++;
  }
  const s = ((performance.now() - t0) / 1000).toFixed(1);
  console.log(
    `fuzz: ${RUNS} inputs in ${s} s; exit 0: ${codes[0]}, 1: ${codes[1]}, 2: ${codes[2]}; slowest ${slowest.ms.toFixed(0)} ms (${slowest.argv.slice(0, 3).join(' ')} ...)`,
  );
  rmSync(TMP, { recursive: true, force: true });
  // the loop reaches past the parsers: some inputs still run, some are invalid mappings
  assert.ok(codes[0]! > RUNS * 0.05 && codes[1]! > 0 && codes[2]! > RUNS * 0.2, codes.join(' '));
});
