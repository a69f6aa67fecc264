import type { Command } from 'commander';
import { printError, printWarnings } from '../stderr.js';
import { checkMapping, type Violation } from '../../mapping/check.js';
import { spatialXY } from '../../mapping/mapping.js';
import { loadConstraints, loadMappingFile, loadProblem } from '../../timeloop/files.js';
import { resolveArch } from '../inputs.js';
import { formatLoopNest } from '../../timeloop/loop-nest.js';
import { DIMS } from '../../workload/layer.js';

interface CheckOpts {
  arch: string;
  problem: string;
  mapping: string;
  ert?: string;
  art?: string;
  constraints?: string;
  json?: boolean;
}

export function formatViolation(file: string, v: Violation): string {
  return `${file}: ${v.level ?? 'mapping'}: ${v.message} [${v.rule}]`;
}

export function registerCheck(program: Command): void {
  program
    .command('check')
    .description('Validate a Timeloop mapping of a layer on an architecture (optionally against constraints) and print its loop nest')
    .requiredOption('--arch <file>', 'Timeloop architecture YAML (v0.3 subtree/local or v0.4 nodes), or a preset name (see `codesign archs`)')
    .requiredOption('--problem <file>', 'Timeloop problem YAML (CNN-Layer or Depthwise-CNN-Layer)')
    .requiredOption('--mapping <file>', 'Timeloop mapping YAML (mapping: [...] directives)')
    .option('--ert <file>', 'Timeloop ERT YAML (energies; not needed for the check)')
    .option('--art <file>', 'Timeloop ART YAML (areas; not needed for the check)')
    .option('--constraints <file>', 'Timeloop constraints YAML (architecture_constraints / mapspace_constraints) to check too')
    .option('--json', 'print {valid, violations: [{rule, level, dim?, dataspace?, message}], loopNest} as JSON')
    .addHelpText(
      'after',
      [
        '',
        'Checks: factors multiply to the layer, spatial factors fit the fanout (X and Y), tiles fit the buffers,',
        'keep/bypass fits the hardware, and with --constraints every factor, permutation, split and bypass constraint.',
        'Exit codes: 0 valid, 1 invalid mapping (one line per violation on stderr), 2 bad input (one line naming file and field).',
        '',
        'Examples:',
        '  $ codesign check --arch eyeriss-like --problem problem.yaml --mapping map.yaml',
        '  $ codesign check --arch arch.yaml --ert ERT.yaml --art ART.yaml --problem problem.yaml \\',
        '      --mapping map.yaml --constraints constraints.yaml',
      ].join('\n'),
    )
    .action((opts: CheckOpts) => {
      // a mapping's validity needs no energies or areas
      const { arch, warnings } = resolveArch(opts, { fitCosts: false });
      const problem = loadProblem(opts.problem);
      const { mapping, refusals } = loadMappingFile(opts.mapping, arch, problem);
      const constraints = opts.constraints ? loadConstraints(opts.constraints) : undefined;
      const violations = [...refusals, ...checkMapping(problem, arch, mapping, constraints)];
      printWarnings(warnings);
      const nest = formatLoopNest(problem, arch, mapping);
      if (opts.json) {
        process.stdout.write(`${JSON.stringify({ valid: violations.length === 0, violations, loopNest: nest })}\n`);
      } else {
        process.stdout.write(nest);
        if (violations.length === 0) {
          const used = mapping.levels.reduce((p, l) => {
            const { x, y } = spatialXY(l);
            return p * DIMS.reduce((q, d) => q * x[d] * y[d], 1);
          }, 1);
          process.stdout.write(
            `\nvalid: ${problem.name} on ${arch.name} uses ${used} of ${arch.mac.instances} MACs${constraints ? `, and meets the ${constraints.targets.length} constraints` : ''}\n`,
          );
        }
      }
      for (const v of violations) printError(formatViolation(opts.mapping, v));
      process.exitCode = violations.length === 0 ? 0 : 1;
    });
}
