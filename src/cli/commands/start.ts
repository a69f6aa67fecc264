import type { Command } from 'commander';
import { InputError, show } from '../../errors.js';
import { parseInputShapes } from '../../workload/onnx/load.js';
import { resolveNetwork } from '../../workload/onnx/network.js';
import { collect, INPUT_SHAPE_HELP } from '../inputs.js';
import { DEFAULT_POWER_BUDGETS, resolveTemplate } from './pareto.js';

/** The whole default front (pareto's 8 power budgets) at a time per point that keeps `npm start` within a minute. */
export const DEFAULT_START = {
  network: 'resnet18',
  template: 'eyeriss-like',
  powerBudgets: DEFAULT_POWER_BUDGETS,
  timePerPoint: 6,
  out: 'out/start',
};

/** The options `start` passes on to `pareto` unchanged: the network and the hardware, spelled as pareto spells them. */
interface StartOpts {
  network?: string;
  inputShape?: string[];
  template?: string;
  arch?: string;
  ert?: string;
  art?: string;
  vary?: string;
}

/** pareto's argv for `start`: the default job, with the user's network and hardware when given. */
export function startArgv(opts: StartOpts): string[] {
  const flag = (name: string, v: string | undefined) => (v === undefined ? [] : [name, v]);
  return [
    'pareto',
    '--network',
    opts.network ?? DEFAULT_START.network,
    ...(opts.inputShape ?? []).flatMap((s) => ['--input-shape', s]),
    // an --arch file replaces the default template
    ...flag('--template', opts.template ?? (opts.arch === undefined ? DEFAULT_START.template : undefined)),
    ...flag('--arch', opts.arch),
    ...flag('--ert', opts.ert),
    ...flag('--art', opts.art),
    ...flag('--vary', opts.vary),
    '--power-budgets',
    DEFAULT_START.powerBudgets,
    '--time-per-point',
    String(DEFAULT_START.timePerPoint),
    '--out',
    DEFAULT_START.out,
  ];
}

/** `npm start`: the main job on the built-in default (runs `pareto` through the CLI's own `main`, passed in). */
export function registerStart(program: Command, main: (argv: string[]) => Promise<number>): void {
  program
    .command('start')
    .description(
      `Run the default job: the whole latency-power front of ${DEFAULT_START.network} on the ${DEFAULT_START.template} template, ` +
        `power budgets ${DEFAULT_START.powerBudgets} mW, at most ${DEFAULT_START.timePerPoint} s per point (what \`npm start\` runs); ` +
        `prints each point's hardware and totals and writes ${DEFAULT_START.out}/report.html. ` +
        'Bring your own network (--network model.onnx) and accelerator (--template, or --arch with --vary) as with pareto',
    )
    .option('--network <name>', `the network: a built-in or a .onnx file (default ${DEFAULT_START.network})`)
    .option('--input-shape <NAME=DIMS>', INPUT_SHAPE_HELP, collect)
    .option('--template <name>', `hardware template (default ${DEFAULT_START.template})`)
    .option('--arch <file>', 'a Timeloop architecture (v0.3 or v0.4 YAML) to co-optimize instead of --template')
    .option('--ert <file>', 'its energy reference table (default: energies from the fitted cost model)')
    .option('--art <file>', 'its area reference table (default: areas from the fitted cost model)')
    .option('--vary <specs>', 'what the hardware search may change, as in pareto, e.g. "PE.meshX=4..32,GLB.depth=1024..65536,datawidth=8,16"')
    .addHelpText(
      'after',
      '\nExamples:\n  $ codesign start\n  $ codesign start --network model.onnx --input-shape input=1,3,224,224\n' +
        '  $ codesign start --network model.onnx --input-shape input=1,3,224,224 --arch my-accel.yaml --vary "PE.meshX=4..32,GLB.depth=1024..16384"',
    )
    .action(async (opts: StartOpts) => {
      // bad input is one line: check the network and the hardware before announcing the run (pareto checks the rest)
      if (opts.arch !== undefined && opts.template !== undefined)
        throw new InputError('--template', 'template', 'either --template or --arch, not both', show(opts.template));
      resolveTemplate({ ...opts, template: opts.template ?? DEFAULT_START.template });
      // (its warnings, e.g. unsupported ops, are pareto's to print, once)
      resolveNetwork(opts.network ?? DEFAULT_START.network, opts.inputShape ? { inputShapes: parseInputShapes(opts.inputShape) } : {});
      const budgets = DEFAULT_START.powerBudgets.split(',').length;
      process.stderr.write(
        `codesign start: the whole default front, ${budgets} power budgets (${DEFAULT_START.powerBudgets} mW), at most ${DEFAULT_START.timePerPoint} s each, about ${budgets * DEFAULT_START.timePerPoint} s in all\n`,
      );
      process.exitCode = await main(startArgv(opts));
    });
}
