import type { Command } from 'commander';
import { collect, INPUT_SHAPE_HELP } from '../inputs.js';

export const DEFAULT_START = { network: 'resnet18', template: 'eyeriss-like', powerBudget: 400, timePerPoint: 40, out: 'out/start' };

/** `npm start`: the main job on the built-in default (runs `pareto` through the CLI's own `main`, passed in). */
export function registerStart(program: Command, main: (argv: string[]) => Promise<number>): void {
  program
    .command('start')
    .description(
      `Run the default job: co-optimize ${DEFAULT_START.network} on the ${DEFAULT_START.template} template under ${DEFAULT_START.powerBudget} mW ` +
        `(what \`npm start\` runs); prints the chosen hardware and totals and writes ${DEFAULT_START.out}/report.html`,
    )
    .option('--network <name>', `the network: a built-in or a .onnx file (default ${DEFAULT_START.network})`)
    .option('--input-shape <NAME=DIMS>', INPUT_SHAPE_HELP, collect)
    .addHelpText('after', '\nExamples:\n  $ codesign start\n  $ codesign start --network model.onnx --input-shape input=1,3,224,224')
    .action(async (opts: { network?: string; inputShape?: string[] }) => {
      process.exitCode = await main([
        'pareto',
        '--network',
        opts.network ?? DEFAULT_START.network,
        ...(opts.inputShape ?? []).flatMap((s) => ['--input-shape', s]),
        '--template',
        DEFAULT_START.template,
        '--power-budgets',
        String(DEFAULT_START.powerBudget),
        '--time-per-point',
        String(DEFAULT_START.timePerPoint),
        '--out',
        DEFAULT_START.out,
      ]);
    });
}
