import type { Command } from 'commander';

export const DEFAULT_START = { network: 'resnet18', template: 'eyeriss-like', powerBudget: 400, timePerPoint: 40, out: 'out/start' };

/** `npm start`: the main job on the built-in default (runs `pareto` through the CLI's own `main`, passed in). */
export function registerStart(program: Command, main: (argv: string[]) => Promise<number>): void {
  program
    .command('start')
    .description(
      `Run the default job: co-optimize ${DEFAULT_START.network} on the ${DEFAULT_START.template} template under ${DEFAULT_START.powerBudget} mW ` +
        `(what \`npm start\` runs); prints the chosen hardware and totals and writes ${DEFAULT_START.out}/report.html`,
    )
    .addHelpText('after', '\nExample:\n  $ codesign start')
    .action(async () => {
      process.exitCode = await main([
        'pareto',
        '--network',
        DEFAULT_START.network,
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
