#!/usr/bin/env node
import { Command, CommanderError } from 'commander';
import { InfeasibleError, InputError } from '../errors.js';
import { registerArchs } from './commands/archs.js';
import { registerCheck } from './commands/check.js';
import { registerEvaluate } from './commands/evaluate.js';
import { registerNetworks } from './commands/networks.js';
import { registerOptimize } from './commands/optimize.js';
import { registerPareto } from './commands/pareto.js';
import { registerStart } from './commands/start.js';
import { registerSweep, registerWorker } from './commands/sweep.js';
import { printError } from './stderr.js';

/** Exit codes: 0 ok, 1 invalid mapping or infeasible constraints, 2 bad input, 3 internal error. */
export const EXIT = { ok: 0, invalid: 1, badInput: 2, internal: 3 } as const;

function buildProgram(): Command {
  const program = new Command('codesign')
    .description('Co-optimize a CNN accelerator and its dataflow with a Timeloop-exact model on TensorFlow.js')
    .exitOverride()
    .configureOutput({ outputError: (str, write) => write(str.split('\n')[0]!.replace(/^error: /, 'codesign: ') + '\n') })
    .showHelpAfterError(false);
  registerStart(program, main);
  registerArchs(program);
  registerNetworks(program);
  registerCheck(program);
  registerEvaluate(program);
  registerOptimize(program);
  registerPareto(program);
  registerSweep(program);
  registerWorker(program);
  return program;
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  process.exitCode = undefined;
  try {
    // commander prints the general help for `help <unknown>` and exits 0; an unknown topic is a usage error
    if (argv[0] === 'help' && argv[1] !== undefined && !program.commands.some((c) => c.name() === argv[1] || c.aliases().includes(argv[1]!))) {
      printError(`unknown command ${JSON.stringify(argv[1])} (commands: ${program.commands.map((c) => c.name()).join(', ')})`);
      return EXIT.badInput;
    }
    await program.parseAsync(argv, { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT.ok;
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return EXIT.ok;
      return EXIT.badInput;
    }
    if (e instanceof InfeasibleError) {
      printError(e.message);
      return EXIT.invalid;
    }
    if (e instanceof InputError) {
      printError(e.message);
      return EXIT.badInput;
    }
    const msg = e instanceof Error ? e.message : String(e);
    printError(`internal error: ${msg.split('\n')[0]}`);
    if (process.env.CODESIGN_DEBUG && e instanceof Error) process.stderr.write(`${e.stack}\n`);
    return EXIT.internal;
  }
}

const invokedDirectly = process.argv[1] && /cli[\\/]main\.(js|ts)$/.test(process.argv[1]);
if (invokedDirectly) {
  // `codesign ... | head`: a closed pipe ends the output quietly instead of an unhandled EPIPE stack trace
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
      throw e;
    });
  }
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    () => {
      process.exitCode = EXIT.internal;
    },
  );
}
