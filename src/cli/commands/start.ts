import type { Command } from 'commander';
import { main } from '../main.js';

/** `npm start`: the main job on the built-in default. */
export function registerStart(program: Command): void {
  program
    .command('start')
    .description('Run the default job: ResNet-18 on the eyeriss-like preset (what `npm start` runs)')
    .addHelpText('after', '\nExample:\n  $ codesign start')
    .action(async () => {
      const code = await main(['evaluate', '--network', 'resnet18', '--arch', 'eyeriss-like']);
      process.exitCode = code;
    });
}
