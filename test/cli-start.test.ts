/**
 * `codesign start`: the default job, with the user's own network and accelerator passed on to pareto as pareto spells
 * them. A full start runs the 8-budget front (about a minute), so the tests check the argv it hands pareto (pareto
 * with those flags is tested in coopt-vary.test.ts) and that bad input is one line before anything runs.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_START, startArgv } from '../src/cli/commands/start.js';
import { runCli } from './helpers/cli.js';

const MEL = 'test/fixtures/onnx/melspectrogram.onnx';
const SMALL = 'test/fixtures/archs/small-os.v03.yaml';
const tail = ['--power-budgets', DEFAULT_START.powerBudgets, '--time-per-point', String(DEFAULT_START.timePerPoint), '--out', DEFAULT_START.out];

test('start: the default job, or the given network, template, architecture file and --vary, handed to pareto', () => {
  assert.deepEqual(startArgv({}), ['pareto', '--network', 'resnet18', '--template', 'eyeriss-like', ...tail]);
  assert.deepEqual(startArgv({ template: 'simba-like', vary: 'PE.meshX=1..8' }), [
    'pareto',
    '--network',
    'resnet18',
    '--template',
    'simba-like',
    '--vary',
    'PE.meshX=1..8',
    ...tail,
  ]);
  // an --arch file replaces the default template
  assert.deepEqual(
    startArgv({ network: MEL, inputShape: ['input=1,16000'], arch: SMALL, ert: 'E.yaml', art: 'A.yaml', vary: 'GLB.depth=512..8192' }),
    [
      'pareto',
      '--network',
      MEL,
      '--input-shape',
      'input=1,16000',
      '--arch',
      SMALL,
      '--ert',
      'E.yaml',
      '--art',
      'A.yaml',
      '--vary',
      'GLB.depth=512..8192',
      ...tail,
    ],
  );
});

test('start: bad network or hardware input is one line with exit 2, before the run is announced', async () => {
  for (const [args, re] of [
    [
      ['--network', MEL],
      /melspectrogram\.onnx: input "input": expected static dims or --input-shape input=D1,D2,\.\.\., got dims \[batch_size,samples\]/,
    ],
    [
      ['--network', MEL, '--input-shape', 'nope=1,2'],
      /--input-shape: input-shape: expected a graph input of .*melspectrogram\.onnx \(input\), got "nope"/,
    ],
    [['--arch', SMALL, '--template', 'simba-like'], /--template: template: expected either --template or --arch, not both/],
    [['--arch', SMALL, '--vary', 'Nope.depth=1..4'], /--vary: Nope\.depth=1\.\.4: expected a storage level/],
    [['--template', 'eyeriss-like', '--vary', 'Bogus.meshX=1..8'], /--vary: Bogus\.meshX=1\.\.8: expected a level or container carrying instances/],
    [['--arch', 'no-such.yaml'], /no-such\.yaml: file: expected an existing file/],
    [['--art', 'ART.yaml'], /--art: arch: expected an --arch file/],
  ] as const) {
    const r = await runCli(['start', ...args]);
    assert.equal(r.code, 2, args.join(' '));
    assert.match(r.err, re);
    assert.equal(r.err.trim().split('\n').length, 1, r.err);
  }
});
