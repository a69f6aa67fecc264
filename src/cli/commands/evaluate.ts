import type { Command } from 'commander';
import { printError, printWarnings } from '../stderr.js';
import { InputError } from '../../errors.js';
import { checkMapping } from '../../mapping/check.js';
import { evaluate, type Evaluation } from '../../model/evaluate.js';
import { evaluateNetworkDefault } from '../../model/network.js';
import { loadMappingFile, loadProblem } from '../../timeloop/files.js';
import { DATASPACES } from '../../workload/layer.js';
import * as fmt from '../format.js';
import { collect, INPUT_SHAPE_HELP, loadNetwork, refuseFlags, resolveArch, resolveConstraints } from '../inputs.js';
import { formatViolation } from './check.js';

interface EvaluateOpts {
  arch: string;
  problem?: string;
  mapping?: string;
  network?: string;
  ert?: string;
  art?: string;
  constraints?: string | boolean;
  batch?: string;
  inputShape?: string[];
  seqLen?: string;
  json?: boolean;
}

/** The JSON contract of `codesign evaluate --json` for one layer. */
export function evaluationJson(r: Evaluation) {
  return {
    cycles: r.cycles,
    energy_pJ: r.energy_pJ,
    macs: r.macs,
    utilization: r.utilization,
    area_um2: r.area_um2,
    levels: r.levels.map((l) => ({
      name: l.name,
      energy_pJ: l.energy_pJ,
      dataspaces: Object.fromEntries(
        DATASPACES.filter((ds) => l.dataspaces[ds]).map((ds) => {
          const c = l.dataspaces[ds]!;
          return [ds, { reads: c.reads, fills: c.fills, updates: c.updates }];
        }),
      ),
    })),
  };
}

export function summary(r: Evaluation, title: string): string {
  const head = [
    title,
    `  cycles       ${fmt.cycles(r.cycles)} (compute-bound: ${fmt.cycles(r.computeCycles)})`,
    `  energy       ${fmt.energy(r.energy_pJ)}  (${(r.energy_pJ / r.macs).toFixed(3)} pJ/MAC)`,
    `  power        ${fmt.power(r.power_mW)}`,
    `  utilization  ${(r.utilization * 100).toFixed(2)} % (${r.utilizedMacs} MACs used)`,
    `  area         ${fmt.area(r.area_um2)}`,
    `  MACs         ${r.macs.toLocaleString('en-US')}`,
    '',
  ];
  const rows = [...r.levels].reverse().map((l) => [
    l.name,
    fmt.energy(l.energy_pJ),
    l.cycles.toLocaleString('en-US'),
    String(l.utilizedInstances),
    ...DATASPACES.map((ds) => {
      const c = l.dataspaces[ds];
      return c ? `${fmt.si(c.reads)}/${fmt.si(c.fills)}/${fmt.si(c.updates)}` : '-';
    }),
  ]);
  rows.push(['MAC', fmt.energy(r.mac_energy_pJ), '', String(r.utilizedMacs), '', '', '']);
  return (
    head.join('\n') +
    fmt.table(['level', 'energy', 'cycles', 'instances', 'Weights r/f/u (words)', 'Inputs r/f/u (words)', 'Outputs r/f/u (words)'], rows) +
    '\n'
  );
}

async function evaluateOne(opts: EvaluateOpts): Promise<void> {
  if (!opts.problem || !opts.mapping) {
    throw new InputError('command line', opts.problem ? '--mapping' : '--problem', 'a Timeloop file (or use --network NAME)');
  }
  const { arch, warnings } = resolveArch(opts);
  const problem = loadProblem(opts.problem);
  const { mapping, refusals } = loadMappingFile(opts.mapping, arch, problem);
  const violations = [...refusals, ...checkMapping(problem, arch, mapping)];
  printWarnings(warnings);
  if (violations.length > 0) {
    for (const v of violations) printError(formatViolation(opts.mapping, v));
    process.exitCode = 1;
    return;
  }
  const [r] = await evaluate([{ problem, arch, mapping }]);
  if (opts.json) process.stdout.write(JSON.stringify(evaluationJson(r!)) + '\n');
  else process.stdout.write(summary(r!, `${opts.problem} on ${arch.name}`));
}

async function evaluateNetwork(opts: EvaluateOpts): Promise<void> {
  const net = loadNetwork({ network: opts.network!, batch: opts.batch, seqLen: opts.seqLen, inputShape: opts.inputShape });
  const { arch, warnings } = resolveArch(opts);
  const constraintsFor = resolveConstraints(opts);
  printWarnings(warnings);
  const { layers, total } = await evaluateNetworkDefault(net.layers, arch, constraintsFor);
  if (opts.json) {
    process.stdout.write(
      JSON.stringify({
        network: net.name,
        arch: arch.name,
        mapping: 'default',
        layers: layers.map((l) => ({ name: l.layer.name, repeat: l.layer.repeat, groups: l.groups, ...evaluationJson(l.result) })),
        total,
      }) + '\n',
    );
    return;
  }
  const rows = layers.map((l) => [
    l.layer.name,
    String(l.layer.repeat * l.groups),
    l.result.cycles.toLocaleString('en-US'),
    fmt.energy(l.result.energy_pJ),
    (l.result.energy_pJ / l.result.macs).toFixed(2),
    (l.result.utilization * 100).toFixed(1),
  ]);
  process.stdout.write(
    `${net.name} on ${arch.name}, default mapping per layer (a greedy valid mapping; \`codesign optimize\` searches for good ones)\n\n` +
      fmt.table(['layer', 'x', 'cycles', 'energy', 'pJ/MAC', 'util %'], rows) +
      `\n\ntotal (all repeats): ${fmt.cycles(total.cycles)}, ${fmt.energy(total.energy_pJ)}, ${(total.energy_pJ / total.macs).toFixed(3)} pJ/MAC, ` +
      `EDP ${total.edp.toExponential(4)} J*cycles, area ${fmt.area(layers[0]!.result.area_um2)}\n`,
  );
}

export function registerEvaluate(program: Command): void {
  program
    .command('evaluate')
    .description('Evaluate a mapping (or a whole network with default mappings) with the Timeloop-exact batched model')
    .requiredOption('--arch <file>', 'Timeloop architecture YAML, or a preset name (see `codesign archs`)')
    .option('--problem <file>', 'Timeloop problem YAML')
    .option('--mapping <file>', 'Timeloop mapping YAML')
    .option('--network <name>', 'a built-in network (see `codesign networks`) or a .onnx file: evaluate every layer with a default mapping')
    .option('--input-shape <NAME=DIMS>', INPUT_SHAPE_HELP, collect)
    .option('--ert <file>', 'Timeloop ERT YAML (energy per action)')
    .option('--art <file>', 'Timeloop ART YAML (area per component)')
    .option('--constraints <file>', "with --network: constraints the default mappings honour (default: the preset's)")
    .option('--no-constraints', "with --network: ignore the preset's constraints")
    .option('--batch <n>', 'with --network: batch size')
    .option('--seq-len <n>', 'with --network bert-base: sequence length')
    .option('--json', 'print one JSON object')
    .addHelpText(
      'after',
      [
        '',
        'Output: cycles, energy (pJ), pJ/MAC, utilization, area (mm^2) and per level: energy and reads/fills/updates',
        'per dataspace (totals over utilized instances, in words).',
        '--json prints {"cycles","energy_pJ","macs","utilization","area_um2","levels":[{"name","energy_pJ",',
        '"dataspaces":{"Weights"|"Inputs"|"Outputs":{"reads","fills","updates"}}}]}; levels innermost first, as Timeloop.',
        '',
        'Examples:',
        '  $ codesign evaluate --arch arch.yaml --ert ERT.yaml --art ART.yaml --problem problem.yaml --mapping map.yaml',
        '  $ codesign evaluate --arch eyeriss-like --problem problem.yaml --mapping map.yaml --json',
        '  $ codesign evaluate --network resnet18 --arch eyeriss-like',
      ].join('\n'),
    )
    .action(async (opts: EvaluateOpts) => {
      if (opts.network) {
        refuseFlags(
          { '--problem': opts.problem, '--mapping': opts.mapping },
          'no files together with --network NAME (it evaluates default mappings)',
        );
        await evaluateNetwork(opts);
      } else {
        refuseFlags(
          { '--batch': opts.batch, '--seq-len': opts.seqLen, '--input-shape': opts.inputShape, '--constraints': opts.constraints },
          'such options only together with --network NAME (`codesign check --constraints` checks a mapping file against constraints)',
        );
        await evaluateOne(opts);
      }
    });
}
