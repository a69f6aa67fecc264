import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { InputError } from '../../errors.js';
import type { Accelerator } from '../../hardware/accelerator.js';
import { getPreset, isPreset, presetNames } from '../../hardware/presets.js';
import { checkMapping, type Violation } from '../../mapping/check.js';
import { spatialXY } from '../../mapping/mapping.js';
import { buildAccelerator } from '../../timeloop/arch.js';
import { loadAccelerator, loadConstraints, loadMapping, loadProblem, readInput } from '../../timeloop/files.js';
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

/** --arch: a file, or a preset name when no such file exists. Returns the accelerator and warnings worth printing. */
export function resolveArch(opts: { arch: string; ert?: string; art?: string }): { arch: Accelerator; warnings: string[] } {
  if (!existsSync(opts.arch) && isPreset(opts.arch)) {
    const preset = getPreset(opts.arch);
    if (!opts.ert && !opts.art) return { arch: preset.arch, warnings: [] };
    // the preset's architecture with the given ERT/ART (the preset's own for the one not given)
    const r = buildAccelerator({
      arch: { text: preset.files.arch, file: `<preset ${preset.name}>/arch.yaml` },
      ert: opts.ert ? readInput(opts.ert) : { text: preset.files.ert, file: `<preset ${preset.name}>/ERT.yaml` },
      art: opts.art ? readInput(opts.art) : { text: preset.files.art, file: `<preset ${preset.name}>/ART.yaml` },
      name: preset.name,
    });
    r.arch.levels.forEach((l, i) => (l.hardwareKeep = preset.arch.levels[i]!.hardwareKeep));
    return r;
  }
  if (!existsSync(opts.arch)) {
    throw new InputError(opts.arch, 'file', `an existing file or a preset name (${presetNames().join(', ')})`, 'no such file');
  }
  const paths: { arch: string; ert?: string; art?: string } = { arch: opts.arch };
  if (opts.ert) paths.ert = opts.ert;
  if (opts.art) paths.art = opts.art;
  const r = loadAccelerator(paths);
  return { arch: r.arch, warnings: r.warnings.filter((w) => !w.startsWith('no ERT given') && !w.startsWith('no ART given')) };
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
      const { arch, warnings } = resolveArch(opts);
      const problem = loadProblem(opts.problem);
      const mapping = loadMapping(opts.mapping, arch, problem);
      const constraints = opts.constraints ? loadConstraints(opts.constraints) : undefined;
      const violations = checkMapping(problem, arch, mapping, constraints);
      for (const w of warnings) process.stderr.write(`codesign: warning: ${w}\n`);
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
      for (const v of violations) process.stderr.write(`codesign: ${formatViolation(opts.mapping, v)}\n`);
      process.exitCode = violations.length === 0 ? 0 : 1;
    });
}
