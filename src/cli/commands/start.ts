import type { Command } from 'commander';
import { collect, INPUT_SHAPE_HELP } from '../inputs.js';
import { DEFAULT_POWER_BUDGETS } from './pareto.js';

/** The whole default front (pareto's 8 power budgets) at a time per point that keeps `npm start` within a minute. */
export const DEFAULT_START = {
  network: 'resnet18',
  template: 'eyeriss-like',
  powerBudgets: DEFAULT_POWER_BUDGETS,
  timePerPoint: 6,
  out: 'out/start',
};

/** `npm start`: the main job on the built-in default (runs `pareto` through the CLI's own `main`, passed in). */
export function registerStart(program: Command, main: (argv: string[]) => Promise<number>): void {
  program
    .command('start')
    .description(
      `Run the default job: the whole latency-power front of ${DEFAULT_START.network} on the ${DEFAULT_START.template} template, ` +
        `power budgets ${DEFAULT_START.powerBudgets} mW, at most ${DEFAULT_START.timePerPoint} s per point (what \`npm start\` runs); ` +
        `prints each point's hardware and totals and writes ${DEFAULT_START.out}/report.html`,
    )
    .option('--network <name>', `the network: a built-in or a .onnx file (default ${DEFAULT_START.network})`)
    .option('--input-shape <NAME=DIMS>', INPUT_SHAPE_HELP, collect)
    .addHelpText('after', '\nExamples:\n  $ codesign start\n  $ codesign start --network model.onnx --input-shape input=1,3,224,224')
    .action(async (opts: { network?: string; inputShape?: string[] }) => {
      const budgets = DEFAULT_START.powerBudgets.split(',').length;
      process.stderr.write(
        `codesign start: the whole default front, ${budgets} power budgets (${DEFAULT_START.powerBudgets} mW), at most ${DEFAULT_START.timePerPoint} s each, about ${budgets * DEFAULT_START.timePerPoint} s in all\n`,
      );
      process.exitCode = await main([
        'pareto',
        '--network',
        opts.network ?? DEFAULT_START.network,
        ...(opts.inputShape ?? []).flatMap((s) => ['--input-shape', s]),
        '--template',
        DEFAULT_START.template,
        '--power-budgets',
        DEFAULT_START.powerBudgets,
        '--time-per-point',
        String(DEFAULT_START.timePerPoint),
        '--out',
        DEFAULT_START.out,
      ]);
    });
}
