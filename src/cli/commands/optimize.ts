import type { Command } from 'commander';
import { printWarnings } from '../stderr.js';
import { InputError, show } from '../../errors.js';
import { simulatedAnnealing } from '../../baselines/annealing.js';
import { geneticSearch } from '../../baselines/genetic.js';
import { randomSearch } from '../../baselines/random-search.js';
import { codesignSearch } from '../../mapper/codesign-search.js';
import { optimizeMappings, type SearchMethod } from '../../mapper/optimize.js';
import type { Objective } from '../../mapper/task.js';
import { loadProblem } from '../../timeloop/files.js';
import { summaryJson, writeOptimizeOutput } from '../../visualization/optimize-output.js';
import { summaryTable } from '../../visualization/optimize-table.js';
import { problemAsLayer, type ConvLayer } from '../../workload/layer.js';
import { collect, INPUT_SHAPE_HELP, loadNetwork, parsePositive, parseSeed, refuseFlags, resolveArch, resolveConstraints } from '../inputs.js';
import { prepareOutputDir } from '../out-dir.js';
import { progress } from '../progress.js';

interface OptimizeOpts {
  network?: string;
  arch: string;
  problem?: string;
  ert?: string;
  art?: string;
  constraints?: string | boolean;
  objective: string;
  seed: string;
  timeLimit: string;
  out?: string;
  json?: boolean;
  method: string;
  batch?: string;
  inputShape?: string[];
  seqLen?: string;
  layers?: string;
}

/** The search methods by name (a Map: a name such as "constructor" is simply unknown). */
export const METHODS: ReadonlyMap<string, SearchMethod> = new Map([
  ['codesign', codesignSearch],
  ['random', randomSearch],
  ['genetic', geneticSearch],
  ['annealing', simulatedAnnealing],
]);

export function parseObjective(v: string): Objective {
  if (v === 'edp' || v === 'latency' || v === 'energy') return v;
  throw new InputError('--objective', 'objective', 'edp, latency or energy', show(v));
}

export function parseSeconds(v: string, flag: string): number {
  return parsePositive(v, flag, 'a positive number of seconds');
}

export function registerOptimize(program: Command): void {
  program
    .command('optimize')
    .description('Search the best mapping of every layer on a fixed accelerator (relaxed NLP + legalization + parallel local search)')
    .requiredOption('--arch <file>', 'Timeloop architecture YAML, or a preset name (see `codesign archs`)')
    .option('--network <name>', 'a built-in network (see `codesign networks`) or a .onnx file')
    .option('--input-shape <NAME=DIMS>', INPUT_SHAPE_HELP, collect)
    .option('--problem <file>', 'one Timeloop problem YAML instead of a network')
    .option('--ert <file>', 'Timeloop ERT YAML')
    .option('--art <file>', 'Timeloop ART YAML')
    .option('--constraints <file>', "Timeloop constraints YAML (default: the preset's architecture and mapspace constraints)")
    .option('--no-constraints', 'search the whole map space the hardware allows')
    .option('--objective <name>', 'edp, latency or energy', 'edp')
    .option('--seed <n>', 'random seed (same seed, same result)', '1')
    .option('--time-limit <s>', 'wall-clock budget in seconds', '60')
    .option('--method <name>', `search method: ${[...METHODS.keys()].join(', ')}`, 'codesign')
    .option('--out <dir>', 'write per-layer Timeloop mappings, summary.json and summary.txt here')
    .option('--batch <n>', 'batch size of the network')
    .option('--layers <names>', 'only these layers of the network (comma-separated names, see `codesign networks`)')
    .option('--seq-len <n>', 'sequence length for bert-base')
    .option('--json', 'print summary.json to stdout (no progress bar)')
    .addHelpText(
      'after',
      [
        '',
        'The search honours the constraints exactly as timeloop-mapper does; every mapping it returns passes',
        '`codesign check` and re-evaluates in timeloop-model to the same cycles and energy.',
        '',
        'Examples:',
        '  $ codesign optimize --network resnet18 --arch eyeriss-like --objective edp --seed 1 --out out/resnet18',
        '  $ codesign optimize --arch arch.yaml --ert ERT.yaml --art ART.yaml --problem problem.yaml \\',
        '      --constraints constraints.yaml --objective latency --time-limit 20',
      ].join('\n'),
    )
    .action(async (opts: OptimizeOpts) => {
      const objective = parseObjective(opts.objective);
      const seed = parseSeed(opts.seed);
      const timeLimit = parseSeconds(opts.timeLimit, '--time-limit');
      const method = METHODS.get(opts.method);
      if (!method) throw new InputError('--method', 'method', [...METHODS.keys()].join(', '), show(opts.method));
      if (!opts.network === !opts.problem)
        throw new InputError('command line', '--network/--problem', 'exactly one of --network NAME or --problem FILE');
      if (opts.problem)
        refuseFlags(
          { '--batch': opts.batch, '--seq-len': opts.seqLen, '--input-shape': opts.inputShape, '--layers': opts.layers },
          'such options only together with --network NAME, not with --problem FILE',
        );
      const { arch, warnings } = resolveArch(opts);
      const constraintsFor = resolveConstraints(opts);
      let layers: ConvLayer[];
      if (opts.network) {
        layers = loadNetwork({
          network: opts.network,
          batch: opts.batch,
          seqLen: opts.seqLen,
          layers: opts.layers,
          inputShape: opts.inputShape,
        }).layers;
      } else {
        const p = loadProblem(opts.problem!);
        layers = [problemAsLayer(p, p.name)];
      }
      if (opts.out) prepareOutputDir(opts.out, '--out');
      // warnings once every input is read: a bad input is then the only line
      printWarnings(warnings);
      const bar = progress(`optimize ${opts.network ?? opts.problem}`, !opts.json);
      const out = await optimizeMappings(layers, arch, constraintsFor, {
        objective,
        seed,
        timeLimit,
        method,
        onProgress: (f, total) => bar.update(f, `total ${objective} ${total.toExponential(4)}`),
      });
      bar.stop();
      if (opts.out) writeOptimizeOutput(opts.out, out, constraintsFor);
      if (opts.json) process.stdout.write(JSON.stringify(summaryJson(out)) + '\n');
      else
        process.stdout.write(
          summaryTable(out) +
            (opts.out
              ? `\n\nwrote ${opts.out}/ (summary.json, summary.txt, per-layer *.map.yaml and *.problem.yaml, arch.yaml, ERT.yaml, ART.yaml)`
              : '') +
            '\n',
        );
    });
}
